"""Service accounts only inside rbm's network: a request marked as coming from outside (the
gateway's public listener marks every one, the portal a sign-in it forwards) gets no service
token and may not use one. The gateway itself is proved in tests/deployed/."""

from __future__ import annotations

import requests

from common.auth import OUTSIDE_HEADER
from common.secrets import service_password
from tests.trust.test_portal import CSRF

TOKEN = "/api/identity/token"


def service_login(live, anonymous, headers=None, account="workflow") -> requests.Response:
    settings = live.app("identity").extensions["rbm"].settings
    body = {"username": f"svc-{account}", "password": service_password(settings, account)}
    return anonymous.post(TOKEN, json=body, headers=headers or {})


def test_a_service_account_signs_in_from_inside_only(live, anonymous):
    assert service_login(live, anonymous).status_code == 200
    outside = service_login(live, anonymous, {OUTSIDE_HEADER: "1"})
    wrong = anonymous.post(TOKEN, json={"username": "svc-workflow", "password": "guess"})
    assert outside.status_code == wrong.status_code == 401
    assert outside.headers["Content-Type"] == "application/problem+json"
    assert outside.json()["detail"] == wrong.json()["detail"]


def test_a_service_token_is_refused_on_a_request_from_outside(live, anonymous):
    # The scorecard reads the workflow's feed.
    token = service_login(live, anonymous, account="scorecard").json()["access_token"]
    bearer = {"Authorization": f"Bearer {token}"}
    assert anonymous.get("/api/workflow/events", headers=bearer).status_code == 200
    outside = anonymous.get("/api/workflow/events", headers={**bearer, OUTSIDE_HEADER: "1"})
    assert outside.status_code == 401, outside.text
    assert outside.headers["Content-Type"] == "application/problem+json"


def test_the_portal_signs_in_no_service_account(live):
    settings = live.app("identity").extensions["rbm"].settings
    browser = requests.Session()
    form = browser.get(f"{live.url}/login", timeout=30).text
    body = {
        "csrf": CSRF.search(form)[1],
        "username": "svc-portal",
        "password": service_password(settings, "portal"),
    }
    resp = browser.post(f"{live.url}/login", data=body, allow_redirects=False, timeout=30)
    assert resp.status_code == 401
    assert browser.get(f"{live.url}/", allow_redirects=False, timeout=30).status_code == 302
