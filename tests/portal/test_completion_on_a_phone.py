"""The completion chart on a phone: its two dozen stacked bars give way to a bar a KPI with its
figures in words, no text under 11 px; a desktop keeps the chart."""

from tests.portal.conftest import enter_as
from tests.portal.test_living_demo import CURRENT

SMALLEST_TEXT = """() => Math.min(...[...document.querySelectorAll("#completion-list li *")]
  .filter(e => e.checkVisibility() && e.textContent.trim())
  .map(e => parseFloat(getComputedStyle(e).fontSize)))"""


def test_a_phone_reads_completion_as_a_list_and_a_desktop_as_the_chart(demo, browser):
    context = browser.new_context(
        base_url=demo.url, locale="th-TH", viewport={"width": 390, "height": 844}
    )
    page = context.new_page()
    try:
        enter_as(page, "reviewer")
        page.goto(f"/dashboard?year={CURRENT}")
        assert not page.locator("#chart-completion").is_visible()
        items = page.locator("#completion-list li")
        assert items.count() == page.locator("#kpi-table tbody tr[data-kpi]").count() > 0
        first = items.first.inner_text()
        assert "อนุมัติแล้ว" in first and "จากที่ถึงกำหนด" in first
        assert page.evaluate(SMALLEST_TEXT) >= 11
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.set_viewport_size({"width": 1366, "height": 768})
        assert page.locator("#chart-completion").is_visible()
        assert not page.locator("#completion-list").is_visible()
    finally:
        context.close()
