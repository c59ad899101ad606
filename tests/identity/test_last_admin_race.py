"""Two administrators demoting the last two administrators at once: one of them is refused."""

from __future__ import annotations

import uuid

import pytest

from common.auth import ADMIN, REPORTER
from common.config import Settings
from common.db import make_engine, make_session_factory, migrate, unit_of_work
from common.errors import Conflict
from services.identity import service
from tests.conftest import at_once, fresh_database
from tests.identity.test_last_admin import ACTOR, ANY_UNIT, MIGRATIONS

# Every test here makes a PostgreSQL database of its own.
pytestmark = pytest.mark.backend

ADMINS = ("admin-a", "admin-b")
RACES = 10


@pytest.fixture
def pg_sessions(tmp_path):
    """Identity's tables in a PostgreSQL database of this test only, with two administrators."""
    with fresh_database(f"rbm_test_admins_{uuid.uuid4().hex[:8]}") as url:
        yield from _with_two_admins(url, tmp_path)


def _with_two_admins(url: str, tmp_path):
    engine = make_engine(
        Settings(service="identity", data_dir=tmp_path, database_url=url, broker_url="unused")
    )
    migrate(engine, MIGRATIONS)
    factory = make_session_factory(engine)
    with unit_of_work(factory) as session:
        for username in ADMINS:
            new = service.NewUser(
                username, username, "long-enough-1", memberships=(("PRD", ADMIN),)
            )
            service.add_user(session, "test", new)
    yield factory
    engine.dispose()


def _demote_both_at_once(factory) -> list[str]:
    def demote(username: str) -> str:
        try:
            service.set_memberships(factory, ACTOR, username, [("PRD", REPORTER)], ANY_UNIT)
        except Conflict:
            return "refused"
        return "done"

    return at_once(demote, ADMINS)


def _restore_admins(factory) -> None:
    for username in ADMINS:
        service.set_memberships(factory, ACTOR, username, [("PRD", ADMIN)], ANY_UNIT)


def test_demoting_the_last_two_administrators_at_once_refuses_one(pg_sessions):
    outcomes = []
    for _ in range(RACES):
        outcomes.append(_demote_both_at_once(pg_sessions))
        _restore_admins(pg_sessions)
    assert outcomes == [["done", "refused"]] * RACES
