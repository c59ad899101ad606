"""Signing in under attack: atomic lock-out, a per-client limit, one cost for every refusal,
security events in the log and administrators' changes in a hash-chained trail."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

import pytest
import structlog

from common.config import from_env
from common.db import make_engine, make_session_factory
from common.errors import Unauthorized
from services.identity import rules, service
from services.identity.models import Base
from tests.identity.conftest import PASSWORD, unique_name

TOKEN = "/api/identity/token"


def a_client() -> str:
    """An address of the documentation range, new for each test: its own allowance."""
    return f"2001:db8::{uuid.uuid4().int % 0xFFFF + 1:x}"  # written as the log writes it


def guess(anonymous, username: str, client: str, password: str = "wrong-guess"):
    return anonymous.post(
        TOKEN,
        json={"username": username, "password": password},
        headers={"X-Forwarded-For": client},
    )


def test_concurrent_wrong_guesses_get_five_401_then_429_on_postgresql(live, anonymous, new_user):
    user, client = new_user()["username"], a_client()
    with ThreadPoolExecutor(max_workers=20) as pool:
        answers = list(pool.map(lambda _: guess(anonymous, user, client).status_code, range(40)))
    assert sorted(answers) == [401] * 5 + [429] * 35
    assert guess(anonymous, user, client, PASSWORD).status_code == 429


def test_concurrent_wrong_guesses_get_five_401_then_429_on_sqlite(tmp_path):
    engine = make_engine(from_env("identity", {"RBM_DATA_DIR": str(tmp_path)}))
    Base.metadata.create_all(engine)
    factory = make_session_factory(engine)

    def attempt(_) -> int:
        try:
            service.issue_token(factory, None, "someone", "guess", service.Client("192.0.2.1"))
        except service.TooManyAttempts:
            return 429
        except Unauthorized:
            return 401
        return 200

    with ThreadPoolExecutor(max_workers=10) as pool:
        answers = list(pool.map(attempt, range(20)))
    engine.dispose()
    assert sorted(answers) == [401] * 5 + [429] * 15


def test_one_client_cannot_go_on_failing_across_accounts(live, anonymous, monkeypatch):
    client, limit = a_client(), 8
    runtime = live.app("identity").extensions["rbm"]
    # as RBM_LOGIN_CLIENT_LIMIT=8
    monkeypatch.setattr(runtime, "deps", replace(runtime.deps, client_login_limit=limit))
    for _ in range(limit):
        guess(anonymous, unique_name("spray"), client)
    refused = guess(anonymous, unique_name("next"), client)
    assert refused.status_code == 429 and "address" in refused.json()["detail"]
    assert guess(anonymous, unique_name("next"), a_client()).status_code == 401


@pytest.mark.parametrize(
    ("peer", "forwarded", "seen"),
    [
        ("10.0.0.5", "198.51.100.7", "198.51.100.7"),  # from the gateway: its word
        ("203.0.113.9", "198.51.100.7", "203.0.113.9"),  # from outside: ignored
        ("10.0.0.5", "6.6.6.6, 198.51.100.7", "198.51.100.7"),  # a client's own entry ignored
        ("10.0.0.5", "6.6.6.6, 198.51.100.7, 10.0.0.6", "198.51.100.7"),  # two trusted hops
        ("10.0.0.5", "not-an-address", "10.0.0.5"),
    ],
)
def test_the_client_address_is_the_trusted_gateways_word(peer, forwarded, seen):
    trusted = rules.parse_networks("10.0.0.0/24")
    assert rules.client_address(peer, forwarded, trusted) == seen


class CountingHasher:
    """The real argon2 hasher, counting the verifications it does."""

    def __init__(self, real):
        self.real, self.calls = real, []

    def __getattr__(self, name):
        return getattr(self.real, name)

    def verify(self, hash_, password):
        self.calls.append(hash_)
        return self.real.verify(hash_, password)


@pytest.fixture
def counted_verifications(monkeypatch):
    hasher = CountingHasher(service.hasher)
    monkeypatch.setattr(service, "hasher", hasher)
    return hasher.calls


def test_a_disabled_account_costs_one_password_check_like_a_wrong_password(
    anonymous, admin, new_user, counted_verifications
):
    disabled, active = new_user()["username"], new_user()["username"]
    assert admin.patch(f"/api/identity/users/{disabled}", json={"active": False}).ok
    counted_verifications.clear()
    for username, password in ((disabled, PASSWORD), (active, "wrong"), ("nobody-x", "x")):
        assert guess(anonymous, username, a_client(), password).status_code == 401
    assert len(counted_verifications) == 3


def test_failures_and_lock_outs_are_logged_as_security_events(anonymous, new_user):
    user, client = new_user()["username"], a_client()
    with structlog.testing.capture_logs() as logs:
        for _ in range(6):
            guess(anonymous, user, client)
    security = [e for e in logs if e.get("category") == "security"]
    assert [e["event"] for e in security] == ["login.failed"] * 5 + ["login.locked_out"]
    assert security[0]["username"] == user and security[0]["client"] == client


def test_administrators_changes_are_logged_and_chained(admin, new_user):
    user = new_user(memberships=[("R3", "reporter")])["username"]
    with structlog.testing.capture_logs() as logs:
        admin.patch(f"/api/identity/users/{user}", json={"active": False})
        admin.put(f"/api/identity/users/{user}/memberships", json={"memberships": []})
    assert [e["event"] for e in logs if e.get("category") == "security"] == [
        "admin.changed",
        "admin.memberships",
    ]
    trail = admin.get("/api/identity/audit", params={"subject": user}).json()
    assert [(e["action"], e["actor"]) for e in trail] == [
        ("created", "admin"),
        ("changed", "admin"),
        ("memberships", "admin"),
    ]
    assert trail[1]["changes"] == {"active": False}
    assert admin.get("/api/identity/audit/verify").json()["intact"] is True
