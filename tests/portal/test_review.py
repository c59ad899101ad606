"""The reviewer's queue: filters, due-date order, evidence shown in the page, bulk approval."""

import logging
import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

from tests.portal.conftest import WORKFLOW, YEAR, act, api_of, create_report, enter_as, go
from tests.portal.test_home import endorsed_report, portal_of
from tests.portal.test_living_demo import CURRENT


def test_the_queue_filters_by_region_and_kpi_and_lists_soonest_due_first(demo, page):
    enter_as(page, "reviewer")
    page.goto(f"/review?year={CURRENT}&state=")
    dues = page.locator("#queue tbody tr td:nth-child(5)").all_inner_texts()
    assert len(dues) >= 5
    picked = page.locator("#unit option[value='R2*']").inner_text()
    assert "สำนักประชาสัมพันธ์เขต 2 (R2)" in picked  # the Thai name, its code beside
    page.select_option("#unit", "R2*")
    go(page, "#filters button")
    listed = set(page.locator("#queue tbody tr").evaluate_all("r => r.map(x => x.dataset.unit)"))
    assert "R2" in listed and all(u == "R2" or u.startswith("R2-") for u in listed)  # provinces
    page.select_option("#kpi", "2.1")
    page.select_option("#state", "submitted")
    go(page, "#filters button")
    assert page.locator('#queue tbody tr[data-unit="R2"]').count() == 1


def test_the_pdf_is_shown_in_the_page_beside_the_values_read_from_the_form(demo, page):
    enter_as(page, "reviewer")
    page.goto(f"/review?year={CURRENT}&kpi=4.1")
    go(page, "#queue tbody tr >> text=เปิด")
    frame = page.locator("#evidence-view iframe.pdf")
    shown = page.request.get(frame.get_attribute("src"))
    assert shown.headers["content-type"] == "application/pdf"
    assert shown.headers["content-disposition"].startswith("inline")
    # this site's own page may frame it; no other may
    assert "frame-ancestors 'self'" in shown.headers["content-security-policy"]
    assert page.locator("#form-level").inner_text() == "3"


def test_bulk_approval_says_each_reports_result(demo, page):
    enter_as(page, "reviewer")
    page.goto(f"/review?year={CURRENT}&unit=R1*&kpi=4.1")
    page.check("#queue tbody input[type=checkbox]")
    go(page, "#approve-ticked")
    assert "4.1 " in page.locator("[role=status]").inner_text()
    assert "(R1)" in page.locator("[role=status]").inner_text()
    assert page.locator("#queue").count() == 0


def test_the_queue_shows_each_reports_due_date_and_late_mark(page, live, team):
    reporter = api_of(live, team.reporter, team.password)
    late = create_report(reporter, team.unit, "2.1", "M01")
    act(reporter, late, "submit")
    body = {"year": CURRENT, "unit": team.unit, "kpi": "2.1", "period": "M12"}
    on_time = act(reporter, reporter.post(f"{WORKFLOW}/reports", json=body).json(), "submit")
    enter_as(page, "reviewer")

    page.goto(f"/review?year=2547&unit={team.unit}&state=")
    due = page.locator(f"#queue tr[data-report='{late['id']}'] td:nth-child(5)").inner_text()
    assert "10 พ.ย. 2546" in due and "เลยกำหนด" in due
    page.goto(f"/review?year={CURRENT}&unit={team.unit}&state=")
    due = page.locator(f"#queue tr[data-report='{on_time['id']}'] td:nth-child(5)").inner_text()
    assert f"ต.ค. {CURRENT}" in due and "เลยกำหนด" not in due


def test_no_page_of_a_reviewer_asks_the_workflow_for_the_whole_matrix(demo, page, caplog):
    """The queue's due dates come with its reports, the home page's figures from the
    scorecard's roll-up: the workflow's progress is asked for one unit at a time only."""
    enter_as(page, "reviewer")
    with caplog.at_level(logging.INFO, logger="werkzeug"):
        for path in ("/", f"/review?year={CURRENT}&state=", f"/progress?year={CURRENT}"):
            page.goto(path)
    asked = re.findall(r"GET (/api/workflow/progress\?\S*)", caplog.text)
    assert asked and all("unit=" in query for query in asked)


def test_after_approving_from_a_filtered_queue_the_same_filters_are_applied(live, team):
    report = endorsed_report(live, team, "M05")
    web = portal_of(live, "reviewer")
    shown = web.get(f"/review?year={YEAR}&unit={team.unit}&kpi=2.1").text
    form = re.search(r'<form method="post" action="([^"]+)" id="queue">', shown).group(1)
    csrf = re.search(r'name="csrf" value="([^"]+)"', shown).group(1)

    sent = web.post(
        unescape(form),
        data={"csrf": csrf, "report": f"{report['id']}:{report['version']}"},
        allow_redirects=False,
    )

    kept = parse_qs(urlsplit(sent.headers["Location"]).query)
    assert kept == {"year": [str(YEAR)], "unit": [team.unit], "kpi": ["2.1"], "state": ["endorsed"]}


def test_a_report_opened_from_the_queue_leads_back_to_it_after_an_action(live, page, team):
    """Approved from its own page, the report leads back to the queue it was opened from: the
    same filters and year, at its place in the list."""
    first, second = endorsed_report(live, team, "M06"), endorsed_report(live, team, "M07")
    enter_as(page, "reviewer")
    queue = f"/review?year={YEAR}&unit={team.unit}&kpi=2.1"
    page.goto(queue)
    rows = page.locator("#queue tbody tr").evaluate_all("r => r.map(x => x.dataset.report)")
    assert rows.index(first["id"]) < rows.index(second["id"])
    go(page, f"#report-{second['id']} a")
    go(page, "#actions button[value=approve]")
    where = urlsplit(page.url)
    assert where.path == "/review" and where.fragment == f"report-{first['id']}"
    assert parse_qs(where.query) == {
        "year": [str(YEAR)],
        "unit": [team.unit],
        "kpi": ["2.1"],
        "state": ["endorsed"],
    }
    assert "อนุมัติ" in page.locator("[role=status]").inner_text()
    assert page.locator(f"#report-{second['id']}").count() == 0
    assert page.locator(f"#report-{first['id']}").count() == 1
