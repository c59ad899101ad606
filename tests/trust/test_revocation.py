"""Revocation: disabling a user or removing a role ends their tokens everywhere within 5 s."""

from __future__ import annotations

import time

import jwt
import requests

from common.auth import Revocations, TokenSigner, new_private_key_pem
from tests.identity.conftest import PASSWORD
from tests.trust.test_portal import CSRF
from tests.waiting import eventually, until_passes

# A read of each service that any signed-in user may make.
READS = [
    "/api/identity/me",
    "/api/catalogue/units",
    "/api/workflow/reports?year=2547",
    "/api/evidence/files?year=2547",
    "/api/notifications/inbox",
]
WITHIN = 5.0


def token_of(live, username: str) -> dict:
    resp = requests.post(
        f"{live.url}/api/identity/token",
        json={"username": username, "password": PASSWORD},
        timeout=30,
    )
    return {"Authorization": f"Bearer {resp.json()['access_token']}"}


def answers(live, headers) -> list[int]:
    return [
        requests.get(f"{live.url}{path}", headers=headers, timeout=30).status_code for path in READS
    ]


def refused_everywhere_within(live, headers, seconds: float = WITHIN) -> None:
    def refused() -> None:
        assert answers(live, headers) == [401] * len(READS)

    until_passes(refused, timeout=seconds)


def test_a_disabled_users_tokens_are_refused_by_every_service(live, admin, new_user):
    user = new_user(memberships=[("R3", "reporter")])["username"]
    headers = token_of(live, user)
    assert answers(live, headers) == [200] * len(READS)
    assert admin.patch(f"/api/identity/users/{user}", json={"active": False}).ok
    refused_everywhere_within(live, headers)


def test_removing_a_role_refuses_the_tokens_issued_before(live, admin, new_user):
    user = new_user(memberships=[("R3", "reporter")])["username"]
    headers = token_of(live, user)
    put = admin.put(f"/api/identity/users/{user}/memberships", json={"memberships": []})
    assert put.ok
    refused_everywhere_within(live, headers)
    assert answers(live, token_of(live, user))[0] == 200  # a new sign-in has the new roles


def test_a_disabled_users_portal_session_ends(live, admin, new_user):
    user = new_user(memberships=[("R3", "reporter")])["username"]
    browser = requests.Session()
    csrf = CSRF.search(browser.get(f"{live.url}/login", timeout=30).text)[1]
    body = {"csrf": csrf, "username": user, "password": PASSWORD}
    assert browser.post(f"{live.url}/login", data=body, timeout=30).ok
    assert admin.patch(f"/api/identity/users/{user}", json={"active": False}).ok

    def ended():
        page = browser.get(f"{live.url}/", allow_redirects=False, timeout=30)
        return page if page.status_code != 200 else None

    page = eventually(ended, timeout=WITHIN, interval=0.25, what="the portal session ended")
    assert page.status_code == 302 and "/login" in page.headers["Location"]


def test_a_signed_out_token_is_refused_by_every_service(live, new_user):
    user = new_user(memberships=[("R3", "reporter")])["username"]
    headers = token_of(live, user)
    assert (
        requests.post(f"{live.url}/api/identity/logout", headers=headers, timeout=30).status_code
        == 204
    )
    refused_everywhere_within(live, headers)


def test_a_token_signed_just_after_a_revocation_is_accepted():
    signer = TokenSigner(new_private_key_pem(), ttl_seconds=60)
    for _ in range(20):  # a revocation and a sign-in in the same second, as after a role change
        source = {"entries": [{"user_id": "u1", "not_before": time.time()}]}
        claims = jwt.decode(signer.sign({"sub": "u1"}), options={"verify_signature": False})
        assert not Revocations(lambda source=source: source).refuses(claims)
