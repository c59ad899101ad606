"""Celery tasks of notifications: send one email, sweep lost ones, daily digest, reminders."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import structlog
from celery import Celery
from sqlalchemy import event
from sqlalchemy.orm import Session, sessionmaker

from common.clients import ServiceClient
from common.config import Settings
from common.db import make_engine, make_session_factory, migrate, unit_of_work
from common.errors import NotFound, Unavailable
from common.events import utcnow
from services.notifications import delivery, directory, reminders
from services.notifications.policy import Policy, policy_of
from services.notifications.service import OUTGOING, Context

log = structlog.get_logger("rbm.notifications.tasks")

SEND_EMAIL = "rbm.notifications.send_email"
SWEEP_EMAILS = "rbm.notifications.sweep_emails"
SEND_DIGESTS = "rbm.notifications.send_digests"
SEND_REMINDERS = "rbm.notifications.send_reminders"
SYNC_PEOPLE = "rbm.notifications.sync_people"


def enqueue_emails(celery: Celery, email_ids: list[str]) -> None:
    """Queue a send task per email; a failure here only delays them until the next sweep."""
    if not email_ids:
        return
    try:
        with celery.producer_or_acquire() as producer:
            for email_id in email_ids:
                celery.send_task(SEND_EMAIL, args=[email_id], producer=producer)
    except Exception as exc:  # noqa: BLE001 - the rows stay pending; the sweep re-enqueues them
        log.warning("email_enqueue_failed", emails=len(email_ids), error=str(exc))


def send_after_commit(factory: sessionmaker[Session], celery: Celery) -> None:
    """Enqueue the emails a transaction wrote once it has committed (never before)."""

    @event.listens_for(factory, "after_commit")
    def _committed(session: Session) -> None:
        if ids := session.info.pop(OUTGOING, None):
            enqueue_emails(celery, ids)

    @event.listens_for(factory, "after_soft_rollback")
    def _rolled_back(session: Session, _previous) -> None:
        session.info.pop(OUTGOING, None)


@dataclass
class TaskRuntime:
    """The database and settings a worker's tasks use, built once per worker process."""

    settings: Settings
    policy: Policy
    factory: sessionmaker[Session]

    @property
    def context(self) -> Context:
        return Context(self.settings.public_url, self.policy)


_lock = threading.Lock()


def runtime_for(celery: Celery) -> TaskRuntime:
    with _lock:
        runtime = getattr(celery, "rbm_runtime", None)
        if runtime is None:
            settings: Settings = celery.conf.rbm_settings
            engine = make_engine(settings)
            migrate(engine, Path(__file__).parent / "migrations")
            factory = make_session_factory(engine)
            send_after_commit(factory, celery)
            runtime = TaskRuntime(settings, policy_of(settings), factory)
            celery.rbm_runtime = runtime
        return runtime


def _day(value: str | None, policy: Policy) -> date:
    return date.fromisoformat(value) if value else policy.local_date(utcnow())


def register(celery: Celery) -> None:
    """Define the tasks on this Celery app only (not shared: Celery would otherwise add each to
    every app of the process, closed over another app's runtime)."""

    @celery.task(name=SEND_EMAIL, shared=False, bind=True, max_retries=None, ignore_result=True)
    def send_email(self, email_id: str) -> None:
        """Send one email row; temporary failures come back after a growing wait."""
        rt = runtime_for(self.app)
        # The task id claims the row: a copy redelivered after a crash takes it back.
        delay = delivery.deliver(rt.settings, rt.policy, rt.factory, email_id, self.request.id)
        if delay is not None:
            raise self.retry(countdown=delay)

    @celery.task(name=SWEEP_EMAILS, shared=False, bind=True, ignore_result=True)
    def sweep_emails(self) -> int:
        """Re-enqueue emails whose task was lost."""
        rt = runtime_for(self.app)
        with unit_of_work(rt.factory) as session:
            ids = delivery.stale_emails(session, rt.policy)
        enqueue_emails(self.app, ids)
        return len(ids)

    @celery.task(name=SEND_DIGESTS, shared=False, bind=True, ignore_result=True)
    def send_digests(self, day: str | None = None) -> int:
        """Write today's digest emails (`day` ISO date, for tests and catch-up runs)."""
        rt = runtime_for(self.app)
        return delivery.write_digests(rt.factory, rt.context, _day(day, rt.policy))

    @celery.task(
        name=SYNC_PEOPLE,
        shared=False,
        bind=True,
        ignore_result=True,
        autoretry_for=(Unavailable,),
        retry_backoff=30,
        max_retries=10,
    )
    def sync_people_task(self) -> int:
        """Refresh the local copies of people and units (hourly, and when a worker starts)."""
        return sync_people(runtime_for(self.app))

    @celery.task(
        name=SEND_REMINDERS,
        shared=False,
        bind=True,
        ignore_result=True,
        autoretry_for=(Unavailable,),
        retry_backoff=60,
        max_retries=10,
    )
    def send_reminders(self, today: str | None = None, unit: str | None = None) -> int:
        """Reminders and escalations due `today` (ISO date; default: today in the department),
        for every unit or only `unit` (a re-run for one office)."""
        rt = runtime_for(self.app)
        return run_reminders(rt, _day(today, rt.policy), unit)


def sync_people(rt: TaskRuntime) -> int:
    """Bring the local copies of people and unit names up to date from identity's list of
    users and the catalogue's list of units; returns how many users were read."""
    as_of = directory.snapshot_time()
    users = ServiceClient(rt.settings, "identity").get("/users")
    units = ServiceClient(rt.settings, "catalogue").get("/units")
    with unit_of_work(rt.factory) as session:
        for unit in units:
            directory.apply_unit(session, unit)
        return directory.apply_snapshot(session, users, as_of)


def run_reminders(rt: TaskRuntime, today: date, unit: str | None = None) -> int:
    """Read the schedule of each fiscal year that matters today and remind from it."""
    catalogue = ServiceClient(rt.settings, "catalogue")
    only = {"unit": unit} if unit else {}
    created = 0
    for year in reminders.schedule_years(today, rt.policy):
        try:
            schedule = catalogue.get(f"/years/{year}/schedule", **only)
        except NotFound:
            continue  # that year (or unit) is not in the catalogue
        with unit_of_work(rt.factory) as session:
            created += reminders.remind(session, rt.context, year, schedule, today)
    log.info("reminders_sent", today=today.isoformat(), created=created)
    return created
