"""Celery tasks of notifications: send one email, sweep lost ones, daily digest, reminders."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import structlog
from celery import Celery
from sqlalchemy import event
from sqlalchemy.orm import Session, sessionmaker

from common.config import Settings
from common.db import make_session_factory, open_store
from common.errors import Unavailable
from common.events import utcnow
from common.tasks import worker_dependencies
from services.notifications import delivery, routines
from services.notifications.policy import Policy
from services.notifications.routines import WorkerDependencies
from services.notifications.service import OUTGOING

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


def worker_root(settings: Settings, celery: Celery) -> WorkerDependencies:
    """The workers' composition root: their database (at head; the emails its transactions
    write are queued after commit) and the services they ask."""
    factory = make_session_factory(open_store(settings, Path(__file__).parent / "migrations"))
    send_after_commit(factory, celery)
    return WorkerDependencies.of(settings, factory)


def _day(value: str | None, policy: Policy) -> date:
    return date.fromisoformat(value) if value else policy.local_date(utcnow())


def register(celery: Celery) -> None:
    """Define the tasks on this Celery app only (not shared: Celery would otherwise add each to
    every app of the process, closed over another app's runtime)."""

    @celery.task(name=SEND_EMAIL, shared=False, bind=True, max_retries=None, ignore_result=True)
    def send_email(self, email_id: str) -> None:
        """Send one email row; temporary failures come back after a growing wait."""
        deps = worker_dependencies(self.app, WorkerDependencies)
        # The task id claims the row: a copy redelivered after a crash takes it back.
        delay = delivery.deliver(
            deps.settings, deps.policy, deps.factory, email_id, self.request.id
        )
        if delay is not None:
            raise self.retry(countdown=delay)

    @celery.task(name=SWEEP_EMAILS, shared=False, bind=True, ignore_result=True)
    def sweep_emails(self) -> int:
        """Re-enqueue emails whose task was lost."""
        ids = routines.lost_emails(worker_dependencies(self.app, WorkerDependencies))
        enqueue_emails(self.app, ids)
        return len(ids)

    @celery.task(name=SEND_DIGESTS, shared=False, bind=True, ignore_result=True)
    def send_digests(self, day: str | None = None) -> int:
        """Write today's digest emails (`day` ISO date, for tests and catch-up runs)."""
        deps = worker_dependencies(self.app, WorkerDependencies)
        return delivery.write_digests(deps.factory, deps.context, _day(day, deps.policy))

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
        return routines.sync_people(worker_dependencies(self.app, WorkerDependencies))

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
        deps = worker_dependencies(self.app, WorkerDependencies)
        return routines.run_reminders(deps, _day(today, deps.policy), unit)
