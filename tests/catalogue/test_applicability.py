"""Applicability: whether a unit reports a KPI in a period, and why not (workflow relies on it)."""

import pytest

from services.catalogue import rules, seed_2547
from tests.catalogue.conftest import API

SEED_FACTS = [
    rules.KpiFacts(k["code"], k["method"], k["cycle"], tuple(k["applies_to"]), k["source_en"])
    for k in seed_2547.KPIS
]
SEED_TABLE = {
    (r["kpi"], r["unit_type"]): (r["method"], r["cycle"])
    for r in rules.applicability_table(SEED_FACTS)
}


def ask(http, unit, kpi, period=None, year=2547):
    params = {"unit": unit, "kpi": kpi, **({"period": period} if period else {})}
    return http.get(f"{API}/years/{year}/applicability", params=params)


def test_a_region_reports_an_activity_kpi_in_a_half_year(as_user):
    body = ask(as_user("reporter1"), "R1", "15.1", "H1").json()
    assert (body["reports"], body["reason"]) == (True, None)
    assert body["period"] == {
        "period": "H1",
        "starts_on": "2003-10-01",
        "ends_on": "2004-03-31",
        "due_on": "2004-04-10",
    }


def test_a_fed_kpi_says_where_it_comes_from(as_user):
    body = ask(as_user("reporter1"), "R1", "1.1", "M01").json()
    assert body["reports"] is False
    assert body["reason"] == "KPI 1.1 is reported through the monthly progress system (feed)"


def test_a_province_does_not_report_a_region_only_kpi(as_user):
    body = ask(as_user("reporter1"), "R1-01", "15.1", "H1").json()
    assert (body["reports"], body["reason"]) == (
        False,
        "KPI 15.1 is reported by regional offices only",
    )


def test_a_period_outside_the_cycle_is_a_no_with_a_reason(as_user):
    body = ask(as_user("reporter1"), "R1", "2.1", "M13").json()
    assert (body["reports"], body["period"]) == (False, None)
    assert body["reason"] == "Period M13 is not a period of a monthly KPI"


def test_a_yearly_kpi_has_no_quarters(as_user):
    body = ask(as_user("reporter1"), "R1", "10.5", "Q1").json()
    assert body["reason"] == "Period Q1 is not a period of a yearly KPI"


EXEMPTED = ["1.2", "6.1", "9.1", "9.2", "10.3", "10.4", "11.1", "12.1", "14.1"]


@pytest.mark.parametrize("code", EXEMPTED)
def test_kpis_regions_need_not_report_are_not_reported_by_regions(as_user, code):
    body = ask(as_user("reporter1"), "R1", code).json()
    assert (body["reports"], body["reason"], body["why"]) == (
        False,
        f"KPI {code} is reported by the department only",
        "unit",
    )


def test_the_department_types_its_headcount_reduction_once_a_year(as_user):
    body = ask(as_user("reviewer"), "PRD", "9.1", "Y").json()
    assert (body["reports"], body["reporting"]) == (
        True,
        {"kpi": "9.1", "unit_type": "department", "method": "entry", "cycle": "yearly"},
    )
    assert body["period"]["due_on"] == "2004-10-10"


# --- the table: hand-checked rows of DOMAIN.md's KPI table (2547) ---------------------------


@pytest.mark.parametrize(
    ("kpi", "unit_type", "method", "cycle"),
    [
        # feeds: never typed, imported for the units that have them and for the department
        ("1.1", "region", "import", "monthly"),
        ("1.1", "province", "import", "monthly"),
        ("1.1", "department", "import", "monthly"),
        ("3.1", "bureau", "import", "monthly"),
        ("5.1", "region", "import", "monthly"),
        ("1.1", "group", "none", "none"),
        # OPDC's survey of the department
        ("8.1", "department", "import", "yearly"),
        ("8.1", "region", "none", "none"),
        # typed lists and forms on their seed cycle
        ("2.1", "region", "entry", "monthly"),
        ("2.2", "bureau", "entry", "monthly"),
        ("4.1", "province", "template", "on-results"),
        ("7.1", "region", "template", "yearly"),
        ("10.1", "region", "entry", "quarterly"),
        ("10.2", "province", "entry", "half-yearly"),
        ("15.1", "region", "entry", "half-yearly"),
        ("15.2", "province", "none", "none"),
        # the department's own results roll up from its units for the typed ones
        ("2.1", "department", "none", "none"),
        # exempt for regional/provincial offices only: the department types them, yearly
        ("1.2", "department", "entry", "yearly"),
        ("9.2", "region", "none", "none"),
        ("14.1", "province", "none", "none"),
    ],
)
def test_the_table_row_follows_the_seed(kpi, unit_type, method, cycle):
    assert SEED_TABLE[(kpi, unit_type)] == (method, cycle)


@pytest.mark.parametrize("code", EXEMPTED)
def test_the_department_types_every_kpi_regions_need_not_report(code):
    assert SEED_TABLE[(code, "department")] == ("entry", "yearly")


def test_the_table_has_a_row_for_every_kpi_and_unit_type():
    assert len(SEED_TABLE) == len(seed_2547.KPIS) * len(rules.UNIT_KINDS) == 24 * 5


def test_no_unit_types_an_imported_kpi():
    typed = {k for (k, _), (m, _) in SEED_TABLE.items() if m in ("entry", "template")}
    assert not typed & {"1.1", "3.1", "5.1", "8.1"}


def test_the_table_is_served_without_a_unit_or_kpi(as_user):
    rows = as_user("reporter1").get(f"{API}/years/2547/applicability").json()
    assert {"kpi": "9.1", "unit_type": "department", "method": "entry", "cycle": "yearly"} in rows
    assert {(r["kpi"], r["unit_type"]): (r["method"], r["cycle"]) for r in rows} == SEED_TABLE


def test_the_openapi_says_the_table_and_the_single_answer(as_user):
    spec = as_user("reporter1").get(f"{API}/openapi.json").json()
    ok = spec["paths"]["/years/{year}/applicability"]["get"]["responses"]["200"]
    shapes = ok["content"]["application/json"]["schema"]["oneOf"]
    assert shapes[1]["items"] == {"$ref": "#/components/schemas/ApplicabilityRow"}
    row = spec["components"]["schemas"]["ApplicabilityRow"]["properties"]
    assert row["method"]["enum"] == ["entry", "template", "import", "none"]


def test_satisfaction_is_measured_by_the_survey(as_user):
    body = ask(as_user("reporter1"), "PRD", "8.1", "Y").json()
    assert body["reason"] == "KPI 8.1 is measured by OPDC's satisfaction survey (survey)"


def test_an_on_results_kpi_is_optional_in_its_quarter(as_user):
    body = ask(as_user("reporter1"), "R1", "9.3", "Q3").json()
    assert (body["reports"], body["optional"], body["period"]["period"]) == (True, True, "Q3")


def test_the_service_improvement_plan_is_due_once_a_year_and_can_be_late(as_user):
    body = ask(as_user("reporter1"), "R1", "7.1", "Y").json()
    assert (body["reports"], body["optional"], body["period"]["period"]) == (True, False, "Y")
    assert body["period"]["due_on"] == "2004-10-10"
    assert ask(as_user("reporter1"), "R1", "7.1", "Q3").json()["reports"] is False


def test_the_answer_names_the_year_status(as_user):
    assert ask(as_user("reporter1"), "R1", "2.1", "M02").json()["year_status"] == "open"


@pytest.mark.parametrize(
    ("unit", "kpi", "year"),
    [("NOPE", "2.1", 2547), ("R1", "99.9", 2547), ("R1", "2.1", 2504)],
)
def test_unknown_year_kpi_or_unit_is_404(as_user, unit, kpi, year):
    resp = ask(as_user("reporter1"), unit, kpi, "M01", year)
    assert resp.status_code == 404 and resp.headers["Content-Type"] == "application/problem+json"


def test_a_unit_without_a_kpi_is_refused_naming_the_kpi(as_user):
    resp = as_user("reporter1").get(f"{API}/years/2547/applicability", params={"unit": "R1"})
    assert resp.status_code == 422 and "kpi" in resp.json()["errors"]


def test_a_kpi_changed_in_a_copied_year_changes_its_applicability(admin, own_year):
    admin.patch(f"{API}/years/{own_year}/kpis/15.1", json={"applies_to": ["region", "province"]})
    assert ask(admin, "R1-01", "15.1", "H2", own_year).json()["reports"] is True
    assert ask(admin, "R1-01", "15.1", "H2").json()["reports"] is False
