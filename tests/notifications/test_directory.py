"""The local copy of people: kept from identity's events in their order, healed from its list."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete, select

from common.config import from_env
from common.db import unit_of_work
from common.tasks import worker_dependencies
from services.notifications.models import Membership, Person
from services.notifications.routines import WorkerDependencies, sync_people
from services.notifications.worker import create_celery
from tests.notifications.conftest import new_unit
from tests.waiting import eventually


@pytest.fixture(scope="module")
def task_runtime(live):
    return worker_dependencies(
        create_celery(from_env("notifications", live.env)), WorkerDependencies
    )


def memberships(store, username: str) -> list[tuple[str, str]]:
    with unit_of_work(store.factory) as session:
        query = select(Membership.unit, Membership.role).where(Membership.username == username)
        return sorted(session.execute(query).all())


def test_a_change_of_memberships_replaces_the_old_ones(live, people, store):
    (name,) = people((new_unit(), "reporter"))
    resp = live.session("admin").put(
        f"/api/identity/users/{name}/memberships",
        json={"memberships": [{"unit": "R3", "role": "auditor"}]},
    )
    assert resp.status_code == 200, resp.text
    eventually(lambda: memberships(store, name) == [("R3", "auditor")], what="replaced")


def test_an_older_announcement_arriving_late_changes_nothing(people, publisher, store):
    unit = new_unit()
    (name,) = people((unit, "reporter"))
    person = store.person(name)
    stale = {
        "user_id": person.user_id,
        "username": name,
        "display_name": "ชื่อเก่า",
        "email": person.email,
        "active": False,
        "memberships": [],
    }
    long_ago = (datetime.now(UTC) - timedelta(days=1)).isoformat()
    publisher.event("identity.user.changed", stale, occurred_at=long_ago)
    (marker,) = people((unit, "auditor"))  # the directory queue is ordered: the stale one is in
    assert store.person(marker)
    assert store.person(name).active and store.person(name).display_name != "ชื่อเก่า"
    assert memberships(store, name) == [(unit, "reporter")]


def test_people_missed_by_events_come_back_from_identitys_list(people, store, task_runtime):
    unit = new_unit()
    (name,) = people((unit, "unit_head"))
    with unit_of_work(store.factory) as session:
        session.execute(delete(Membership).where(Membership.username == name))
        session.execute(delete(Person).where(Person.username == name))
    assert store.person(name) is None
    assert sync_people(task_runtime) > 0
    assert store.person(name).active
    assert memberships(store, name) == [(unit, "unit_head")]
