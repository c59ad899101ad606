"""The revocation list stays small and private: a user's many signed-out tokens become one
not-before, and only service accounts read the list, in every mode. On PostgreSQL (`live`) and
on the embedded backends (`embedded_live`)."""

from __future__ import annotations

import uuid

import pytest
import requests

from common.secrets import service_password
from services.identity.revocation import MAX_TOKENS_PER_USER
from tests.identity.conftest import PASSWORD, USERS
from tests.waiting import until_passes

BACKENDS = ["live", "embedded_live"]
REVOCATIONS = "/api/identity/revocations"


@pytest.fixture(params=BACKENDS)
def system(request):
    return request.getfixturevalue(request.param)


def service_token(system, service: str = "workflow") -> dict:
    settings = system.app("identity").extensions["rbm"].settings
    body = {"username": f"svc-{service}", "password": service_password(settings, service)}
    resp = requests.post(f"{system.url}/api/identity/token", json=body, timeout=30)
    assert resp.status_code == 200, resp.text
    return {"Authorization": f"Bearer {resp.json()['access_token']}"}


def a_user(system) -> dict:
    body = {
        "username": f"out-{uuid.uuid4().hex[:10]}",
        "display_name": "ผู้ออกจากระบบบ่อย",
        "password": PASSWORD,
        "memberships": [{"unit": "R1", "role": "reporter"}],
    }
    resp = system.session("admin").post(USERS, json=body)
    assert resp.status_code == 201, resp.text
    return resp.json()


def signed_in(system, username: str) -> dict:
    body = {"username": username, "password": PASSWORD}
    resp = requests.post(f"{system.url}/api/identity/token", json=body, timeout=30)
    assert resp.status_code == 200, resp.text
    return {"Authorization": f"Bearer {resp.json()['access_token']}"}


def entries_of(system, user_id: str) -> list[dict]:
    resp = requests.get(f"{system.url}{REVOCATIONS}", headers=service_token(system), timeout=30)
    assert resp.status_code == 200, resp.text
    return [e for e in resp.json()["entries"] if e["user_id"] == user_id]


def status(system, headers: dict, path: str = "/api/identity/me") -> int:
    return requests.get(f"{system.url}{path}", headers=headers, timeout=30).status_code


def test_the_revocation_list_is_served_to_service_accounts_only(system):
    anonymous = requests.get(f"{system.url}{REVOCATIONS}", timeout=30)
    person = status(system, signed_in(system, a_user(system)["username"]), REVOCATIONS)
    admin = system.session("admin").get(REVOCATIONS)
    assert (anonymous.status_code, person, admin.status_code) == (401, 403, 403)
    assert status(system, service_token(system), REVOCATIONS) == 200


def test_a_user_signing_in_and_out_again_and_again_keeps_one_entry(system):
    user = a_user(system)
    tokens = []
    for _ in range(3 * MAX_TOKENS_PER_USER):
        headers = signed_in(system, user["username"])
        out = requests.post(f"{system.url}/api/identity/logout", headers=headers, timeout=30)
        assert out.status_code == 204
        tokens.append(headers)
    entries = entries_of(system, user["id"])
    # 15 sign-outs: the 6th and the 12th each made one not-before of what was listed; the last
    # three are listed one by one after the second not-before.
    assert len(entries) == 1 + 3
    assert [e["token_id"] is None for e in entries] == [True, False, False, False]
    assert [status(system, headers) for headers in tokens] == [401] * len(tokens)
    assert status(system, signed_in(system, user["username"])) == 200


def test_every_signed_out_token_stays_refused_by_the_other_services(system):
    user = a_user(system)
    tokens = []
    for _ in range(MAX_TOKENS_PER_USER + 2):
        headers = signed_in(system, user["username"])
        requests.post(f"{system.url}/api/identity/logout", headers=headers, timeout=30)
        tokens.append(headers)

    def refused() -> None:
        seen = [status(system, headers, "/api/catalogue/units") for headers in tokens]
        assert seen == [401] * len(tokens)

    until_passes(refused, timeout=5)
    assert status(system, signed_in(system, user["username"]), "/api/catalogue/units") == 200


def test_a_users_new_not_before_replaces_their_earlier_entries(system):
    user = a_user(system)
    admin = system.session("admin")
    requests.post(
        f"{system.url}/api/identity/logout",
        headers=signed_in(system, user["username"]),
        timeout=30,
    )
    for active in (False, True, False):
        resp = admin.patch(f"{USERS}/{user['username']}", json={"active": active})
        assert resp.status_code == 200, resp.text
    entries = entries_of(system, user["id"])
    assert len(entries) == 1 and entries[0]["not_before"] is not None
