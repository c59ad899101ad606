"""The import page: a reviewer checks an import file, sees the dry run, confirms; no one else."""

import pytest

from tests.portal.conftest import WORKFLOW, YEAR, enter_as, go, sign_in
from tests.workflow.test_imports import new_unit


@pytest.fixture
def unit(live) -> str:
    return new_unit(live)


def test_a_reviewer_checks_a_file_then_confirms_it(page, unit, live, tmp_path):
    feed = tmp_path / "progress.csv"
    feed.write_text(f"unit,period,targets,targets_met\n{unit},M02,4,3\n")
    sign_in(page, "reviewer")
    go(page, "#nav-imports")
    page.fill("#year", str(YEAR))
    page.select_option("#kpi", "1.1")
    page.set_input_files("#file", str(feed))
    go(page, "#import-check button[type=submit]")
    assert page.inner_text("#import-rows tbody td:last-child").strip() in ("create", "สร้าง")
    page.set_input_files("#confirm-file", str(feed))
    go(page, "#import-confirm button[type=submit]")
    reports = live.session("reviewer").get(
        f"{WORKFLOW}/reports", params={"year": YEAR, "unit": unit, "kpi": "1.1"}
    )
    assert [(r["state"], r["value"]) for r in reports.json()] == [("approved", 75.0)]


def test_a_bad_row_is_shown_with_its_line_and_nothing_is_imported(page, unit, tmp_path):
    feed = tmp_path / "progress.csv"
    feed.write_text(f"unit,period,targets,targets_met\n{unit},M13,4,3\n")
    enter_as(page, "reviewer")
    page.goto("/imports")
    page.select_option("#kpi", "1.1")
    page.set_input_files("#file", str(feed))
    go(page, "#import-check button[type=submit]")
    assert "M13" in page.inner_text("#import-errors")


def test_a_reporter_may_not_open_the_import_page(page):
    sign_in(page, "reporter1")
    assert page.goto("/imports").status == 403
    assert page.locator("#nav-imports").count() == 0


def test_the_import_page_gives_each_feed_period_its_due_date(page):
    enter_as(page, "reviewer")
    page.goto(f"/imports?year={YEAR}")
    rows = page.locator("#import-due-dates tbody tr")
    # 1.1, 3.1 and 5.1 monthly, 8.1 once a year
    assert rows.count() == 12 * 3 + 1
    first = [cell.strip() for cell in rows.first.locator("td").all_inner_texts()]
    assert first[0] == "1.1" and first[2] == "10 พ.ย. 2546"
