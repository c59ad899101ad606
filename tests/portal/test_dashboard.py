"""The dashboard in Chromium: the scorecard with its charts, drilling down, and the exports."""

import io

from openpyxl import load_workbook

from tests.portal.conftest import YEAR, go, sign_in


def test_the_reviewer_sees_the_departments_scorecard_with_charts_and_drills_down(page):
    sign_in(page, "reviewer")
    go(page, "#nav-dashboard")
    assert "ผลการดำเนินงานเทียบเป้าหมาย" in page.locator("h1").inner_text()
    assert page.locator("#kpi-table tbody tr").count() == 24
    for chart in ("#chart-kpis", "#chart-units", "#chart-completion"):
        loaded = page.locator(chart).evaluate("img => img.complete && img.naturalWidth > 0")
        assert loaded is True, chart
    page.screenshot(path="/tmp/rbm-dashboard.png", full_page=True)
    go(page, "#units-below a:has-text('(R1)')")
    assert "(R1)" in page.locator("h1").inner_text()
    assert page.locator("nav[aria-label] a").first.inner_text()  # the way back up


def test_the_scorecard_and_progress_download_as_excel_and_csv_in_thai(page):
    sign_in(page, "reviewer")
    book = page.request.get(f"/exports/scorecard.xlsx?year={YEAR}&unit=R1")
    assert book.ok, book.text()
    rows = list(load_workbook(io.BytesIO(book.body())).active.values)
    assert rows[0][0].startswith("ผลการดำเนินงานเทียบเป้าหมาย") and "2547" in rows[0][0]
    assert rows[1][0].startswith("ข้อมูล ณ วันที่")
    assert rows[4][:3] == ("ตัวชี้วัด", "ชื่อตัวชี้วัด", "มิติ")
    text = page.request.get(f"/exports/progress.csv?year={YEAR}&unit=R1").body().decode("utf-8-sig")
    assert "กำหนดส่ง" in text and "2546" in text  # due dates in the Buddhist Era


def test_completion_and_score_over_the_year_by_month_thai_first_then_english(page):
    """Fiscal 2547 is over: its twelve months, October 2546 first, in the chart and in the
    table beside it; in English once chosen."""
    sign_in(page, "reviewer")
    page.goto(f"/dashboard?year={YEAR}&unit=R1")
    chart = page.locator("#chart-history")
    assert chart.evaluate("img => img.complete && img.naturalWidth > 0") is True
    assert chart.get_attribute("alt") == "ความครบถ้วนของรายงานและคะแนนตลอดปี"
    months = page.locator("#history-table tbody tr td:first-child").all_inner_texts()
    assert months[0] == "ต.ค. 2546" and months[-1] == "ก.ย. 2547" and len(months) == 12
    svg = page.request.get(chart.get_attribute("src")).text()
    assert "ต.ค. 2546" in svg and "ความครบถ้วน (ร้อยละ)" in svg and "คะแนนรวม (1-5)" in svg
    go(page, "header >> text=English")
    page.goto(f"/dashboard?year={YEAR}&unit=R1")
    months = page.locator("#history-table tbody tr td:first-child").all_inner_texts()
    assert (months[0], months[-1]) == ("Oct 2003", "Sep 2004")
    svg = page.request.get(page.locator("#chart-history").get_attribute("src")).text()
    assert "Oct 2003" in svg and "Completion (per cent)" in svg
