"""Default scoring of the seeded KPIs and the checks on scoring data."""

import pytest

from services.catalogue.scoring import default_scoring, scoring_problems


@pytest.mark.parametrize(
    "kpi, aggregation, rollup",
    [
        (("2.2", "count", "entry", "agency_once_per_month"), "sum", "sum"),
        (("4.1", "level", "template", None), "latest", "mean"),
        (("10.1", "percent", "entry", "person_course_once_per_year"), "sum", "ratio"),
        (("15.2", "percent", "entry", "person_once_per_activity"), "distinct", "ratio"),
        (("1.1", "percent", "feed", None), "latest", "mean"),
        # Source figures end to end: 3.1's months add up, 5.1's plan is the year so far.
        (("3.1", "percent", "feed", None), "ratio", "ratio"),
        (("5.1", "percent", "feed", None), "latest", "ratio"),
    ],
)
def test_each_kpi_adds_up_as_fits_it(kpi, aggregation, rollup):
    scoring = default_scoring(*kpi)
    assert (scoring["aggregation"], scoring["rollup"]) == (aggregation, rollup)
    assert scoring["confirmed"] is False


def test_wrongdoing_is_better_when_lower_and_levels_score_on_the_level():
    assert default_scoring("10.3", "count", "none", None)["direction"] == "down"
    level = default_scoring("7.1", "level", "template", None)
    assert (level["thresholds"], level["thresholds_on"]) == ([1, 2, 3, 4, 5], "level")


def test_a_kpi_regional_offices_do_not_report_still_weighs_in_the_departments_score():
    assert default_scoring("9.1", "percent", "none", None)["weight"] == 1.0


def test_the_target_scores_3_by_default_as_opdc_usually_sets_it():
    count = default_scoring("2.2", "count", "entry", "agency_once_per_month")
    assert count["thresholds"][2] == 100  # achievement: 100 % of the target
    assert default_scoring("7.1", "level", "template", None)["thresholds"][2] == 3


def test_the_forms_milestones_and_4_1_steps_are_seeded_for_the_level_kpis_only():
    assert len(default_scoring("7.1", "level", "template", None)["milestones"]) == 5
    assert default_scoring("7.1", "level", "template", None)["level_steps"] is None
    steps = default_scoring("4.1", "level", "template", None)
    assert (steps["level_steps"], steps["milestones"]) == ([10, 20, 30, 40, 50], None)
    count = default_scoring("2.2", "count", "entry", "agency_once_per_month")
    assert (count["milestones"], count["level_steps"]) == (None, None)


FIVE = ["a", "b", "c", "d", "e"]


@pytest.mark.parametrize(
    "body, kpi, field",
    [
        ({"thresholds": [1, 2, 3, 4]}, ("2.2", "count"), "thresholds"),
        ({"thresholds": [1, 2, 2, 4, 5]}, ("2.2", "count"), "thresholds"),
        ({"thresholds": [5, 4, 3, 2, 1]}, ("2.2", "count"), "thresholds"),
        ({"weight": -1}, ("2.2", "count"), "weight"),
        ({"weight": 101}, ("2.2", "count"), "weight"),
        ({"level_steps": [10, 30, 20, 40, 50]}, ("4.1", "level"), "level_steps"),
        ({"milestones": FIVE}, ("2.2", "count"), "milestones"),
        ({"milestones": FIVE}, ("4.1", "level"), "milestones"),
        ({"level_steps": [1, 2, 3, 4, 5]}, ("7.1", "level"), "level_steps"),
    ],
)
def test_bad_scoring_data_names_the_field(body, kpi, field):
    assert field in scoring_problems(body, *kpi)


def test_good_scoring_data_has_no_problem():
    assert scoring_problems({"thresholds": [50, 60, 70, 80, 90], "weight": 3}, "2.2", "count") == {}
    assert scoring_problems({"milestones": FIVE}, "9.3", "level") == {}
    assert scoring_problems({"level_steps": [5, 10, 15, 20, 25]}, "4.1", "level") == {}
