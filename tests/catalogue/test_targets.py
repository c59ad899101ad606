"""Targets per unit per KPI: set by the management group, read by the unit and the centre."""

from tests.catalogue.conftest import API, new_unit


def test_a_reviewer_sets_a_percentage_target_with_its_headcount(reviewer, own_region):
    row = {"unit": own_region, "kpi": "15.2", "target": 90, "denominator": 42}
    resp = reviewer.put(f"{API}/years/2547/targets", json=[row])
    assert resp.status_code == 200
    saved = reviewer.get(f"{API}/years/2547/targets", params={"unit": own_region}).json()
    assert saved == [
        {
            "year": 2547,
            "unit": own_region,
            "kpi": "15.2",
            "target": 90,
            "denominator": 42,
            "denominator_label": "จำนวนบุคลากรทั้งหมดของหน่วยงาน (คน)",
        }
    ]


def test_putting_a_target_again_replaces_it(admin, own_bureau):
    admin.put(f"{API}/years/2547/targets", json=[{"unit": own_bureau, "kpi": "2.2", "target": 5}])
    admin.put(f"{API}/years/2547/targets", json=[{"unit": own_bureau, "kpi": "2.2", "target": 8}])
    rows = admin.get(f"{API}/years/2547/targets", params={"unit": own_bureau, "kpi": "2.2"})
    assert [r["target"] for r in rows.json()] == [8]


def test_rows_not_sent_stay_as_they_are(admin, own_bureau):
    admin.put(f"{API}/years/2547/targets", json=[{"unit": own_bureau, "kpi": "2.1", "target": 3}])
    admin.put(f"{API}/years/2547/targets", json=[{"unit": own_bureau, "kpi": "2.2", "target": 4}])
    rows = admin.get(f"{API}/years/2547/targets", params={"unit": own_bureau}).json()
    assert [(r["kpi"], r["target"]) for r in rows] == [("2.1", 3), ("2.2", 4)]


def test_a_target_for_a_kpi_the_unit_does_not_report_is_refused(admin, own_province):
    row = {"unit": own_province, "kpi": "15.1", "target": 2}
    resp = admin.put(f"{API}/years/2547/targets", json=[row])
    assert resp.status_code == 422
    assert "regional offices only" in resp.json()["errors"]["0"]["kpi"][0]


def test_a_level_target_must_be_a_level(admin, own_bureau):
    resp = admin.put(
        f"{API}/years/2547/targets", json=[{"unit": own_bureau, "kpi": "4.1", "target": 7}]
    )
    assert resp.status_code == 422 and "target" in resp.json()["errors"]["0"]


def test_one_bad_row_saves_no_row(admin, own_bureau):
    rows = [
        {"unit": own_bureau, "kpi": "2.1", "target": 3},
        {"unit": own_bureau, "kpi": "99.1", "target": 1},
    ]
    resp = admin.put(f"{API}/years/2547/targets", json=rows)
    assert resp.status_code == 422 and list(resp.json()["errors"]) == ["1"]
    assert admin.get(f"{API}/years/2547/targets", params={"unit": own_bureau}).json() == []


def test_a_unit_head_cannot_set_targets(as_user):
    resp = as_user("head1").put(
        f"{API}/years/2547/targets", json=[{"unit": "R1", "kpi": "2.1", "target": 1}]
    )
    assert resp.status_code == 403


def test_a_regional_reporter_reads_the_targets_of_its_provinces(admin, as_user):
    province = new_unit(admin, kind="province", parent="R1")["code"]
    admin.put(f"{API}/years/2547/targets", json=[{"unit": province, "kpi": "2.1", "target": 6}])
    rows = as_user("reporter1").get(f"{API}/years/2547/targets", params={"unit": province}).json()
    assert [r["target"] for r in rows] == [6]


def test_a_reporter_does_not_see_another_regions_targets(as_user):
    rows = as_user("reporter1").get(f"{API}/years/2547/targets").json()
    assert rows and not [r for r in rows if r["unit"] == "R2"]


def test_asking_for_another_regions_targets_is_forbidden(as_user):
    resp = as_user("reporter1").get(f"{API}/years/2547/targets", params={"unit": "R2"})
    assert resp.status_code == 403
