"""The events the scorecard is fed by, and the one handler that applies each of them.

The same handler serves the live consumer and the rebuild from the event history: replaying
every event in order through it gives the same read model.
"""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from common.config import Settings
from common.events import Envelope
from common.messaging import EventConsumer
from services.scorecard import catalogue_copy, tallying
from services.scorecard.models import Inbox, Report

BINDINGS = (
    "workflow.report.*",
    "catalogue.target.changed",
    "catalogue.scoring.changed",
    "catalogue.unit.changed",
    "catalogue.kpi.changed",
    "catalogue.year.*",
)


SEEN_REPORTS = "scorecard.reports"


class MalformedEvent(ValueError):
    """An event without the fields its type promises: dead-lettered, never half applied."""


def _report(session: Session, envelope: Envelope) -> None:
    data = envelope.data
    try:
        report_id, year = str(data["report_id"]), int(data["year"])
        unit, kpi, period, state = data["unit"], data["kpi"], data["period"], data["state"]
    except (KeyError, TypeError, ValueError) as exc:
        raise MalformedEvent(f"report event without {exc}") from exc
    # Reports this session has already seen (a rebuild primes it for a whole batch).
    seen = session.info.setdefault(SEEN_REPORTS, {})
    row = seen[report_id] if report_id in seen else session.get(Report, report_id)
    if row is not None and row.occurred_at > envelope.occurred_at:
        return  # an older event arriving late: the newer one already stands
    if row is None:
        row = Report(id=report_id)
        session.add(row)
    seen[report_id] = row
    row.year, row.unit, row.kpi, row.period, row.state = year, unit, kpi, period, state
    row.value, row.numerator = data.get("value"), data.get("numerator")
    row.denominator, row.people = data.get("denominator"), list(data.get("people") or [])
    row.occurred_at = envelope.occurred_at
    if catalogue_copy.is_copied(session, year):
        session.flush()
        tallying.refresh_share(session, year, unit, kpi)


def _scoring(session: Session, envelope: Envelope) -> None:
    data, year = envelope.data, int(envelope.data["year"])
    if not catalogue_copy.is_copied(session, year):
        return  # copied with the whole year when it is first read
    if catalogue_copy.upsert_scoring(session, year, data):
        tallying.retally_year(session, year)


def _target(session: Session, envelope: Envelope) -> None:
    data = envelope.data
    tallying.set_target(session, int(data["year"]), data["unit"], data["kpi"], data["target"])


def _unit(session: Session, envelope: Envelope) -> None:
    if catalogue_copy.upsert_unit(session, envelope.data):
        catalogue_copy.mark_stale(session)


def _structure(session: Session, envelope: Envelope) -> None:
    """A year opened or changed, or a KPI changed: its schedule may have changed."""
    catalogue_copy.mark_stale(session, int(envelope.data["year"]))


HANDLERS = {
    "catalogue.target.changed": _target,
    "catalogue.scoring.changed": _scoring,
    "catalogue.unit.changed": _unit,
    "catalogue.kpi.changed": _structure,
    "catalogue.year.opened": _structure,
    "catalogue.year.changed": _structure,
}


def on_event(session: Session, envelope: Envelope) -> None:
    """Apply one event to the read model (idempotent: an event applied twice changes nothing)."""
    if envelope.type.startswith("workflow.report."):
        _report(session, envelope)
    elif handler := HANDLERS.get(envelope.type):
        try:
            handler(session, envelope)
        except (KeyError, TypeError, ValueError) as exc:
            raise MalformedEvent(f"{envelope.type} without {exc}") from exc


def consumer(settings: Settings, session_factory: sessionmaker[Session]) -> EventConsumer:
    return EventConsumer(
        "scorecard.events",
        session_factory,
        Inbox,
        on_event,
        settings.broker_url,
        settings.events_exchange,
        settings.queue_prefix,
        bindings=BINDINGS,
    )
