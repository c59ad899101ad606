"""Fiscal years: Buddhist Era, October to September, draft → open → closed, opened by copying."""

from tests.catalogue.conftest import API, copy_year


def test_2547_is_listed_with_its_gregorian_dates_and_open(as_user):
    years = {y["year"]: y for y in as_user("reporter1").get(f"{API}/years").json()}
    assert (years[2547]["starts_on"], years[2547]["ends_on"], years[2547]["status"]) == (
        "2003-10-01",
        "2004-09-30",
        "open",
    )


def test_one_year_and_404_for_an_unknown_one(as_user):
    http = as_user("auditor")
    assert http.get(f"{API}/years/2547").json()["due_days"] == 10
    assert http.get(f"{API}/years/2502").status_code == 404


def test_a_copied_year_is_a_draft_with_its_own_dates(admin):
    year = copy_year(admin)
    start_ce = year["year"] - 544
    assert year["status"] == "draft" and year["copied_from"] == 2547
    assert (year["starts_on"], year["ends_on"]) == (f"{start_ce}-10-01", f"{start_ce + 1}-09-30")


def test_a_copied_year_holds_the_whole_catalogue(admin, own_year):
    original = admin.get(f"{API}/years/2547/kpis").json()
    copied = admin.get(f"{API}/years/{own_year}/kpis").json()
    drop = {"year"}
    assert [{k: v for k, v in kpi.items() if k not in drop} for kpi in copied] == [
        {k: v for k, v in kpi.items() if k not in drop} for kpi in original
    ]


def test_a_copied_year_keeps_targets_owners_and_due_days(admin, own_bureau):
    source = copy_year(admin)["year"]
    admin.patch(f"{API}/years/{source}", json={"due_days": 21})
    admin.patch(f"{API}/years/{source}/kpis/2.1", json={"due_days": 5})
    admin.put(
        f"{API}/years/{source}/targets", json=[{"unit": own_bureau, "kpi": "2.1", "target": 7}]
    )
    owners = [
        {"unit": own_bureau, "kpi": "2.1", "responsible": "head1", "data_collector": "reporter1"}
    ]
    admin.put(f"{API}/years/{source}/assignments", json=owners)
    copy = copy_year(admin, source)["year"]
    assert admin.get(f"{API}/years/{copy}").json()["due_days"] == 21
    assert admin.get(f"{API}/years/{copy}/kpis/2.1").json()["due_days"] == 5
    targets = admin.get(f"{API}/years/{copy}/targets", params={"unit": own_bureau}).json()
    assert [(t["kpi"], t["target"]) for t in targets] == [("2.1", 7)]
    assigned = admin.get(f"{API}/years/{copy}/assignments", params={"unit": own_bureau}).json()
    assert [(a["responsible"], a["data_collector"]) for a in assigned] == [("head1", "reporter1")]


def test_a_copy_changes_on_its_own(admin, own_year):
    admin.patch(f"{API}/years/{own_year}/kpis/10.5", json={"name_en": "Awards (copy)"})
    assert admin.get(f"{API}/years/2547/kpis/10.5").json()["name_en"] != "Awards (copy)"


def test_a_year_that_exists_cannot_be_opened_again(admin):
    resp = admin.post(f"{API}/years", json={"year": 2547, "copy_from": 2547})
    assert resp.status_code == 409


def test_copying_an_unknown_year_names_copy_from(admin):
    resp = admin.post(f"{API}/years", json={"year": 2998, "copy_from": 2403})
    assert resp.status_code == 422 and "copy_from" in resp.json()["errors"]


def test_a_year_goes_from_draft_to_open_to_closed(admin, own_year):
    assert (
        admin.patch(f"{API}/years/{own_year}", json={"status": "open"}).json()["status"] == "open"
    )
    resp = admin.patch(f"{API}/years/{own_year}", json={"status": "closed"})
    assert resp.json()["status"] == "closed"


def test_a_draft_year_cannot_be_closed(admin, own_year):
    resp = admin.patch(f"{API}/years/{own_year}", json={"status": "closed"})
    assert resp.status_code == 409
    assert admin.get(f"{API}/years/{own_year}").json()["status"] == "draft"


def test_the_due_day_rule_of_a_year_changes_its_due_dates(reviewer, own_year):
    reviewer.patch(f"{API}/years/{own_year}", json={"due_days": 0})
    periods = reviewer.get(f"{API}/years/{own_year}/kpis/10.5/periods").json()
    assert periods[0]["due_on"] == periods[0]["ends_on"]


def test_a_reporter_cannot_open_a_year(as_user):
    resp = as_user("reporter1").post(f"{API}/years", json={"year": 2999, "copy_from": 2547})
    assert resp.status_code == 403
