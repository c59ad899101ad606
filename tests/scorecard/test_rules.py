"""The scorecard's pure rules, with cases worked out by hand."""

from datetime import date

import pytest

from services.scorecard.rules import (
    Share,
    Tally,
    Value,
    achievement,
    basis,
    counted_score,
    derived_thresholds,
    missing_units,
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


def test_15_2_over_the_year_is_capped_at_100_per_cent_of_staff_and_says_so():
    # 30 people in each half, all different, of 40 staff: 60 / 40 = 150 %, capped at 100 %.
    h1 = tuple(f"h1-{n}" for n in range(30))
    h2 = tuple(f"h2-{n}" for n in range(30))
    halves = [Value("H1", 75, 30, 40, h1), Value("H2", 75, 30, 40, h2)]
    share = unit_share("distinct", "percent", halves)
    assert share == Share(100.0, 40, 40, capped=1)
    tally = Tally().plus(share)
    said = basis("ratio", "percent", tally, rolled_up("ratio", tally))
    assert said["capped"] == 1
    assert said["text"] == (
        "Σ 1 unit 40 / 40 = 100 %, 1 unit capped at 100 % (more people than staff)"
    )


def test_10_1_over_the_year_is_capped_at_100_per_cent_of_staff():
    # Quarterly, each person once a year: 30 in Q1 and 30 others in Q2 of 40 staff.
    quarters = [Value("Q1", 75, 30, 40, ("ก",)), Value("Q2", 75, 30, 40, ("ข",))]
    assert unit_share("sum", "percent", quarters) == Share(100.0, 40, 40, capped=1)
    # Under the headcount nothing is capped: 10 + 20 of 40 = 75 %.
    quarters = [Value("Q1", 25, 10, 40, ("ก",)), Value("Q2", 50, 20, 40, ("ข",))]
    assert unit_share("sum", "percent", quarters) == Share(75.0, 30, 40)


def test_a_capped_unit_adds_its_headcount_to_a_parents_share_of_staff():
    # R1 counted 60 of 40 staff (capped: 40 / 40), R2 20 of 60: Σ 60 / 100 = 60 %.
    tally = Tally().plus(Share(100.0, 40, 40, capped=1)).plus(Share(33.3333, 20, 60))
    assert (rolled_up("ratio", tally), tally.capped) == (60.0, 1)


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


# --- what is missing counts; roll-ups by each KPI's rule; every figure explains itself -------


def test_silence_scores_the_lowest():
    # 2.2 scores 4.0 and the due 7.1 has no approved value: it comes in at 1.0, not left out.
    assert counted_score(None, missing=True) == 1.0
    assert weighted([(4.0, 1), (counted_score(None, True), 1)]) == (2.5, 2)
    # The year may set another score for what is missing.
    assert counted_score(None, True, missing_counts_as=0.0) == 0.0


def test_a_region_filing_level_1_is_never_outranked_by_one_filing_nothing():
    """Both score 2.2 at 4.0; one files the mandatory 7.1 at level 1 (score 1.0), the other
    nothing. Before, the silent one scored 4.0 (7.1 left out) against 2.5."""
    thresholds = [1, 2, 3, 4, 5]
    filed = weighted([(4.0, 1), (counted_score(score(1, thresholds), False), 1)])[0]
    silent = weighted([(4.0, 1), (counted_score(None, True), 1)])[0]
    assert filed >= silent == 2.5
    # A level 2 outranks silence outright.
    assert weighted([(4.0, 1), (score(2, thresholds), 1)])[0] > silent


def test_a_level_is_the_mean_over_the_units_that_must_report():
    """One province of three files 4.1 at level 5: the region's level is (5 + 1 + 1) / 3 =
    2.3333, not 5 (the two silent ones count at the lowest, 1.0)."""
    tally = Tally().plus(Share(5.0))
    missing = missing_units(due_units=3, reported=tally.units)
    assert missing == 2
    assert rolled_up("mean", tally, missing) == 2.3333
    # No unit must report yet (a level "when there are results"): the mean of those that did.
    assert rolled_up("mean", tally, missing_units(0, 1)) == 5.0
    # Nobody reported: no value (the KPI is missing, not level 1).
    assert rolled_up("mean", Tally(), 3) is None


def test_a_ratio_rolls_up_as_summed_numerators_over_summed_denominators():
    """3.1 from the example expenditure file, budget - spent over budget, all twelve months:
    R1 85,583.29 / 1,299,999.96 = 6.5833 % (its last month alone: 4.0 %); R2 94,500.04 /
    1,400,000.04 = 6.75 %; both 180,083.33 / 2,700,000 = 6.6698 %, not the mean 6.6667 %."""
    r1 = Share(6.5833, 85583.29, 1299999.96)
    r2 = Share(6.75, 94500.04, 1400000.04)
    assert rolled_up("ratio", Tally().plus(r1)) == 6.5833
    assert rolled_up("ratio", Tally().plus(r1).plus(r2)) == 6.6698


def test_3_1_for_the_year_sums_its_months_saved_and_budget():
    months = [Value("M01", 8.0, 8666.66, 108333.33), Value("M12", 4.0, 4333.33, 108333.33)]
    assert unit_share("ratio", "percent", months) == Share(6.0, 12999.99, 216666.66)


def test_a_ratios_basis_says_its_sums_units_and_the_missing():
    tally = Tally(numerator=340, denominator=400, units=12)
    assert basis("ratio", "percent", tally, 85.0, missing=2) == {
        "formula": "ratio",
        "numerator": 340,
        "denominator": 400,
        "units": 12,
        "missing": 2,
        "capped": 0,
        "keys": 0,
        "text": "Σ 12 units 340 / 400 = 85 %, 2 units missing",
    }


def test_a_levels_basis_counts_the_missing_in_its_mean():
    said = basis("mean", "level", Tally().plus(Share(5.0)), 2.3333, missing=2)
    assert said["text"] == "mean of 3 units: (5 + 2 × 1) / 3 = 2.33, 2 units missing"
    assert (said["numerator"], said["denominator"]) == (7, 3)


def test_a_sums_basis_and_no_value():
    assert basis("sum", "count", Tally(total=7, units=2), 7)["text"] == "Σ 2 units = 7"
    nothing = basis("sum", "count", Tally(), None, missing=1)
    assert nothing["text"] == "no approved value, 1 unit missing"
    assert nothing["numerator"] is None


def test_a_sums_basis_says_how_many_keys_it_counted_once_across_units():
    # Two provinces served the same agency in October: Σ 2 units = 1.
    said = basis("sum", "count", Tally(total=1, units=2), 1, keys=1)
    assert said["text"] == "Σ 2 units = 1 (1 key counted once across them)"
    assert said["keys"] == 1


def test_without_thresholds_the_target_scores_3():
    assert score(100, derived_thresholds("count", 10)) == 3.0
    assert score(80, derived_thresholds("percent", 10)) == 1.0
    assert score(120, derived_thresholds("percent", 10)) == 5.0
    # A level target of 4: level 4 scores 3, level 5 scores 4.
    assert score(5, derived_thresholds("level", 4)) == 4.0
    assert score(3, derived_thresholds("level", None)) == 3.0
