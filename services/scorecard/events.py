"""The events the scorecard is fed by, and the one handler that applies each of them.

The same handler serves the live consumer and the rebuild from the event history: replaying
every event in order through it gives the same read model.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from common.config import Settings
from common.events import Envelope
from common.messaging import BatchConsumer, EventConsumer
from services.scorecard import catalogue_copy, tallying
from services.scorecard.models import Inbox

BINDINGS = (
    "workflow.report.*",
    "catalogue.target.changed",
    "catalogue.scoring.changed",
    "catalogue.unit.changed",
    "catalogue.kpi.changed",
    "catalogue.year.*",
)


REPORTS = "workflow.report."


class MalformedEvent(ValueError):
    """An event without the fields its type promises: dead-lettered, never half applied."""


def _report_row(envelope: Envelope) -> dict[str, Any]:
    data = envelope.data
    try:
        row = {
            "id": str(data["report_id"]),
            "year": int(data["year"]),
            "unit": data["unit"],
            "kpi": data["kpi"],
            "period": data["period"],
            "state": data["state"],
        }
    except (KeyError, TypeError, ValueError) as exc:
        raise MalformedEvent(f"report event without {exc}") from exc
    return {
        **row,
        "value": data.get("value"),
        "numerator": data.get("numerator"),
        "denominator": data.get("denominator"),
        "people": list(data.get("people") or []),
        "counted_keys": _counted_keys(data),
        "occurred_at": envelope.occurred_at,
    }


def _counted_keys(data: dict[str, Any]) -> list | None:
    """The keys a report counted (2.2's [agency, month]); none in events of before they were
    carried, or for a KPI without them: such a report counts its value."""
    keys = data.get("counted_keys") or None
    if keys is not None and not isinstance(keys, list):
        raise MalformedEvent("report event with counted_keys that are not a list")
    return keys


def _reports(session: Session, rows: list[dict[str, Any]]) -> None:
    """Store a run of reports' latest events, then count each share they touch once."""
    if not rows:
        return
    tallying.store_reports(session, rows)
    slots: dict[int, set[tuple[str, str]]] = defaultdict(set)
    for row in rows:
        slots[row["year"]].add((row["unit"], row["kpi"]))
    for year, touched in slots.items():
        if catalogue_copy.counts_live(session, year):
            tallying.refresh_shares(session, year, touched)


def _scoring(session: Session, envelope: Envelope) -> None:
    """New thresholds or weights are kept and read as scores are made (nothing is counted
    again); a new aggregation or roll-up has the year counted again in the background."""
    data, year = envelope.data, int(envelope.data["year"])
    if not catalogue_copy.counts_live(session, year):
        return  # copied with the whole year when it is next counted
    if catalogue_copy.upsert_scoring(session, year, data):
        catalogue_copy.mark_stale(session, year)


def _target(session: Session, envelope: Envelope) -> None:
    data, year = envelope.data, int(envelope.data["year"])
    catalogue_copy.counts_live(session, year)  # waits for a recount of the year to end
    tallying.set_target(session, year, data["unit"], data["kpi"], data["target"])


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


def on_events(session: Session, envelopes: Iterable[Envelope]) -> None:
    """Apply events in order (idempotent: an event applied twice changes nothing). A run of
    report events is applied together, keeping each report's latest; any other event first
    applies the run before it, so that it finds the read model as the events left it."""
    run: dict[str, dict[str, Any]] = {}
    for envelope in envelopes:
        if envelope.type.startswith(REPORTS):
            row = _report_row(envelope)
            held = run.get(row["id"])
            if held is None or held["occurred_at"] <= row["occurred_at"]:
                run[row["id"]] = row
        elif handler := HANDLERS.get(envelope.type):
            _reports(session, list(run.values()))
            run = {}
            try:
                handler(session, envelope)
            except (KeyError, TypeError, ValueError) as exc:
                raise MalformedEvent(f"{envelope.type} without {exc}") from exc
    _reports(session, list(run.values()))


def on_event(session: Session, envelope: Envelope) -> None:
    """Apply one event to the read model."""
    on_events(session, [envelope])


class Consumer(BatchConsumer):
    """Events that arrive together (a burst of approvals, a page of a feed) are applied
    together: their reports in one statement, each share counted once, one transaction."""

    # A page's reports are counted together: larger pages catch up on a backlog faster.
    feed_page = 500


def consumer(settings: Settings, session_factory: sessionmaker[Session]) -> EventConsumer:
    return Consumer.of(
        settings, "scorecard.events", session_factory, Inbox, BINDINGS, batch_handler=on_events
    )
