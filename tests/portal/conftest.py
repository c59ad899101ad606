"""Portal test helpers: a page of the session's Chromium on the live system, signing in, teams."""

import re
import time

import pytest

from tests.conftest import DEMO_PASSWORD, login


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


def sign_in(page, username: str, password: str = DEMO_PASSWORD) -> None:
    """Through the sign-in form, ending on the home page: for tests of signing in or of home."""
    page.goto("/login")
    page.fill("#username", username)
    page.fill("#password", password)
    go(page, "button[type=submit]")


def fill_date(page, name: str, iso: str) -> None:
    """Type an ISO date into a form's date fields: day, month and Buddhist Era year."""
    year, month, day = (int(part) for part in iso.split("-"))
    page.fill(f"[name='{name}-day']", str(day))
    page.select_option(f"[name='{name}-month']", str(month))
    page.fill(f"[name='{name}-year']", str(year + 543))


# Portal session cookies by (username, password) with when they were made, for the one live
# system of a test run: each user signs in once; the cookie serves while its token is young.
_SIGNED_IN: dict[tuple[str, str], tuple[float | None, list]] = {}
REUSE_SECONDS = 1200


def enter_as(page, username: str, password: str = DEMO_PASSWORD) -> None:
    """Signed in as `username` without the form, on no page yet (the login is not under test):
    the session cookie of this user's earlier sign-in, or one posted to /login now."""
    key = (username, password)
    made, cookies = _SIGNED_IN.get(key, (None, []))
    if made is None or time.monotonic() - made > REUSE_SECONDS:
        form = page.context.request.get("/login").text()
        csrf = re.search(r'name="csrf" value="([^"]+)"', form)
        assert csrf, "the sign-in page has no CSRF token"
        sent = page.context.request.post(
            "/login",
            form={"csrf": csrf.group(1), "username": username, "password": password},
            max_redirects=0,
        )
        assert sent.status in (302, 303), f"{username} was not signed in: {sent.status}"
        cookies = page.context.cookies()
        _SIGNED_IN[key] = (time.monotonic(), cookies)
    page.context.add_cookies(cookies)


# A word of English: Latin letters, not part of a code, a username or a file's name.
ENGLISH_WORD = re.compile(r"(?<![\w.\-/@])[A-Za-z][a-z]{2,}(?![\w.\-/@])")
# The language switch names its language; the system's name is written in Latin letters.
NOT_ENGLISH_TEXT = {"English", "rbm"}


def english_words(page, codes: frozenset[str] = frozenset()) -> list[str]:
    """The English words of a Thai page's content, outside codes (usernames, column names...)
    and file names."""
    found = set(ENGLISH_WORD.findall(page.inner_text("main")))
    return sorted(found - NOT_ENGLISH_TEXT - codes)


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
