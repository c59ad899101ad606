"""The home page and the progress page: what is due, what is late, the matrix and its roll-ups."""

from services.portal.labels import percent
from tests.portal.conftest import act, agencies, api_of, create_report, enter_as
from tests.waiting import settled


def test_home_lists_the_units_unsubmitted_periods_with_thai_due_dates_and_late_flags(
    page, live, team
):
    reporter = api_of(live, team.reporter, team.password)
    report = create_report(
        reporter, team.unit, "2.2", "M01", items=agencies(("อสมท", "2003-10-09"))
    )
    act(reporter, report, "submit")
    enter_as(page, team.reporter, team.password)
    page.goto("/?year=2547")

    due = page.locator("#due-table")
    first_21 = due.locator("tr[data-kpi='2.1'][data-period=M01]")
    assert "10 พ.ย. 2546" in first_21.inner_text()
    assert "เลยกำหนด" in first_21.inner_text()
    assert due.locator("tr[data-kpi='2.2'][data-period=M01]").count() == 0


def test_a_regional_reporters_home_lists_no_imported_kpi_as_due(page):
    enter_as(page, "reporter1")
    page.goto("/?year=2547")
    listed = page.locator("#due-table tbody tr")
    kpis = {row.get_attribute("data-kpi") for row in listed.all()}
    assert kpis and not kpis & {"1.1", "3.1", "5.1", "8.1"}


def test_home_shows_a_reviewer_the_departments_reports_due_approved_pending_and_overdue(
    page, live, team
):
    reviewer, reporter = live.session("reviewer"), api_of(live, team.reporter, team.password)

    def rollup() -> dict:
        return reviewer.get("/api/scorecard/2547", params={"unit": "PRD"}).json()

    before = settled(rollup)["reports"]
    act(reporter, create_report(reporter, team.unit, "2.1", "M01"), "submit")
    card = settled(rollup, until=lambda now: now["reports"]["pending"] == before["pending"] + 1)
    figures = card["reports"]
    enter_as(page, "reviewer")
    page.goto("/?year=2547")

    cards = page.locator("#year-so-far")
    shown = {
        card.get_attribute("data-figure"): card.inner_text().split()
        for card in cards.locator(".card").all()
    }
    due, approved, pending = figures["due"], figures["approved"], figures["pending"]
    # Due and not submitted (2547 is long over), KPI by KPI: a report on results is not due.
    overdue = sum(
        max(k["reports"]["due"] - k["reports"]["approved"] - k["reports"]["pending"], 0)
        for k in card["kpis"]
    )
    assert overdue > 0
    assert shown["due"][-1] == str(due)
    assert shown["approved"][-2:] == [percent(approved / due), str(approved)]
    assert shown["pending"][-1] == str(pending)
    assert shown["overdue"][-2:] == [percent(overdue / due), str(overdue)]
    assert "เลยกำหนดแล้วแต่ยังไม่ส่ง" in cards.inner_text()


def test_the_progress_matrix_shows_each_periods_state_late_flag_and_roll_up(page, live, team):
    reporter = api_of(live, team.reporter, team.password)
    report = create_report(
        reporter, team.unit, "2.1", "M02", items=[{"order_no": "7/2546", "committee": "คณะทำงาน"}]
    )
    act(reporter, report, "submit")
    enter_as(page, team.reporter, team.password)
    page.goto("/progress?year=2547")

    line = page.locator(f"#matrix tr[data-unit='{team.unit}'][data-kpi='2.1']")
    submitted = line.locator("td[data-period=M02]")
    assert submitted.get_attribute("data-state") == "submitted"
    assert "late-cell" in submitted.get_attribute("class")
    assert line.locator("td[data-period=M03]").get_attribute("data-state") == "missing"
    assert "1 (" in page.locator("#by-unit tbody tr").inner_text()


def test_a_reporter_sees_the_progress_of_their_own_unit_only(page, team):
    enter_as(page, team.reporter, team.password)
    page.goto("/progress?year=2547")

    units = page.locator("#matrix tr[data-unit]").evaluate_all(
        "rows => [...new Set(rows.map(r => r.dataset.unit))]"
    )
    assert units == [team.unit]


def test_the_progress_of_a_parent_lists_its_units_completion_and_drills_down(page):
    """The department's regions, one row each from the scorecard's roll-up; a region's
    provinces next; never the whole unit x KPI x period matrix of the units below."""
    enter_as(page, "reviewer")
    page.goto("/progress?year=2547")
    regions = page.locator("#units-below tbody tr")
    assert regions.count() >= 8  # the eight regions, and the groups reporting to PRD
    assert "หน่วยงานในสังกัด" in page.locator("h2").first.inner_text()
    regions.locator("a:has-text('(R1)')").click()
    assert page.locator("#unit option:checked").get_attribute("value") == "R1"
    provinces = page.locator("#units-below tbody tr").evaluate_all(
        "rows => rows.map(r => r.dataset.unit)"
    )
    assert provinces and all(code != "R1" for code in provinces)
    assert page.locator("#matrix tr[data-unit]").evaluate_all(
        "rows => [...new Set(rows.map(r => r.dataset.unit))]"
    ) in ([], ["R1"])
