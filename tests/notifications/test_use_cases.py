"""Notifications' use cases on SQLite, identity and the catalogue faked in memory
(tests/fakes.py): who a report's step is told to, the copy of people, and reminders from the
schedule, with no backend running."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from sqlalchemy import select

from common.auth import REPORTER, UNIT_HEAD
from common.config import from_env
from common.db import unit_of_work
from common.events import Envelope
from services.notifications import service
from services.notifications.events import report_handler
from services.notifications.models import Notification, Person
from services.notifications.policy import policy_of
from services.notifications.routines import WorkerDependencies, run_reminders, sync_people
from tests.fakes import YEAR, FakeCatalogue, FakePeople

UNIT = "R1-10"


@pytest.fixture
def sessions(sqlite_store):
    return sqlite_store("notifications")


@pytest.fixture
def people() -> FakePeople:
    people = FakePeople()
    people.add("somchai", (UNIT, REPORTER))
    people.add("malee", (UNIT, UNIT_HEAD))
    people.add("anong", ("R1", UNIT_HEAD))
    return people


@pytest.fixture
def catalogue() -> FakeCatalogue:
    return FakeCatalogue()


@pytest.fixture
def deps(tmp_path, sessions, people, catalogue) -> WorkerDependencies:
    settings = from_env("notifications", {"RBM_DATA_DIR": str(tmp_path)})
    return WorkerDependencies(settings, policy_of(settings), sessions, people, catalogue)


def step(verb: str, actor: str, comment: str | None = None) -> Envelope:
    data = {
        "report_id": "rep-1",
        "year": YEAR,
        "unit": UNIT,
        "kpi": "4.1",
        "period": "M01",
        "state": verb,
        "reporter": "somchai",
        "actor": actor,
        "comment": comment,
    }
    return Envelope(
        str(uuid.uuid4()), f"workflow.report.{verb}", "2003-11-03T02:00:00+00:00", actor, data, 1
    )


def told(sessions) -> dict[str, set[str]]:
    """Each recipient's notification kinds."""
    with unit_of_work(sessions) as session:
        rows = session.execute(select(Notification.recipient, Notification.kind)).all()
    out: dict[str, set[str]] = {}
    for recipient, kind in rows:
        out.setdefault(recipient, set()).add(kind)
    return out


def handle(deps, *envelopes: Envelope) -> None:
    with unit_of_work(deps.factory) as session:
        report_handler(deps.context, deps.identity)(session, list(envelopes))


def test_a_submitted_report_is_told_to_its_units_head_only_asking_identity_once(deps, people):
    handle(deps, step("submitted", "somchai"))
    assert told(deps.factory) == {"malee": {"submitted"}}
    assert people.asked == [UNIT]  # the copy knew no one there yet
    handle(deps, step("submitted", "somchai"))
    assert people.asked == [UNIT]


def test_a_returned_report_is_told_to_its_reporter_and_head_with_the_reason(deps):
    handle(deps, step("returned", "wichai", "ตัวเลขไม่ตรงกับหลักฐาน"))
    assert told(deps.factory) == {"malee": {"returned"}, "somchai": {"returned"}}
    items, _, _ = service.inbox(deps.factory, "somchai", False, 10, 0)
    assert "ตัวเลขไม่ตรงกับหลักฐาน" in items[0].body


def test_the_copy_of_people_follows_identity(deps, people):
    assert sync_people(deps) == 3
    people.accounts[0]["active"] = False
    sync_people(deps)
    with unit_of_work(deps.factory) as session:
        active = dict(session.execute(select(Person.username, Person.active)).all())
    assert active == {"somchai": False, "malee": True, "anong": True}


def test_reminders_come_from_the_schedule_once_and_skip_a_year_the_catalogue_lacks(deps, catalogue):
    sync_people(deps)
    catalogue.schedules[YEAR] = [
        {"unit": UNIT, "kpi": "4.1", "period": "M01", "due_on": "2003-10-31"}
    ]
    before_due = date(2003, 10, 30)
    assert run_reminders(deps, before_due) == 1
    assert run_reminders(deps, before_due) == 0
    assert told(deps.factory) == {"somchai": {"due_soon"}}
    catalogue.schedules.clear()
    assert run_reminders(deps, before_due) == 0
