"""Identity's use cases on SQLite, the catalogue's units faked in memory (tests/fakes.py):
memberships only in units the catalogue knows, asked only when a request names any, the
tokens a sign-in gives, and the administrator that must remain, with no backend running."""

from __future__ import annotations

import jwt
import pytest
from sqlalchemy import func, select

from common.auth import ADMIN, REPORTER, TokenSigner, new_private_key_pem
from common.db import unit_of_work
from common.errors import Conflict, Invalid, Unauthorized
from services.identity import service
from services.identity.models import User
from services.identity.service import Client, NewUser
from tests.fakes import FakeUnits, person

PASSWORD = "a-long-password-1"
ADMINISTRATOR = person("admin", ("PRD", ADMIN))
SIGNER = TokenSigner(new_private_key_pem(), 600)


@pytest.fixture
def sessions(sqlite_store):
    return sqlite_store("identity")


@pytest.fixture
def units() -> FakeUnits:
    return FakeUnits()


def new(username: str, *memberships: tuple[str, str]) -> NewUser:
    return NewUser(username, username.title(), PASSWORD, f"{username}@example.invalid", memberships)


def users_in(sessions) -> int:
    with unit_of_work(sessions) as session:
        return session.scalar(select(func.count()).select_from(User))


def claims_of_sign_in(sessions, username: str, password: str = PASSWORD) -> dict:
    token = service.issue_token(sessions, SIGNER, username, password, Client("192.0.2.1"))
    return jwt.decode(token, options={"verify_signature": False})


def test_a_user_holds_memberships_in_known_units_and_signs_in_with_them(sessions, units):
    service.create_user(sessions, ADMINISTRATOR, new("Somchai", ("R1-10", REPORTER)), units)
    claims = claims_of_sign_in(sessions, "somchai")
    assert claims["username"] == "somchai" and claims["roles"] == [REPORTER]
    assert claims["memberships"] == [{"unit": "R1-10", "role": REPORTER}]
    assert units.asked == 1


def test_a_unit_the_catalogue_does_not_know_is_refused_and_nothing_is_created(sessions, units):
    with pytest.raises(Invalid) as refused:
        service.create_user(sessions, ADMINISTRATOR, new("malee", ("R9-99", REPORTER)), units)
    assert "Unknown unit 'R9-99'." in refused.value.errors["memberships"]
    assert users_in(sessions) == 0


def test_a_user_without_memberships_asks_the_catalogue_nothing(sessions, units):
    service.create_user(sessions, ADMINISTRATOR, new("wichai"), units)
    assert units.asked == 0 and users_in(sessions) == 1


def test_a_wrong_password_and_an_unknown_name_get_the_same_refusal(sessions, units):
    service.create_user(sessions, ADMINISTRATOR, new("anong", ("R1", REPORTER)), units)
    with pytest.raises(Unauthorized) as wrong:
        claims_of_sign_in(sessions, "anong", "not-the-password")
    with pytest.raises(Unauthorized) as unknown:
        claims_of_sign_in(sessions, "nobody")
    assert wrong.value.detail == unknown.value.detail


def test_the_last_administrator_keeps_the_role(sessions, units):
    service.create_user(sessions, ADMINISTRATOR, new("boss", ("PRD", ADMIN)), units)
    with pytest.raises(Conflict):
        service.set_memberships(sessions, ADMINISTRATOR, "boss", [("R1", REPORTER)], units)
    service.create_user(sessions, ADMINISTRATOR, new("second", ("PRD", ADMIN)), units)
    changed = service.set_memberships(sessions, ADMINISTRATOR, "boss", [("R1", REPORTER)], units)
    assert changed.username == "boss"
