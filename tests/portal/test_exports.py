"""The downloads as spreadsheets people work in: a named sheet, a frozen header, fitted columns."""

import io

from openpyxl import load_workbook

from services.portal.exports import MAX_WIDTH, MIN_WIDTH, STATE_TH, _shown_width
from tests.portal.conftest import YEAR, act, api_of, create_report, enter_as


def test_a_thai_words_marks_above_and_below_its_letters_take_no_width():
    assert _shown_width("ชื่อตัวชี้วัด") == 7  # ช อ ต ว ช ว ด; ื ่ ั ี ้ ั sit on them
    assert (_shown_width("R1-01"), _shown_width(None), _shown_width(2.5)) == (5, 0, 3)


def _sheet(page, href: str):
    resp = page.request.get(href)
    assert resp.ok, resp.text()
    return load_workbook(io.BytesIO(resp.body())).active


def test_the_scorecard_sheet_is_named_in_thai_with_its_header_frozen_and_columns_fitted(page):
    enter_as(page, "reviewer")
    sheet = _sheet(page, f"/exports/scorecard.xlsx?year={YEAR}&unit=R1")
    assert sheet.title == "ผลการดำเนินงาน"
    assert sheet.cell(5, 1).value == "ตัวชี้วัด"
    assert sheet.freeze_panes == "A6"  # the four title lines and the header stay in view
    widths = [sheet.column_dimensions[c].width for c in "ABCDEFGHIJKLM"]
    assert all(MIN_WIDTH <= w <= MAX_WIDTH for w in widths)
    assert widths[1] > widths[0]  # a KPI's name is wider than its code


def test_the_progress_page_downloads_the_cells_it_shows_as_a_sheet(live, page, team):
    reporter = api_of(live, team.reporter, team.password)
    act(reporter, create_report(reporter, team.unit, "2.1", "M02"), "submit")
    enter_as(page, team.reporter, team.password)
    page.goto(f"/progress?year={YEAR}&unit={team.unit}&kpi=2.1")
    shown = page.locator("#matrix td[data-period]").evaluate_all(
        "cs => cs.map(c => [c.closest('tr').dataset.kpi, c.dataset.state])"
    )
    sheet = _sheet(page, page.get_attribute("#progress-xlsx", "href"))
    assert sheet.title == "ความก้าวหน้า"
    assert sheet.freeze_panes == "A3"
    assert sheet.cell(2, 1).value == "หน่วยงาน"
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    assert [[r[2], r[5]] for r in rows] == [[kpi, STATE_TH[state]] for kpi, state in shown]
    assert STATE_TH["submitted"] in [r[5] for r in rows]
    assert {r[0] for r in rows} == {team.unit}
    assert sheet.column_dimensions["D"].width > sheet.column_dimensions["C"].width
