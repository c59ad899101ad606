"""A phone is a first-class screen: at 390 × 844 every main page of every role fits the width
without hiding anything (tables become cards, each cell named by its column), its menu folds
behind one button, its touch targets are at least 44 px high and its charts' text at least
11 px; at 1366 px the menu is one row. Each page is photographed at both widths into
test-artifacts/screenshots/."""

from __future__ import annotations

import pytest

from tests.portal.conftest import enter_as
from tests.portal.test_every_page import SHOTS, USERS, pages_of

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 768}

# Cells with text that lie outside the screen's width or are not shown at all, and cells of a
# table with column names that do not carry their column's name.
CELLS_OUT_OF_SIGHT = """() => {
  const width = window.innerWidth, found = [];
  for (const cell of document.querySelectorAll("main td, main tbody th")) {
    if (!cell.textContent.trim() || cell.closest("details:not([open]), [hidden]")) continue;
    const box = cell.getBoundingClientRect();
    if (!cell.checkVisibility() || box.left < -0.5 || box.right > width + 0.5) {
      found.push(cell.textContent.trim().slice(0, 40));
    }
  }
  return found;
}"""
CELLS_WITHOUT_NAME = """() => [...document.querySelectorAll("main table")]
  .filter(table => [...table.querySelectorAll("thead th")].some(th => th.textContent.trim()))
  .flatMap(table => [...table.querySelectorAll("tbody td:not([data-label])")])
  .filter(cell => cell.textContent.trim())
  .map(cell => cell.textContent.trim().slice(0, 40))"""
# Buttons, fields and links a thumb must hit, shown and lower than 44 px.
SMALL_TARGETS = """() => [...document.querySelectorAll(
    "main button, main select, main td a, main .primary, main .secondary,"
    + " main input:not([type=hidden]):not([type=checkbox]):not([type=radio]),"
    + " header a, header button, header label")]
  .filter(e => e.checkVisibility() && !e.closest("details:not([open])"))
  .filter(e => e.getBoundingClientRect().height < 43.5)
  .map(e => e.outerHTML.slice(0, 80))"""
# The smallest text a chart shows, in CSS pixels: its font size scaled as its SVG is.
SMALLEST_CHART_TEXT = """() => {
  const svg = document.querySelector("svg");
  const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
  const sizes = [...svg.querySelectorAll("text")]
    .filter(t => t.textContent.trim() && t.getBoundingClientRect().width > 0)
    .map(t => parseFloat(getComputedStyle(t).fontSize) * scale);
  return Math.min(...sizes);
}"""
MENU_ROWS = """() => new Set([...document.querySelectorAll("header nav a")]
  .map(e => Math.round(e.getBoundingClientRect().top))).size"""


def phone_problems(page) -> dict[str, object]:
    problems: dict[str, object] = {}
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    if overflow > 0:
        problems["scrolls sideways"] = overflow
    for name, script in (
        ("cells out of sight", CELLS_OUT_OF_SIGHT),
        ("cells without their column's name", CELLS_WITHOUT_NAME),
        ("targets under 44 px", SMALL_TARGETS),
    ):
        if found := page.evaluate(script):
            problems[name] = found
    for frame in page.frames[1:]:
        if "/charts/" not in frame.url:
            continue
        if not frame.locator("svg").count():
            problems[f"chart {frame.url.split('?')[0]}"] = "not shown"
        elif (smallest := frame.evaluate(SMALLEST_CHART_TEXT)) < 11:
            problems[f"chart {frame.url.split('?')[0]} text"] = round(smallest, 1)
    return problems


def menu_opens(page) -> bool:
    """The folded menu's button shows the menu's links, and hides them again."""
    first = page.locator(".menu a").first
    if first.is_visible():
        return False
    page.click(".menu-button")
    shown = first.is_visible()
    page.click(".menu-button")
    return shown and not first.is_visible()


@pytest.mark.parametrize("username", USERS, ids=[u or "anonymous" for u in USERS])
def test_every_main_page_fits_a_phone_and_keeps_its_menu_on_one_desktop_row(
    demo, browser, username
):
    SHOTS.mkdir(parents=True, exist_ok=True)
    problems: dict[str, object] = {}
    context = browser.new_context(base_url=demo.url, locale="th-TH", viewport=DESKTOP)
    page = context.new_page()
    if username:
        enter_as(page, username)
    for name, path in pages_of(demo)[username].items():
        key = f"{username or 'anonymous'}-{name}"
        page.set_viewport_size(DESKTOP)
        page.goto(path)
        page.screenshot(path=str(SHOTS / f"{key}-1366.png"), full_page=True)
        if (rows := page.evaluate(MENU_ROWS)) > 1:
            problems[f"{key} 1366 menu rows"] = rows
        page.set_viewport_size(PHONE)
        page.reload()
        page.screenshot(path=str(SHOTS / f"{key}-390.png"), full_page=True)
        problems.update({f"{key} {what}": found for what, found in phone_problems(page).items()})
        if not menu_opens(page):
            problems[f"{key} menu"] = "does not fold behind its button"
    context.close()
    assert problems == {}
