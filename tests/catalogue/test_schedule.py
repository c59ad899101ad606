"""The schedule: each KPI's periods and due dates, and the periods each unit actually reports."""

from tests.catalogue.conftest import API


def test_a_monthly_kpi_has_twelve_periods_from_october(as_user):
    periods = as_user("reporter1").get(f"{API}/years/2547/kpis/2.1/periods").json()
    assert [p["period"] for p in periods] == [f"M{i:02d}" for i in range(1, 13)]
    assert periods[0] == {
        "period": "M01",
        "starts_on": "2003-10-01",
        "ends_on": "2003-10-31",
        "due_on": "2003-11-10",
    }


def test_an_on_results_kpi_has_the_four_quarters(as_user):
    periods = as_user("reporter1").get(f"{API}/years/2547/kpis/4.1/periods").json()
    assert [(p["period"], p["ends_on"]) for p in periods] == [
        ("Q1", "2003-12-31"),
        ("Q2", "2004-03-31"),
        ("Q3", "2004-06-30"),
        ("Q4", "2004-09-30"),
    ]


def test_a_kpi_regions_need_not_report_has_the_departments_year(as_user):
    periods = as_user("reporter1").get(f"{API}/years/2547/kpis/9.1/periods").json()
    assert [(p["period"], p["due_on"]) for p in periods] == [("Y", "2004-10-10")]


def test_a_kpi_due_day_override_moves_its_due_dates(admin, own_year):
    admin.patch(f"{API}/years/{own_year}/kpis/10.2", json={"due_days": 30})
    h1 = admin.get(f"{API}/years/{own_year}/kpis/10.2/periods").json()[0]
    start_ce = own_year - 544
    assert (h1["ends_on"], h1["due_on"]) == (f"{start_ce + 1}-03-31", f"{start_ce + 1}-04-30")


def test_periods_of_an_unknown_kpi_are_404(as_user):
    assert as_user("reporter1").get(f"{API}/years/2547/kpis/0.0/periods").status_code == 404


def test_a_region_is_due_only_for_its_entry_and_template_kpis(as_user):
    rows = as_user("reporter1").get(f"{API}/years/2547/schedule", params={"unit": "R1"}).json()
    assert not any(r["imported"] for r in rows)
    assert {r["kpi"] for r in rows} == {
        "2.1",
        "2.2",
        "4.1",
        "7.1",
        "9.3",
        "10.1",
        "10.2",
        "10.5",
        "13.1",
        "15.1",
        "15.2",
    }


def test_a_regions_feeds_are_slots_of_the_import_with_its_due_dates(as_user):
    rows = as_user("reviewer").get(
        f"{API}/years/2547/schedule", params={"unit": "R1", "via": "imported"}
    )
    assert {r["kpi"] for r in rows.json()} == {"1.1", "3.1", "5.1"}
    assert all(r["imported"] for r in rows.json())
    october = [r for r in rows.json() if (r["kpi"], r["period"]) == ("3.1", "M01")]
    assert [r["due_on"] for r in october] == ["2003-11-10"]


def test_the_department_is_due_for_the_kpis_regions_need_not_report(as_user):
    rows = as_user("reviewer").get(f"{API}/years/2547/schedule", params={"unit": "PRD"}).json()
    assert {(r["kpi"], r["period"]) for r in rows} == {
        (code, "Y") for code in ("1.2", "6.1", "9.1", "9.2", "10.3", "10.4", "11.1", "12.1", "14.1")
    }


def test_imports_may_bring_the_departments_own_rows(as_user):
    rows = as_user("reviewer").get(
        f"{API}/years/2547/schedule", params={"unit": "PRD", "via": "imported"}
    )
    assert {r["kpi"] for r in rows.json()} == {"1.1", "3.1", "5.1", "8.1"}


def test_a_province_does_not_report_the_region_only_kpis(admin, own_province):
    rows = admin.get(f"{API}/years/2547/schedule", params={"unit": own_province}).json()
    assert rows and not {"15.1", "15.2"} & {r["kpi"] for r in rows}


def test_on_results_rows_are_optional(as_user):
    rows = as_user("reporter1").get(
        f"{API}/years/2547/schedule", params={"unit": "R1", "kpi": "9.3", "period": "Q2"}
    )
    assert rows.json() == [
        {
            "unit": "R1",
            "kpi": "9.3",
            "period": "Q2",
            "starts_on": "2004-01-01",
            "ends_on": "2004-03-31",
            "due_on": "2004-04-10",
            "optional": True,
            "imported": False,
        }
    ]


def test_without_a_unit_the_schedule_covers_every_reporting_unit(as_user):
    rows = as_user("reviewer").get(
        f"{API}/years/2547/schedule", params={"kpi": "15.1", "period": "H1"}
    )
    units = {r["unit"] for r in rows.json()}
    assert {f"R{n}" for n in range(1, 9)} <= units
    assert "R1-01" not in units and "PRD" not in units


def test_the_schedule_of_an_unknown_unit_is_404(as_user):
    assert (
        as_user("reviewer").get(f"{API}/years/2547/schedule", params={"unit": "NOPE"}).status_code
        == 404
    )


def test_the_years_schedule_gives_each_unit_the_rows_of_its_own(admin, own_province):
    whole = admin.get(f"{API}/years/2547/schedule").json()
    assert [r["unit"] for r in whole] == sorted(r["unit"] for r in whole)
    for unit in ("PRD", "R1", "R2", own_province):
        own = admin.get(f"{API}/years/2547/schedule", params={"unit": unit}).json()
        assert own and [r for r in whole if r["unit"] == unit] == own
