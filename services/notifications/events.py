"""Handlers of the events notifications consumes, and the consumers that run them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from common.config import Settings
from common.events import Envelope
from common.messaging import EventConsumer, Handler
from services.notifications import directory, messages, rules
from services.notifications.directory import MalformedEvent, field, moment
from services.notifications.models import Inbox, ReportState
from services.notifications.service import Context, Message, aware, insert_new, notify

DIRECTORY_KEYS = ("identity.user.changed", "workflow.delegation.*", "catalogue.assignment.changed")
REPORT_KEYS = ("workflow.report.*",)


def on_directory_event(session: Session, envelope: Envelope) -> None:
    """Keep the local copies of people, delegations and data collectors up to date."""
    when = moment(envelope.occurred_at)
    if envelope.type == "identity.user.changed":
        directory.apply_user(session, envelope.data, when)
    elif envelope.type == "workflow.delegation.created":
        directory.apply_delegation(session, envelope.data, revoked=False)
    elif envelope.type == "workflow.delegation.revoked":
        directory.apply_delegation(session, envelope.data, revoked=True)
    elif envelope.type == "catalogue.assignment.changed":
        directory.apply_assignment(session, envelope.data, when)


@dataclass(frozen=True)
class ReportEvent:
    report_id: str
    slot: messages.Slot
    state: str
    reporter: str | None
    actor: str | None
    on_behalf_of: str | None
    comment: str | None

    @classmethod
    def parse(cls, envelope: Envelope) -> ReportEvent:
        data = envelope.data
        year = field(data, "year", (int, str))
        if isinstance(year, str) and not year.isdigit():
            raise MalformedEvent("field 'year' is not a number")
        slot = messages.Slot(
            int(year), field(data, "unit", str), field(data, "kpi", str), field(data, "period", str)
        )
        return cls(
            report_id=str(field(data, "report_id", (str, int))),
            slot=slot,
            state=field(data, "state", str),
            reporter=field(data, "reporter", str, required=False),
            actor=field(data, "actor", str, required=False) or envelope.actor,
            on_behalf_of=field(data, "on_behalf_of", str, required=False),
            comment=field(data, "comment", str, required=False),
        )


def track_state(session: Session, report: ReportEvent, when: datetime) -> None:
    """Keep the latest state of each report (reminders skip what is handed in)."""
    slot = report.slot
    row = {
        "report_id": report.report_id,
        "year": slot.year,
        "unit": slot.unit,
        "kpi": slot.kpi,
        "period": slot.period,
        "state": report.state,
        "reporter": report.reporter,
        "as_of": when,
    }
    # Two events of one report may be handled at once by competing consumers.
    if insert_new(session, ReportState, row):
        return
    stored = session.get(ReportState, report.report_id, with_for_update=True)
    if aware(stored.as_of) <= when:
        stored.state, stored.as_of = report.state, when
        stored.reporter = report.reporter or stored.reporter


def report_handler(ctx: Context) -> Handler:
    """Tell the people a report's transition concerns, and only them."""

    def handle(session: Session, envelope: Envelope) -> None:
        report = ReportEvent.parse(envelope)
        when = moment(envelope.occurred_at)
        track_state(session, report, when)
        kind = rules.report_kind(envelope.type)
        if kind is None:
            return
        people = directory.recipients(
            session,
            rules.AUDIENCES[kind],
            report.slot.unit,
            ctx.policy.management_unit,
            ctx.policy.local_date(when),
            reporter=report.reporter,
        )
        people.pop(report.actor or "", None)  # nobody is told what they did themselves
        actor = directory.display_name(session, report.actor)
        if report.on_behalf_of:
            actor += f" (แทน {directory.display_name(session, report.on_behalf_of)})"
        title, body = messages.report_message(kind, report.slot, actor, report.comment)
        notify(session, ctx, people, Message(kind, envelope.id, report.report_id, title, body))

    return handle


def consumers(
    settings: Settings, factory: sessionmaker[Session], ctx: Context
) -> list[EventConsumer]:
    """The directory consumer, and competing consumers of report events on one queue."""
    shared = {
        "session_factory": factory,
        "inbox_model": Inbox,
        "broker_url": settings.broker_url,
        "exchange": settings.events_exchange,
        "queue_prefix": settings.queue_prefix,
    }
    people = EventConsumer(
        "notifications.directory", handler=on_directory_event, bindings=DIRECTORY_KEYS, **shared
    )
    handle_report = report_handler(ctx)
    reports = [
        EventConsumer(
            "notifications.reports", handler=handle_report, bindings=REPORT_KEYS, **shared
        )
        for _ in range(max(ctx.policy.consumers, 1))
    ]
    return [people, *reports]
