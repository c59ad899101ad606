"""The home page is each role's day of work: what was returned to the reporter (with why)
first, then what is due; what waits for the head's endorsement; the reviewer's queue. Each
count is the length of the list it leads to (HTTP only, no browser)."""

import re
from html import unescape

from tests.conftest import DEMO_PASSWORD
from tests.portal.conftest import YEAR, act, api_of, create_report

WHY = "ขาดเลขที่คำสั่งแต่งตั้งคณะทำงาน"


def portal_of(live, username: str, password: str = DEMO_PASSWORD):
    """A portal session (cookie) of that user, signed in through the form."""
    web = live.session()
    csrf = re.search(r'name="csrf" value="([^"]+)"', web.get("/login").text).group(1)
    signed = web.post(
        "/login",
        data={"csrf": csrf, "username": username, "password": password},
        allow_redirects=False,
    )
    assert signed.status_code in (302, 303), signed.text
    return web


def part(html: str, heading: str) -> str:
    """The page from the heading with that id up to the next heading."""
    start = html.index(f'id="{heading}"')
    end = html.find("<h2", start)
    return html[start : end if end > 0 else len(html)]


def count_of(html: str, heading: str) -> int:
    return int(re.search(rf'data-count="(\d+)" id="{heading}"', html).group(1))


def endorsed_report(live, team, period: str) -> dict:
    """A report of the team's unit, submitted by its reporter and endorsed by its head."""
    reporter = api_of(live, team.reporter, team.password)
    report = act(reporter, create_report(reporter, team.unit, "2.1", period), "submit")
    return act(api_of(live, team.head, team.password), report, "endorse")


def test_a_reporters_home_lists_a_returned_report_first_with_the_reason(live, team):
    reporter = api_of(live, team.reporter, team.password)
    report = act(reporter, create_report(reporter, team.unit, "2.1", "M01"), "submit")
    act(api_of(live, team.head, team.password), report, "return", WHY)

    home = portal_of(live, team.reporter, team.password).get(f"/?year={YEAR}").text

    returned = part(home, "returned")
    assert home.index('id="returned"') < home.index('id="due"')
    assert f'data-report="{report["id"]}"' in returned and WHY in returned
    assert 'data-kpi="2.1" data-period="M01"' not in part(home, "due")


def test_a_heads_home_counts_exactly_the_reports_it_lists_for_endorsement(live, team):
    reporter = api_of(live, team.reporter, team.password)
    for period in ("M02", "M03"):
        act(reporter, create_report(reporter, team.unit, "2.1", period), "submit")

    home = portal_of(live, team.head, team.password).get("/").text

    listed = part(home, "to-endorse").count('name="report"')
    assert count_of(home, "to-endorse") == listed == 2


def test_a_heads_home_leaves_out_a_report_the_head_wrote_and_so_may_not_endorse(live, team):
    head = api_of(live, team.head, team.password)
    reporter = api_of(live, team.reporter, team.password)
    written = act(reporter, create_report(head, team.unit, "2.1", "M06"), "submit")
    other = act(reporter, create_report(reporter, team.unit, "2.1", "M07"), "submit")

    waiting = part(portal_of(live, team.head, team.password).get("/").text, "to-endorse")

    assert other["id"] in waiting and written["id"] not in waiting


def test_a_reviewers_home_counts_exactly_the_rows_of_the_queue_it_leads_to(live, team):
    endorsed_report(live, team, "M04")
    web = portal_of(live, "reviewer")

    home = web.get(f"/?year={YEAR}").text
    queue = web.get(f"/review?year={YEAR}").text

    assert count_of(home, "to-approve") == queue.count("<tr data-report=") > 0


def test_the_awaiting_approval_figure_leads_to_a_queue_of_as_many_reports(demo, live):
    web = portal_of(live, "reviewer")
    home = web.get("/").text
    figure = re.search(r'data-figure="pending" href="([^"]+)">[^<]*<strong>(\d+)</strong>', home)

    queue = web.get(unescape(figure.group(1))).text

    assert queue.count("<tr data-report=") == int(figure.group(2)) > 0
