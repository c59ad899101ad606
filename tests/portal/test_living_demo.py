"""The first look is a living system: the current fiscal year with demo reports in every state."""

from datetime import date

import pytest

from common.fiscal import fiscal_year_of
from deploy import demo_activity
from tests.portal.conftest import sign_in

CURRENT = fiscal_year_of(date.today())


def test_the_current_fiscal_year_is_open_beside_2547(demo):
    years = {y["year"]: y for y in demo.session("admin").get("/api/catalogue/years").json()}
    assert years[CURRENT]["status"] == years[2547]["status"] == "open"
    assert years[CURRENT]["copied_from"] == 2547


def test_demo_reports_of_the_current_year_are_in_every_state(demo):
    reports = demo.session("reviewer").get(
        "/api/workflow/reports", params={"year": CURRENT, "limit": 1000}
    )
    states = {r["state"] for r in reports.json()}
    assert states >= {"draft", "submitted", "endorsed", "returned", "approved"}


def test_a_second_run_writes_nothing(demo):
    assert demo_activity.seed(demo.url) == 0


def test_the_reporters_home_shows_the_current_year_and_the_report_sent_back(demo, page):
    sign_in(page, "reporter1")
    assert f"{CURRENT}" in page.locator("main p.muted").first.inner_text()
    assert page.locator("#returned-table tr[data-kpi='2.2'][data-period=M02]").count() == 1


@pytest.mark.parametrize(
    ("username", "queue"), [("head1", "#to-endorse"), ("reviewer", "#to-approve")]
)
def test_the_head_and_reviewer_find_demo_work_on_their_home(demo, page, username, queue):
    sign_in(page, username)
    assert "(0)" not in page.locator(queue).inner_text()
