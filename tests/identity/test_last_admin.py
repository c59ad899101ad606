"""The last active administrator cannot be disabled or lose the role: nobody could undo it."""

from pathlib import Path

import pytest

from common.auth import ADMIN, REPORTER, Principal
from common.config import Settings
from common.db import make_engine, make_session_factory, migrate, unit_of_work
from common.errors import Conflict
from services.identity import service
from services.identity.units import KnownUnits

MIGRATIONS = Path(service.__file__).parent / "migrations"
# Another administrator acting: the rule is about who is left, not who acts.
ACTOR = Principal(user_id="other-admin", username="other-admin", roles=frozenset({ADMIN}))
ANY_UNIT = KnownUnits()  # units are the catalogue's concern, not these tests'


@pytest.fixture
def sessions(tmp_path):
    settings = Settings(
        service="identity",
        data_dir=tmp_path,
        database_url=f"sqlite:///{tmp_path}/identity.db",
        broker_url="unused",
    )
    engine = make_engine(settings)
    migrate(engine, MIGRATIONS)
    factory = make_session_factory(engine)
    with unit_of_work(factory) as session:
        for name in ("only-admin", "someone"):
            role = ADMIN if name == "only-admin" else REPORTER
            service.add_user(
                session,
                "test",
                service.NewUser(name, name, "long-enough-1", memberships=(("PRD", role),)),
            )
    yield factory
    engine.dispose()


def test_removing_the_admin_role_from_the_last_administrator_is_a_409(sessions):
    with pytest.raises(Conflict):
        service.set_memberships(sessions, ACTOR, "only-admin", [("PRD", REPORTER)], ANY_UNIT)
    roles = {m.role for m in service.get_user(sessions, "only-admin").memberships}
    assert roles == {ADMIN}


def test_disabling_the_last_administrator_is_a_409(sessions):
    with pytest.raises(Conflict):
        service.update_user(sessions, ACTOR, "only-admin", {"active": False})
    assert service.get_user(sessions, "only-admin").active


def test_a_second_administrator_lets_the_first_step_down(sessions):
    service.set_memberships(sessions, ACTOR, "someone", [("PRD", ADMIN)], ANY_UNIT)
    service.set_memberships(sessions, ACTOR, "only-admin", [("PRD", REPORTER)], ANY_UNIT)
    assert {m.role for m in service.get_user(sessions, "only-admin").memberships} == {REPORTER}
