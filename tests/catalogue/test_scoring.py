"""Scoring data per KPI and year: provisional until the management group confirms it."""

from tests.catalogue.conftest import API, copy_year


def test_a_seeded_kpi_scores_by_provisional_criteria(as_user):
    body = as_user("reporter1").get(f"{API}/years/2547/kpis/7.1/scoring").json()
    assert body["thresholds"] == [1, 2, 3, 4, 5] and body["thresholds_on"] == "level"
    assert (body["confirmed"], body["provisional"]) == (False, True)


def test_the_management_group_sets_and_confirms_criteria_and_it_is_announced(
    reviewer, own_year, tables
):
    url = f"{API}/years/{own_year}/kpis/2.2/scoring"
    body = {"thresholds": [50, 60, 70, 80, 90], "weight": 3, "confirmed": True}
    resp = reviewer.put(url, json=body)
    assert resp.status_code == 200, resp.text
    scoring = reviewer.get(url).json()
    assert (scoring["weight"], scoring["provisional"], scoring["aggregation"]) == (3, False, "sum")
    [event] = tables.events("catalogue.scoring.changed", year=own_year, kpi="2.2")
    assert event["actor"] == "reviewer"
    assert event["data"]["previous"]["thresholds"] == [60, 70, 80, 90, 100]
    assert event["data"]["thresholds"] == [50, 60, 70, 80, 90]


def test_scoring_is_copied_with_the_year(admin, own_year):
    admin.put(f"{API}/years/{own_year}/kpis/10.5/scoring", json={"direction": "down"})
    copied = copy_year(admin, own_year)["year"]
    assert admin.get(f"{API}/years/{copied}/kpis/10.5/scoring").json()["direction"] == "down"


def test_a_reporter_may_not_set_scoring_and_nothing_changes(as_user, tables):
    resp = as_user("reporter1").put(f"{API}/years/2547/kpis/2.2/scoring", json={"weight": 9})
    assert resp.status_code == 403
    assert tables.events("catalogue.scoring.changed", year=2547, kpi="2.2", weight=9) == []


def test_thresholds_must_rise(reviewer, own_year):
    url = f"{API}/years/{own_year}/kpis/2.2/scoring"
    resp = reviewer.put(url, json={"thresholds": [5, 4, 3, 2, 1]})
    assert resp.status_code == 422 and "thresholds" in resp.json()["errors"]
