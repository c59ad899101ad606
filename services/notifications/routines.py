"""Use cases the notification workers run on a schedule: refreshing the copies of people and
units, reminders and escalations, and re-sending emails whose task was lost."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import structlog
from sqlalchemy.orm import Session, sessionmaker

from common.clients import ServiceClient
from common.config import Settings
from common.db import unit_of_work
from services.notifications import delivery, directory, reminders
from services.notifications.gateways import Catalogue, HttpCatalogue, HttpPeople, People
from services.notifications.policy import Policy, policy_of
from services.notifications.service import Context

log = structlog.get_logger("rbm.notifications.routines")


@dataclass(frozen=True)
class WorkerDependencies:
    """What the workers' tasks use, built once per worker process (`worker_dependencies`)."""

    settings: Settings
    policy: Policy
    factory: sessionmaker[Session]
    identity: People
    catalogue: Catalogue

    @classmethod
    def of(cls, settings: Settings, factory: sessionmaker[Session]) -> WorkerDependencies:
        return cls(
            settings,
            policy_of(settings),
            factory,
            HttpPeople(ServiceClient(settings, "identity")),
            HttpCatalogue(ServiceClient(settings, "catalogue")),
        )

    @property
    def context(self) -> Context:
        return Context(self.settings.public_url, self.policy)


def sync_people(deps: WorkerDependencies) -> int:
    """Bring the local copies of people and unit names up to date from identity's list of
    users and the catalogue's list of units; returns how many users were read."""
    as_of = directory.snapshot_time()
    users = deps.identity.users()
    units = deps.catalogue.units()
    with unit_of_work(deps.factory) as session:
        for unit in units:
            directory.apply_unit(session, unit)
        return directory.apply_snapshot(session, users, as_of)


def run_reminders(deps: WorkerDependencies, today: date, unit: str | None = None) -> int:
    """Read the schedule of each fiscal year that matters today and remind from it."""
    created = 0
    for year in reminders.schedule_years(today, deps.policy):
        schedule = deps.catalogue.schedule(year, unit)
        if schedule is None:
            continue  # that year (or unit) is not in the catalogue
        with unit_of_work(deps.factory) as session:
            created += reminders.remind(session, deps.context, year, schedule, today)
    log.info("reminders_sent", today=today.isoformat(), created=created)
    return created


def lost_emails(deps: WorkerDependencies) -> list[str]:
    """Emails whose task was lost, marked so that the next sweep leaves them: to send again."""
    with unit_of_work(deps.factory) as session:
        return delivery.stale_emails(session, deps.policy)
