"""The scorecard's pure rules, with cases worked out by hand."""

from datetime import date

import pytest

from services.scorecard.rules import (
    Share,
    Tally,
    Value,
    achievement,
    rolled_up,
    score,
    status,
    unit_share,
    weighted,
)

THRESHOLDS = [60, 70, 80, 90, 100]


@pytest.mark.parametrize(
    "measured, expected",
    [(50, 1.0), (60, 1.0), (65, 1.5), (70, 2.0), (85, 3.5), (100, 5.0), (130, 5.0)],
)
def test_the_score_is_linear_between_the_thresholds(measured, expected):
    assert score(measured, THRESHOLDS) == expected


def test_no_thresholds_no_score():
    assert score(80, None) is None and score(None, THRESHOLDS) is None


def test_achievement_for_higher_and_lower_is_better():
    assert achievement("up", 7, 10) == 70
    assert achievement("down", 4, 2) == 50
    assert achievement("up", 7, None) is None


def test_a_sum_adds_the_periods_and_latest_takes_the_last():
    values = [Value("M02", 2), Value("M01", 3), Value("M03", None)]
    assert unit_share("sum", "count", values).actual == 5
    assert unit_share("latest", "level", [Value("Q3", 2), Value("Q1", 4)]).actual == 2


def test_distinct_people_over_the_year_count_once():
    halves = [
        Value("H1", 50, 2, 4, ("ก", "ข")),
        Value("H2", 50, 2, 4, ("ข", "ค")),
    ]
    # 3 different people of 4 staff: 75 %, not 100 %.
    assert unit_share("distinct", "percent", halves) == Share(75.0, 3, 4)


def test_a_ratio_sums_numerators_and_denominators():
    assert unit_share("ratio", "percent", [Value("H1", 10, 1, 10), Value("H2", 30, 3, 10)]) == (
        Share(20.0, 4, 20)
    )


def test_roll_ups():
    tally = Tally().plus(Share(50.0, 2, 4)).plus(Share(100.0, 6, 6)).plus(Share(None))
    assert (tally.units, rolled_up("sum", tally), rolled_up("mean", tally)) == (2, 150, 75)
    # 8 people of 10 staff below: 80 %, not the mean 75 %.
    assert rolled_up("ratio", tally) == 80


@pytest.mark.parametrize(
    "achieved, aggregation, as_of, expected",
    [
        (None, "sum", date(2004, 1, 31), "no_data"),
        (100, "sum", date(2004, 1, 31), "met"),
        (40, "sum", date(2004, 1, 31), "on_track"),  # a third of the year gone
        (20, "sum", date(2004, 1, 31), "at_risk"),
        (90, "latest", date(2004, 1, 31), "at_risk"),  # a level must reach the target
        (90, "sum", date(2004, 9, 30), "not_met"),
    ],
)
def test_status_takes_the_elapsed_part_of_the_year(achieved, aggregation, as_of, expected):
    assert status(achieved, aggregation, 2547, as_of) == expected


def test_weighted_scores_leave_out_kpis_without_a_score():
    assert weighted([(5.0, 1), (2.0, 2), (None, 3), (4.0, 0)]) == (3.0, 3)
