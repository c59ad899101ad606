"""Logging in: tokens for every demo user, one answer for every bad credential, lock-out."""

import pytest

DEMO_USERS = ["reporter1", "head1", "reporter2", "reviewer", "auditor", "admin"]


@pytest.mark.parametrize("username", DEMO_USERS)
def test_every_demo_user_gets_a_bearer_token(anonymous, username):
    resp = anonymous.post(
        "/api/identity/token", json={"username": username, "password": "demo-password"}
    )
    assert resp.status_code == 200
    body = resp.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] > 0 and body["access_token"]


def test_unknown_user_and_wrong_password_get_the_same_answer(anonymous):
    unknown = anonymous.post("/api/identity/token", json={"username": "nobody", "password": "x"})
    wrong = anonymous.post("/api/identity/token", json={"username": "auditor", "password": "x"})
    assert unknown.status_code == wrong.status_code == 401
    assert unknown.headers["Content-Type"] == "application/problem+json"
    assert unknown.json()["detail"] == wrong.json()["detail"]


def test_me_names_roles_and_units(as_user):
    resp = as_user("head1").get("/api/identity/me")
    assert resp.status_code == 200
    body = resp.json()
    assert body["username"] == "head1"
    assert body["roles"] == ["unit_head"] and body["units"] == ["R1"]


def test_me_without_a_token_is_401_problem(anonymous):
    resp = anonymous.get("/api/identity/me")
    assert resp.status_code == 401
    assert resp.headers["Content-Type"] == "application/problem+json"


def test_a_forged_token_is_401(anonymous):
    resp = anonymous.get("/api/identity/me", headers={"Authorization": "Bearer abc.def.ghi"})
    assert resp.status_code == 401


def test_repeated_failures_lock_the_name_for_a_while(anonymous):
    attempts = [
        anonymous.post("/api/identity/token", json={"username": "locktarget", "password": "bad"})
        for _ in range(6)
    ]
    assert [r.status_code for r in attempts[:5]] == [401] * 5
    assert attempts[5].status_code == 429


def test_a_service_logs_in_on_its_own_account(live):
    from common.clients import ServiceClient

    client = ServiceClient(live.app("notifications").extensions["rbm"].settings, "identity")
    principal = live.app("workflow").extensions["rbm"].verifier.verify(client.service_token())
    assert principal.username == "svc-notifications" and principal.sees_all_units


def test_a_service_account_with_a_wrong_password_is_refused(anonymous):
    resp = anonymous.post(
        "/api/identity/token", json={"username": "svc-workflow", "password": "guess"}
    )
    assert resp.status_code == 401
