"""People by their display names, whatever the role of who reads the page."""

from tests.conftest import person_name
from tests.portal.conftest import act, api_of, create_report, enter_as


def test_a_reporter_reads_the_heads_display_name_in_a_reports_history(live, page, team):
    reporter = api_of(live, team.reporter, team.password)
    report = create_report(reporter, team.unit, "2.1", "M03")
    act(reporter, report, "submit")
    act(api_of(live, team.head, team.password), report, "return", "แนบคำสั่งแต่งตั้งให้ครบ")
    enter_as(page, team.reporter, team.password)
    page.goto(f"/reports/{report['id']}")
    history = page.locator("#history").inner_text()
    assert person_name("unit_head", team.unit) in history
    assert team.head not in history
    assert person_name("unit_head", team.unit) in page.locator("#sent-back").inner_text()
