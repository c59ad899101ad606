"""The dashboard's way back up the tree: the units above the shown one, department first,
asked of the catalogue as those units alone."""

from tests.portal.conftest import YEAR, enter_as


def test_a_provinces_dashboard_leads_back_to_its_region_and_the_department(page):
    enter_as(page, "reviewer")
    page.goto(f"/dashboard?year={YEAR}&unit=R1-01")
    way_up = page.locator("h1 + nav a").evaluate_all(
        "links => links.map(a => new URL(a.href).searchParams.get('unit'))"
    )
    assert way_up == ["PRD", "R1"]
