"""Least privilege between services: each `svc-<service>` account reaches the internal
operations its own work needs and no other (common/grants.py). The matrix: every internal
operation × every service account's token → 2xx where granted, 403 elsewhere; operations made
for people only refuse every service account."""

from __future__ import annotations

import pytest
import requests

from common import grants
from common.secrets import service_password
from tests.conftest import create_team, login

YEAR = 2547

# A request for each internal operation (service, method, rule) of common/grants.py.
REQUESTS: dict[grants.Operation, str] = {
    ("identity", "GET", "/revocations"): "/revocations",
    ("identity", "GET", "/users"): "/users?unit=R1",
    ("identity", "GET", "/users/<string:username>"): "/users/reporter1",
    ("identity", "GET", "/users/<string:username>/memberships"): "/users/reporter1/memberships",
    ("catalogue", "GET", "/units"): "/units",
    ("catalogue", "GET", "/years/<year:year>"): f"/years/{YEAR}",
    ("catalogue", "GET", "/years/<year:year>/kpis"): f"/years/{YEAR}/kpis",
    ("catalogue", "GET", "/years/<year:year>/kpis/<string:code>"): f"/years/{YEAR}/kpis/2.2",
    (
        "catalogue",
        "GET",
        "/years/<year:year>/kpis/<string:code>/scoring",
    ): f"/years/{YEAR}/kpis/2.2/scoring",
    ("catalogue", "GET", "/years/<year:year>/scoring"): f"/years/{YEAR}/scoring",
    ("catalogue", "GET", "/years/<year:year>/targets"): f"/years/{YEAR}/targets",
    ("catalogue", "GET", "/years/<year:year>/schedule"): f"/years/{YEAR}/schedule?unit=R1",
    ("catalogue", "GET", "/years/<year:year>/applicability"): f"/years/{YEAR}/applicability",
    ("workflow", "GET", "/reports"): f"/reports?year={YEAR}",
    ("workflow", "GET", "/reports/<string:report_id>"): "/reports/{report}",
    ("workflow", "GET", "/reports/<string:report_id>/audit"): "/reports/{report}/audit",
    ("workflow", "GET", "/audit/verify"): "/audit/verify",
    ("evidence", "POST", "/files"): "/files",
    **{(p, "GET", "/events"): "/events?after=0&limit=1" for p in grants.PRODUCERS},
}
# Operations made for people: no service account has any business there.
PEOPLE_ONLY: dict[grants.Operation, str] = {
    ("identity", "POST", "/users"): "/users",
    ("identity", "GET", "/me"): "/me",
    ("catalogue", "POST", "/units"): "/units",
    ("workflow", "GET", "/rights"): "/rights",
    ("workflow", "POST", "/reports"): "/reports",
    ("evidence", "GET", "/files"): "/files",
    ("notifications", "GET", "/inbox"): "/inbox",
    ("scorecard", "GET", "/<int:year>"): f"/{YEAR}?unit=R1",
}
OPERATIONS = {**REQUESTS, **PEOPLE_ONLY}
# Bodies that pass validation, where it comes before the caller is checked.
BODIES = {
    ("workflow", "POST", "/reports"): {"year": YEAR, "kpi": "2.2", "unit": "R1", "period": "M03"}
}
ACCOUNTS = sorted(grants.GRANTS)


def test_every_internal_operation_has_a_request_in_the_matrix():
    granted = {op for ops in grants.SCOPES.values() for op in ops}
    assert granted == set(REQUESTS)


def test_every_account_needs_its_revocations_and_no_account_holds_every_scope():
    assert all(grants.REVOCATIONS in scopes for scopes in grants.GRANTS.values())
    assert all(scopes != set(grants.SCOPES) for scopes in grants.GRANTS.values())


@pytest.fixture(scope="module")
def tokens(live) -> dict[str, str]:
    settings = live.app("identity").extensions["rbm"].settings
    issued = {}
    for account in ACCOUNTS:
        body = {"username": f"svc-{account}", "password": service_password(settings, account)}
        resp = requests.post(f"{live.url}/api/identity/token", json=body, timeout=30)
        assert resp.status_code == 200, resp.text
        issued[account] = resp.json()["access_token"]
    return issued


@pytest.fixture(scope="module")
def report(live) -> str:
    team = create_team(live.session("admin"))
    reporter = login(live, team.reporter, team.password)
    body = {"year": YEAR, "kpi": "2.2", "unit": team.unit, "period": "M03"}
    resp = reporter.post("/api/workflow/reports", json=body)
    assert resp.status_code == 201, resp.text
    return resp.json()["id"]


def call(live, operation: grants.Operation, path: str, token: str) -> requests.Response:
    service, method, _rule = operation
    url = f"{live.url}/api/{service}{path}"
    headers = {"Authorization": f"Bearer {token}"}
    if (service, method) == ("evidence", "POST"):  # what the workflow files: an import's source
        fields = {"unit": "PRD", "year": str(YEAR), "kpi": "3.1", "period": "Y"}
        files = {"file": ("source.csv", b"unit,value\nR1,1\n", "text/csv")}
        return requests.post(url, headers=headers, data=fields, files=files, timeout=60)
    body = BODIES.get(operation, {}) if method == "POST" else None
    return requests.request(method, url, headers=headers, json=body, timeout=30)


@pytest.mark.parametrize("account", ACCOUNTS)
@pytest.mark.parametrize("operation", list(OPERATIONS), ids=" ".join)
def test_a_service_token_reaches_only_what_its_account_is_granted(
    live, tokens, report, operation, account
):
    path = OPERATIONS[operation].format(report=report)
    resp = call(live, operation, path, tokens[account])
    if grants.opens(grants.GRANTS[account], *operation):
        assert 200 <= resp.status_code < 300, (resp.status_code, resp.text)
    else:
        assert resp.status_code == 403, (resp.status_code, resp.text)
        assert resp.headers["Content-Type"] == "application/problem+json"
