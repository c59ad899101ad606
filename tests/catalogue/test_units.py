"""The unit tree: the org skeleton in every mode, sample offices in demo, admins editing it."""

import pytest

from tests.catalogue.conftest import API, new_unit


@pytest.fixture(scope="module")
def units(live):
    return {u["code"]: u for u in live.session("reporter1").get(f"{API}/units").json()}


def test_the_department_is_the_root(units):
    assert units["PRD"]["kind"] == "department" and units["PRD"]["parent"] is None


def test_the_management_group_hangs_under_the_department(units):
    msd = units["MSD"]
    assert (msd["kind"], msd["parent"], msd["name_th"]) == ("group", "PRD", "กลุ่มพัฒนาระบบบริหาร")


def test_the_it_centre_is_a_group(units):
    assert units["ITC"]["name_th"] == "ศูนย์เทคโนโลยีสารสนเทศการประชาสัมพันธ์"


@pytest.mark.parametrize("n", range(1, 9))
def test_eight_regional_offices(units, n):
    region = units[f"R{n}"]
    assert (region["kind"], region["name_th"], region["sample"]) == (
        "region",
        f"สำนักประชาสัมพันธ์เขต {n}",
        False,
    )


def test_demo_has_sample_provincial_offices_under_r1(units):
    provinces = [units["R1-01"], units["R1-02"]]
    assert all(u["parent"] == "R1" and u["kind"] == "province" for u in provinces)
    assert all(u["sample"] and "(ตัวอย่าง)" in u["name_th"] for u in provinces)


def test_demo_has_sample_bureaus(units):
    assert units["B01"]["kind"] == "bureau" and units["B01"]["sample"]


def test_units_can_be_filtered_by_kind(as_user):
    rows = as_user("head1").get(f"{API}/units", params={"kind": "region"}).json()
    assert {u["kind"] for u in rows} == {"region"}


def test_one_unit_and_404_for_an_unknown_one(as_user):
    http = as_user("reporter2")
    assert http.get(f"{API}/units/R2").json()["name_en"] == "Regional Public Relations Office 2"
    assert http.get(f"{API}/units/NOPE").status_code == 404


def test_an_admin_adds_a_provincial_office_under_a_region(admin):
    unit = new_unit(admin, kind="province", parent="R7")
    assert admin.get(f"{API}/units/{unit['code']}").json()["parent"] == "R7"


def test_a_province_cannot_hang_under_the_department(admin):
    body = {"code": "ZZPROV", "name_th": "ทดสอบ", "kind": "province", "parent": "PRD"}
    resp = admin.post(f"{API}/units", json=body)
    assert resp.status_code == 422 and "parent" in resp.json()["errors"]


def test_a_unit_code_that_exists_is_a_conflict(admin):
    body = {"code": "R1", "name_th": "ซ้ำ", "kind": "region", "parent": "PRD"}
    assert admin.post(f"{API}/units", json=body).status_code == 409


def test_a_reviewer_renames_a_unit(reviewer, own_bureau):
    resp = reviewer.patch(f"{API}/units/{own_bureau}", json={"name_th": "สำนักใหม่"})
    assert resp.status_code == 200 and resp.json()["name_th"] == "สำนักใหม่"


def test_a_province_moves_to_another_region(admin, own_province, own_region):
    other = new_unit(admin, kind="region")["code"]
    resp = admin.patch(f"{API}/units/{own_province}", json={"parent": other})
    assert resp.status_code == 200 and resp.json()["parent"] == other


def test_a_unit_cannot_move_under_its_own_descendant(admin):
    top = new_unit(admin, kind="bureau")["code"]
    group = new_unit(admin, kind="group", parent=top)["code"]
    resp = admin.patch(f"{API}/units/{top}", json={"kind": "group", "parent": group})
    assert resp.status_code == 422 and "parent" in resp.json()["errors"]
    assert admin.get(f"{API}/units/{top}").json()["parent"] == "PRD"


def test_a_region_with_provinces_cannot_become_a_bureau(admin, own_province, own_region):
    resp = admin.patch(f"{API}/units/{own_region}", json={"kind": "bureau"})
    assert resp.status_code == 422 and "kind" in resp.json()["errors"]


def test_a_unit_head_cannot_add_units(as_user):
    body = {"code": "ZZHEAD", "name_th": "ทดสอบ", "kind": "bureau", "parent": "PRD"}
    assert as_user("head1").post(f"{API}/units", json=body).status_code == 403


def test_the_units_above_one_are_its_way_up_department_first(as_user):
    http = as_user("reporter1")
    rows = http.get(f"{API}/units", params={"above": "R1-01"}).json()
    assert [(u["code"], u["kind"]) for u in rows] == [("PRD", "department"), ("R1", "region")]
    assert http.get(f"{API}/units", params={"above": "PRD"}).json() == []
    resp = http.get(f"{API}/units", params={"above": "NOPE"})
    assert resp.status_code == 404 and "above" in resp.json()["errors"]
