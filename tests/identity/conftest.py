"""Helpers of identity's tests: unique users made through the admin API, a look at its tables."""

from __future__ import annotations

import json
import uuid

import pytest
from sqlalchemy import func, select

from common.db import unit_of_work
from common.web import runtime_of
from services.identity.models import Outbox, User

PASSWORD = "a-long-password-1"
USERS = "/api/identity/users"


def unique_name(prefix: str = "u") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


@pytest.fixture
def admin(as_user):
    return as_user("admin")


@pytest.fixture
def new_user(admin):
    """`new_user(memberships=[...])` creates a user through the API and returns its JSON."""

    def make(memberships=(), **fields) -> dict:
        body = {
            "username": unique_name(),
            "display_name": "ผู้ใช้ทดสอบ",
            "email": "someone@test.rbm.invalid",
            "password": PASSWORD,
            "memberships": [{"unit": u, "role": r} for u, r in memberships],
            **fields,
        }
        resp = admin.post(USERS, json=body)
        assert resp.status_code == 201, resp.text
        return resp.json()

    return make


class IdentityTables:
    """Read-only look at identity's own database, to prove what was (not) written."""

    def __init__(self, app):
        self.factory = runtime_of(app).session_factory

    def count(self, model=User) -> int:
        with unit_of_work(self.factory) as session:
            return session.scalar(select(func.count()).select_from(model))

    def snapshot(self) -> tuple[int, int]:
        """How many users and outbox events there are: unchanged after a refused request."""
        return self.count(User), self.count(Outbox)

    def exists(self, username: str) -> bool:
        with unit_of_work(self.factory) as session:
            return session.scalar(select(User.id).where(User.username == username)) is not None

    def user_events(self, username: str) -> list[dict]:
        """Envelopes of identity.user.changed about `username`, oldest first."""
        with unit_of_work(self.factory) as session:
            rows = session.scalars(
                select(Outbox)
                .where(Outbox.routing_key == "identity.user.changed")
                .where(Outbox.body.contains(f'"username": "{username}"'))
                .order_by(Outbox.created_at)
            ).all()
            return [json.loads(row.body) for row in rows]


@pytest.fixture
def tables(live) -> IdentityTables:
    return IdentityTables(live.app("identity"))
