"""No table of the portal scrolls in a box of its own at 1366 px (a phone turns them into
cards): so the pages' script marks none to be reached by keyboard."""

from pathlib import Path

from tests.portal.conftest import enter_as
from tests.portal.test_living_demo import CURRENT

SCRIPT = Path(__file__).parents[2] / "services/portal/static/portal.js"
WIDER_THAN_THEIR_BOX = """() => [...document.querySelectorAll("main table")]
  .filter(t => t.scrollWidth > t.clientWidth + 1).map(t => t.id || t.className)"""


def test_no_table_scrolls_in_its_own_box_on_a_desktop(demo, page):
    page.set_viewport_size({"width": 1366, "height": 768})
    enter_as(page, "reviewer")
    for path in (
        f"/progress?year={CURRENT}&unit=R1",
        f"/review?year={CURRENT}&state=",
        f"/dashboard?year={CURRENT}",
        f"/audit/search?year={CURRENT}&unit=R1",
    ):
        page.goto(path)
        assert page.evaluate(WIDER_THAN_THEIR_BOX) == [], path
    assert "tabIndex" not in SCRIPT.read_text(encoding="utf-8")
