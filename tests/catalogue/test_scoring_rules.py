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
        (("5.1", "percent", "feed", None), "latest", "mean"),
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


@pytest.mark.parametrize(
    "body, field",
    [
        ({"thresholds": [1, 2, 3, 4]}, "thresholds"),
        ({"thresholds": [1, 2, 2, 4, 5]}, "thresholds"),
        ({"thresholds": [5, 4, 3, 2, 1]}, "thresholds"),
        ({"weight": -1}, "weight"),
        ({"weight": 101}, "weight"),
    ],
)
def test_bad_scoring_data_names_the_field(body, field):
    assert field in scoring_problems(body)


def test_good_scoring_data_has_no_problem():
    assert scoring_problems({"thresholds": [50, 60, 70, 80, 90], "weight": 3}) == {}
