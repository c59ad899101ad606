"""A real headless Chromium (Debian's) driven by Playwright."""

import pytest
from playwright.sync_api import sync_playwright

from tests.conftest import login

CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live):
    context = browser.new_context(base_url=live.url, locale="th-TH")
    page = context.new_page()
    yield page
    context.close()


def go(page, selector: str) -> None:
    """Click what leads to another page, and wait until that page has loaded."""
    with page.expect_navigation():
        page.click(selector)


def sign_in(page, username: str, password: str = "demo-password") -> None:
    page.goto("/login")
    page.fill("#username", username)
    page.fill("#password", password)
    go(page, "button[type=submit]")


YEAR = 2547
WORKFLOW = "/api/workflow"


@pytest.fixture
def team(make_team):
    """A provincial office of this test alone, with its reporter and unit head."""
    return make_team()


def api_of(live, username: str, password: str):
    """An HTTP session of that user against the APIs (for arranging a test's data)."""
    return login(live, username, password)


def create_report(session, unit: str, kpi: str, period: str, **data) -> dict:
    resp = session.post(
        f"{WORKFLOW}/reports",
        json={"year": YEAR, "unit": unit, "kpi": kpi, "period": period, **data},
    )
    assert resp.status_code == 201, resp.text
    return resp.json()


def act(session, report: dict, action: str, comment: str = "") -> dict:
    resp = session.post(
        f"{WORKFLOW}/reports/{report['id']}/transitions",
        json={"action": action, "comment": comment},
    )
    assert resp.status_code == 200, resp.text
    return resp.json()


def agencies(*names_and_days: tuple[str, str]) -> list[dict]:
    """2.2 items: (agency, ISO date)."""
    return [{"agency": name, "date": day} for name, day in names_and_days]
