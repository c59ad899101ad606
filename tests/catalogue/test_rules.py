"""Pure rules: fiscal-year dates, periods of each cycle, due dates, applicability, the tree."""

from datetime import date

import pytest

from common.fiscal import fiscal_year_dates
from services.catalogue import rules

R = rules.KpiFacts


@pytest.mark.parametrize(
    ("cycle", "periods"),
    [
        ("monthly", [f"M{i:02d}" for i in range(1, 13)]),
        ("quarterly", ["Q1", "Q2", "Q3", "Q4"]),
        ("half-yearly", ["H1", "H2"]),
        ("yearly", ["Y"]),
        ("on-results", ["Q1", "Q2", "Q3", "Q4"]),
        ("none", []),
    ],
)
def test_each_cycle_has_the_periods_of_the_contract(cycle, periods):
    assert [p.period for p in rules.periods_of(2547, cycle, 10)] == periods


def test_the_months_of_a_year_cover_it_without_gaps():
    periods = rules.periods_of(2550, "monthly", 0)
    starts, ends = fiscal_year_dates(2550)
    assert periods[0].starts_on == starts and periods[-1].ends_on == ends
    for earlier, later in zip(periods, periods[1:], strict=False):
        assert (later.starts_on - earlier.ends_on).days == 1


def test_a_report_is_due_the_given_days_after_its_period_ends():
    assert rules.period_of(2547, "monthly", "M01", 10).due_on == date(2003, 11, 10)


def test_a_yearly_report_is_due_after_the_year_ends():
    assert rules.period_of(2547, "yearly", "Y", 15).due_on == date(2004, 10, 15)


def test_a_kpi_override_of_due_days_wins_over_the_year():
    assert rules.effective_due_days(10, 30) == 30
    assert rules.effective_due_days(10, None) == 10


def test_a_period_outside_the_cycle_is_none():
    assert rules.period_of(2547, "monthly", "M13", 10) is None
    assert rules.period_of(2547, "yearly", "Q1", 10) is None


@pytest.mark.parametrize("days", [-1, 91])
def test_due_days_outside_0_to_90_are_refused(days):
    assert rules.due_days_problem(days)


# --- applicability ------------------------------------------------------------------------

ENTRY_REGIONS = R("15.1", "entry", "half-yearly", ("region",))
ENTRY_ALL = R("2.1", "entry", "monthly", ("bureau", "region", "province"))


def test_a_region_reports_a_region_only_kpi():
    assert rules.applicability(ENTRY_REGIONS, "region", "H1") == rules.Decision(True, None)


def test_a_province_does_not_report_a_region_only_kpi():
    decision = rules.applicability(ENTRY_REGIONS, "province", "H1")
    assert decision == rules.Decision(
        False, "KPI 15.1 is reported by regional offices only", rules.WHY_UNIT
    )


def test_a_fed_kpi_is_not_reported_by_anyone_and_names_its_source():
    fed = R("1.1", "feed", "monthly", ("region",), "monthly progress system")
    decision = rules.applicability(fed, "region", "M01")
    assert decision.reason == "KPI 1.1 is reported through the monthly progress system (feed)"
    assert not decision.reports


def test_a_survey_kpi_is_not_reported_by_units():
    survey = R("8.1", "survey", "yearly", ("department",), "OPDC's satisfaction survey")
    decision = rules.applicability(survey, "department", "Y")
    assert decision == rules.Decision(
        False, "KPI 8.1 is measured by OPDC's satisfaction survey (survey)", rules.WHY_IMPORTED
    )


def test_a_kpi_regions_need_not_report_is_not_reported_by_a_region():
    decision = rules.applicability(R("1.2", "none", "none", ("department",)), "region", None)
    assert decision == rules.Decision(
        False, "KPI 1.2 is reported by the department only", rules.WHY_UNIT
    )


def test_a_kpi_regions_need_not_report_is_typed_by_the_department_once_a_year():
    decision = rules.applicability(R("9.1", "none", "none", ("department",)), "department", "Y")
    assert decision == rules.Decision(True, None)


def test_a_kpi_naming_only_exempt_kinds_is_not_reported_in_rbm():
    decision = rules.applicability(R("6.1", "none", "none", ("region",)), "region", None)
    assert decision.reason == "KPI 6.1 is not reported in rbm (none)"


def test_a_period_not_of_the_cycle_is_named_in_the_reason():
    decision = rules.applicability(ENTRY_ALL, "region", "M13")
    assert decision == rules.Decision(
        False, "Period M13 is not a period of a monthly KPI", rules.WHY_PERIOD
    )


def test_without_a_period_applicability_is_about_the_year():
    assert rules.applicability(ENTRY_ALL, "province", None).reports


def test_several_kinds_are_named_in_order():
    decision = rules.applicability(ENTRY_ALL, "group", None)
    assert decision.reason == (
        "KPI 2.1 is reported by bureaus, regional offices and provincial offices only"
    )


# --- KPI definitions ----------------------------------------------------------------------


def test_kpis_sort_by_number_not_text():
    assert sorted(["10.1", "9.3", "1.2", "1.1"], key=rules.kpi_sort_key) == [
        "1.1",
        "1.2",
        "9.3",
        "10.1",
    ]


def test_a_kpi_without_reporting_must_have_no_cycle():
    assert "cycle" in rules.kpi_problems("none", "monthly", ["region"], None, [])
    assert "cycle" in rules.kpi_problems("entry", "none", ["region"], None, [])


def test_a_counting_rule_needs_an_entry_kpi_with_item_fields():
    assert "counting_rule" in rules.kpi_problems("template", "yearly", ["region"], "x", [])
    assert "item_fields" in rules.kpi_problems("entry", "yearly", ["region"], "x", [])


def test_a_consistent_kpi_has_no_problems():
    fields = [{"name": "activity"}, {"name": "date"}]
    assert (
        rules.kpi_problems("entry", "half-yearly", ["region"], "each_activity_once", fields) == {}
    )


# --- targets ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("measure", "target", "field"),
    [
        ("percent", 101, "target"),
        ("level", 0, "target"),
        ("level", 6, "target"),
        ("count", 2.5, "target"),
        ("count", -1, "target"),
        ("amount", -5, "target"),
    ],
)
def test_targets_outside_their_measure_are_refused(measure, target, field):
    assert field in rules.target_problems(measure, target, None)


def test_only_percentage_kpis_take_a_denominator():
    assert "denominator" in rules.target_problems("count", 3, 40)
    assert rules.target_problems("percent", 80, 40) == {}


def test_a_denominator_must_be_positive():
    assert "denominator" in rules.target_problems("percent", 80, 0)


# --- units --------------------------------------------------------------------------------


@pytest.mark.parametrize("code", ["PRD", "R1", "R1-01", "B01", "MSD"])
def test_unit_codes_of_the_scheme_are_accepted(code):
    assert rules.unit_code_problem(code) is None


@pytest.mark.parametrize("code", ["r1", "1R", "R1--01", "R 1", "R1-", "", "A" * 17])
def test_malformed_unit_codes_are_refused(code):
    assert rules.unit_code_problem(code)


@pytest.mark.parametrize(
    ("kind", "parent_kind", "ok"),
    [
        ("department", None, True),
        ("department", "department", False),
        ("region", "department", True),
        ("province", "region", True),
        ("province", "department", False),
        ("bureau", None, False),
        ("group", "bureau", True),
    ],
)
def test_each_kind_hangs_under_its_kind_of_parent(kind, parent_kind, ok):
    assert (rules.parent_problem(kind, parent_kind) is None) is ok


def test_moving_a_unit_under_its_own_descendant_is_a_cycle():
    parents = {"PRD": None, "R1": "PRD", "R1-01": "R1"}
    assert rules.makes_cycle("R1", "R1-01", parents.get)
    assert not rules.makes_cycle("R1-01", "R1", parents.get)


@pytest.mark.parametrize(
    ("current", "new", "ok"),
    [
        ("draft", "open", True),
        ("open", "closed", True),
        ("closed", "open", True),
        ("draft", "closed", False),
        ("open", "draft", False),
        ("open", "open", True),
    ],
)
def test_years_move_draft_open_closed(current, new, ok):
    assert (rules.year_transition_problem(current, new) is None) is ok
