"""The probe of the trust issue replayed from outside against `make run` itself (SQLite, the
filesystem broker, the demo users), one test per finding: each was confirmed on the running
embedded system before it was closed. The same findings are tested on PostgreSQL in tests/trust."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import pytest
import requests

from common.fiscal import today
from deploy.seaweedfs import free_port
from tests.embedded.test_make_run import MakeRun
from tests.trust.test_uploads import HOSTILE_OFFICE, HOSTILE_PDFS
from tests.waiting import until_passes

# Starts a whole system of its own (make run, or an embedded one).
pytestmark = pytest.mark.system

CSRF = re.compile(r'name="csrf" value="([^"]+)"')
WORKFLOW = "/api/workflow"


@pytest.fixture(scope="module")
def system(tmp_path_factory):
    repo = Path(__file__).resolve().parents[2]
    run = MakeRun(repo, tmp_path_factory.mktemp("probe") / "var", free_port())
    run.wait_ready()
    yield run
    if run.proc.poll() is None:
        run.interrupt()


class Person:
    """A demo user (or one the admin made) calling the APIs with a token of their own."""

    def __init__(self, system: MakeRun, username: str, password: str = "demo-password"):
        self.url = system.url
        self.http = requests.Session()
        token = self.http.post(
            f"{self.url}/api/identity/token",
            json={"username": username, "password": password},
            timeout=30,
        )
        assert token.status_code == 200, token.text
        self.http.headers["Authorization"] = f"Bearer {token.json()['access_token']}"

    def call(self, method: str, path: str, **kwargs) -> requests.Response:
        return self.http.request(method, f"{self.url}{path}", timeout=30, **kwargs)


def delegation(to: str) -> dict:
    first = today()
    return {"delegate": to, "starts_on": str(first), "ends_on": str(first + timedelta(days=7))}


def draft(reporter: Person, kpi: str, period: str) -> str:
    body = {"year": 2547, "kpi": kpi, "unit": "R1", "period": period}
    resp = reporter.call("POST", f"{WORKFLOW}/reports", json=body)
    assert resp.status_code == 201, resp.text
    return resp.json()["id"]


def act(person: Person, report_id: str, action: str) -> requests.Response:
    path = f"{WORKFLOW}/reports/{report_id}/transitions"
    return person.call("POST", path, json={"action": action})


@pytest.mark.slow
def test_2_a_stand_in_does_not_endorse_what_they_submitted(system):
    head, reporter = Person(system, "head1"), Person(system, "reporter1")
    given = head.call("POST", f"{WORKFLOW}/delegations", json=delegation("reporter1"))
    assert given.status_code == 201, given.text
    report = draft(reporter, "2.1", "M01")
    assert act(reporter, report, "submit").status_code == 200
    refused = act(reporter, report, "endorse")
    assert refused.status_code == 403 and "submitted this report" in refused.json()["detail"]


@pytest.mark.slow
def test_3_a_delegation_ends_with_the_delegators_role(system):
    admin, head = Person(system, "admin"), Person(system, "head1")
    writer = {
        "username": "reporter9",
        "display_name": "ผู้รายงานทดสอบ",
        "password": "a-long-password-9",
    }
    made = admin.call(
        "POST",
        "/api/identity/users",
        json={**writer, "memberships": [{"unit": "R1", "role": "reporter"}]},
    )
    assert made.status_code == 201, made.text
    other = Person(system, "reporter9", writer["password"])
    report = draft(other, "2.1", "M02")
    assert act(other, report, "submit").status_code == 200
    given = head.call("POST", f"{WORKFLOW}/delegations", json=delegation("reporter1"))
    assert given.status_code == 201, given.text
    removed = admin.call("PUT", "/api/identity/users/head1/memberships", json={"memberships": []})
    assert removed.status_code == 200
    # The workflow asks identity about the delegator when the stand-in acts.
    answer = act(Person(system, "reporter1"), report, "endorse")
    assert answer.status_code in (403, 404), answer.text
    assert (
        Person(system, "reviewer").call("GET", f"{WORKFLOW}/reports/{report}").json()["state"]
        == "submitted"
    )


@pytest.mark.slow
def test_4_a_disabled_users_token_is_refused_within_five_seconds(system):
    admin, auditor = Person(system, "admin"), Person(system, "auditor")
    assert auditor.call("GET", f"{WORKFLOW}/reports").status_code == 200
    assert admin.call("PATCH", "/api/identity/users/auditor", json={"active": False}).ok

    def refused() -> None:
        assert auditor.call("GET", f"{WORKFLOW}/reports").status_code == 401

    until_passes(refused, timeout=5)


@pytest.mark.slow
def test_4_signing_out_of_the_portal_ends_a_copied_session_cookie(system):
    browser = requests.Session()
    form = browser.get(f"{system.url}/login", timeout=30).text
    body = {"csrf": CSRF.search(form)[1], "username": "reviewer", "password": "demo-password"}
    assert browser.post(f"{system.url}/login", data=body, timeout=30).ok
    copy = requests.Session()
    copy.cookies.update(browser.cookies)
    assert copy.get(f"{system.url}/", allow_redirects=False, timeout=30).status_code == 200
    page = browser.get(f"{system.url}/", timeout=30).text
    browser.post(f"{system.url}/logout", data={"csrf": CSRF.search(page)[1]}, timeout=30)
    assert copy.get(f"{system.url}/", allow_redirects=False, timeout=30).status_code == 302


@pytest.mark.slow
def test_5_next_never_leads_to_another_site(system):
    browser = requests.Session()
    form = browser.get(f"{system.url}/login", timeout=30).text
    body = {"csrf": CSRF.search(form)[1], "username": "reporter1", "password": "demo-password"}
    resp = browser.post(
        f"{system.url}/login?next=/%09/evil.example", data=body, allow_redirects=False, timeout=30
    )
    assert resp.status_code == 302 and resp.headers["Location"] in ("/", f"{system.url}/")


@pytest.mark.slow
def test_6_every_portal_page_sends_the_protective_headers(system):
    headers = requests.get(f"{system.url}/login", timeout=30).headers
    policy = headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in policy and "unsafe-inline" not in policy
    assert headers["Referrer-Policy"] and headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.slow
@pytest.mark.parametrize(
    ("hostile", "filename"),
    [
        (HOSTILE_PDFS["javascript in an object stream behind chained filters"][0], "a.pdf"),
        (HOSTILE_PDFS["a launch action only the xref reaches"][0], "b.pdf"),
        (HOSTILE_PDFS["javascript in an XFA form"][0], "c.pdf"),
        (HOSTILE_PDFS["a remote go-to link"][0], "d.pdf"),
        (HOSTILE_OFFICE["a DDEAUTO field"][0], "e.docx"),
    ],
    ids=["object-stream-js", "xref-only-launch", "xfa-js", "remote-goto", "docx-dde"],
)
def test_7_hostile_uploads_are_refused(system, hostile, filename):
    reporter = Person(system, "reporter1")
    fields = {"unit": "R1", "year": "2547", "kpi": "2.1", "period": "M03"}
    resp = reporter.call(
        "POST", "/api/evidence/files", data=fields, files={"file": (filename, hostile)}
    )
    assert resp.status_code == 422, resp.text
    assert resp.headers["Content-Type"].startswith("application/problem+json")


@pytest.mark.slow
def test_1_concurrent_wrong_passwords_lock_the_account_after_five(system):
    # Last: the 40 failures also stop this client from signing in anyone for a while.
    def guess(_) -> int:
        body = {"username": "reporter2", "password": "wrong-guess"}
        return requests.post(f"{system.url}/api/identity/token", json=body, timeout=30).status_code

    with ThreadPoolExecutor(40) as pool:
        answers = list(pool.map(guess, range(40)))
    assert answers.count(401) <= 5 and answers.count(429) >= 35, answers
