"""Owners per unit per KPI: the responsible person and the data collector, as usernames."""

from tests.catalogue.conftest import API


def owners(unit, kpi="2.1", responsible="head1", data_collector="reporter1"):
    return {"unit": unit, "kpi": kpi, "responsible": responsible, "data_collector": data_collector}


def test_an_admin_assigns_the_owners_of_a_units_kpi(admin, own_bureau):
    assert admin.put(f"{API}/years/2547/assignments", json=[owners(own_bureau)]).status_code == 200
    rows = admin.get(f"{API}/years/2547/assignments", params={"unit": own_bureau}).json()
    assert rows == [{"year": 2547, **owners(own_bureau)}]


def test_both_names_null_removes_the_assignment(admin, own_bureau):
    admin.put(f"{API}/years/2547/assignments", json=[owners(own_bureau)])
    admin.put(
        f"{API}/years/2547/assignments",
        json=[owners(own_bureau, responsible=None, data_collector=None)],
    )
    assert admin.get(f"{API}/years/2547/assignments", params={"unit": own_bureau}).json() == []


def test_a_unit_head_assigns_the_owners_of_their_own_unit(as_user, own_year):
    head = as_user("head1")
    resp = head.put(f"{API}/years/{own_year}/assignments", json=[owners("R1", kpi="10.1")])
    assert resp.status_code == 200


def test_a_unit_head_cannot_assign_another_units_owners(as_user, admin, own_year):
    resp = as_user("head1").put(f"{API}/years/{own_year}/assignments", json=[owners("R2")])
    assert resp.status_code == 403
    assert (
        admin.get(
            f"{API}/years/{own_year}/assignments", params={"unit": "R2", "kpi": "2.1"}
        ).json()[0]["responsible"]
        == "reporter2"
    )


def test_a_reporter_cannot_assign_owners(as_user, own_year):
    resp = as_user("reporter1").put(f"{API}/years/{own_year}/assignments", json=[owners("R1")])
    assert resp.status_code == 403


def test_a_username_that_cannot_exist_is_refused(admin, own_bureau):
    resp = admin.put(
        f"{API}/years/2547/assignments", json=[owners(own_bureau, responsible="Not A User")]
    )
    assert resp.status_code == 422 and "responsible" in resp.json()["errors"]["0"]


def test_demo_owners_of_r1_are_its_head_and_reporter(as_user):
    rows = as_user("head1").get(
        f"{API}/years/2547/assignments", params={"unit": "R1", "kpi": "15.1"}
    )
    assert [(r["responsible"], r["data_collector"]) for r in rows.json()] == [
        ("head1", "reporter1")
    ]
