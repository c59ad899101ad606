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
    assert event["data"]["previous"]["thresholds"] == [80, 90, 100, 110, 120]
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


def test_the_level_kpis_forms_criteria_are_seeded_provisional(as_user):
    reporter = as_user("reporter1")
    milestones = reporter.get(f"{API}/years/2547/kpis/7.1/scoring").json()
    steps = reporter.get(f"{API}/years/2547/kpis/4.1/scoring").json()
    assert len(milestones["milestones"]) == 5 and milestones["milestones"][0].startswith("วิเคราะห์")
    assert (steps["level_steps"], steps["milestones"]) == ([10, 20, 30, 40, 50], None)
    assert milestones["provisional"] and steps["provisional"]


def test_the_management_group_rewrites_a_milestone_and_the_change_is_recorded_and_announced(
    reviewer, own_year, tables
):
    url = f"{API}/years/{own_year}/kpis/7.1/scoring"
    seeded = reviewer.get(url).json()["milestones"]
    rewritten = [*seeded[:2], "ดำเนินการตามแผนได้ไม่น้อยกว่าร้อยละ 60 ของกิจกรรมในแผน", *seeded[3:]]
    resp = reviewer.put(url, json={"milestones": rewritten})
    assert resp.status_code == 200, resp.text
    stored = reviewer.get(url).json()
    assert (stored["milestones"], stored["updated_by"], stored["provisional"]) == (
        rewritten,
        "reviewer",
        True,
    )
    [event] = tables.events("catalogue.scoring.changed", year=own_year, kpi="7.1")
    assert event["actor"] == "reviewer"
    assert (event["data"]["previous"]["milestones"], event["data"]["milestones"]) == (
        seeded,
        rewritten,
    )


def test_the_4_1_steps_are_set_and_announced(admin, own_year, tables):
    url = f"{API}/years/{own_year}/kpis/4.1/scoring"
    resp = admin.put(url, json={"level_steps": [5, 10, 20, 30, 40], "confirmed": True})
    assert resp.status_code == 200, resp.text
    assert (resp.json()["level_steps"], resp.json()["provisional"]) == ([5, 10, 20, 30, 40], False)
    [event] = tables.events("catalogue.scoring.changed", year=own_year, kpi="4.1")
    assert event["data"]["previous"]["level_steps"] == [10, 20, 30, 40, 50]
    assert event["data"]["level_steps"] == [5, 10, 20, 30, 40]


def test_a_kpi_told_otherwise_refuses_milestones_or_steps_naming_the_field(reviewer, own_year):
    five = ["ก", "ข", "ค", "ง", "จ"]
    for kpi, body, field in (
        ("2.2", {"milestones": five}, "milestones"),
        ("4.1", {"milestones": five}, "milestones"),
        ("9.3", {"level_steps": [1, 2, 3, 4, 5]}, "level_steps"),
        ("7.1", {"milestones": five[:4]}, "milestones"),
        ("7.1", {"milestones": [*five[:4], " "]}, "milestones"),
    ):
        resp = reviewer.put(f"{API}/years/{own_year}/kpis/{kpi}/scoring", json=body)
        assert resp.status_code == 422 and field in resp.json()["errors"], (kpi, resp.text)


def test_a_year_sets_what_a_missing_kpi_scores_and_it_is_announced(reviewer, own_year, tables):
    url = f"{API}/years/{own_year}"
    assert reviewer.get(url).json()["missing_counts_as"] == 1.0  # the lowest score
    resp = reviewer.patch(url, json={"missing_counts_as": 0.5})
    assert resp.status_code == 200, resp.text
    assert reviewer.get(url).json()["missing_counts_as"] == 0.5
    [event] = tables.events("catalogue.year.changed", year=own_year, missing_counts_as=0.5)
    assert event["actor"] == "reviewer"


def test_what_a_missing_kpi_scores_is_a_score_from_0_to_5_and_nothing_else(
    reviewer, own_year, tables
):
    resp = reviewer.patch(f"{API}/years/{own_year}", json={"missing_counts_as": 7})
    assert resp.status_code == 422 and "missing_counts_as" in resp.json()["errors"]
    assert reviewer.get(f"{API}/years/{own_year}").json()["missing_counts_as"] == 1.0
    assert tables.events("catalogue.year.changed", year=own_year) == []
