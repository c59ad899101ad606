"""Handlers of the events notifications consumes, and the consumers that run them."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import func
from sqlalchemy.orm import Session, sessionmaker

from common.clients import ServiceClient
from common.config import Settings
from common.db import upsert
from common.events import Envelope
from common.messaging import BatchConsumer, BatchHandler, EventConsumer
from services.notifications import directory, messages, rules
from services.notifications.directory import MalformedEvent, field, moment
from services.notifications.gateways import HttpPeople, People
from services.notifications.models import Inbox, Notification, ReportState, new_id
from services.notifications.service import (
    Context,
    Message,
    insert_new_rows,
    notify_all,
)

DIRECTORY_KEYS = (
    "identity.user.changed",
    "workflow.delegation.*",
    "catalogue.assignment.changed",
    "catalogue.unit.changed",
)
REPORT_KEYS = ("workflow.report.*",)


def on_directory_event(session: Session, envelope: Envelope) -> None:
    """Keep the local copies of people, unit names, delegations and data collectors."""
    when = moment(envelope.occurred_at)
    if envelope.type == "identity.user.changed":
        directory.apply_user(session, envelope.data, when)
    elif envelope.type == "workflow.delegation.created":
        directory.apply_delegation(session, envelope.data, revoked=False)
    elif envelope.type == "workflow.delegation.revoked":
        directory.apply_delegation(session, envelope.data, revoked=True)
        if envelope.data.get("reason"):
            tell_delegation_ended(session, envelope)
    elif envelope.type == "catalogue.assignment.changed":
        directory.apply_assignment(session, envelope.data, when)
    elif envelope.type == "catalogue.unit.changed":
        directory.apply_unit(session, envelope.data)


def tell_delegation_ended(session: Session, envelope: Envelope) -> None:
    """The stand-in reads in their inbox that they no longer act, and why."""
    data = envelope.data
    row = {
        "id": new_id(),
        "recipient": field(data, "delegate", str),
        "source": envelope.id,
        "kind": rules.DELEGATION_ENDED,
        "report_id": None,
        "title": f"สิ้นสุดการปฏิบัติหน้าที่แทน {field(data, 'delegator', str)}",
        "body": field(data, "reason", str),
        "link": "/",
        "delivery": rules.IN_APP,
        "created_at": moment(envelope.occurred_at),
    }
    insert_new_rows(session, Notification, [row])


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


def track_states(session: Session, reports: list[tuple[ReportEvent, datetime]]) -> None:
    """Keep the latest state of each report (reminders skip what is handed in)."""
    latest: dict[str, dict] = {}
    for report, when in reports:
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
        known = latest.get(report.report_id)
        if known is None or known["as_of"] <= when:
            latest[report.report_id] = row
    if not latest:
        return
    table = ReportState.__table__
    statement = upsert(session)(table).values(list(latest.values()))
    new = statement.excluded
    # An older event handled late (or by a competing consumer) does not undo a newer state.
    statement = statement.on_conflict_do_update(
        index_elements=[table.c.report_id],
        set_={
            "state": new.state,
            "as_of": new.as_of,
            "reporter": func.coalesce(new.reporter, table.c.reporter),
        },
        where=table.c.as_of <= new.as_of,
    )
    session.execute(statement)


def report_handler(ctx: Context, identity: People) -> BatchHandler:
    """Tell the people each report transition concerns, and only them."""

    def handle(session: Session, envelopes: list[Envelope]) -> None:
        reports = [(e, ReportEvent.parse(e), moment(e.occurred_at)) for e in envelopes]
        track_states(session, [(report, when) for _, report, when in reports])
        told = [(e, r, w, rules.report_kind(e.type)) for e, r, w in reports]
        told = [item for item in told if item[3] is not None]
        asks = [
            directory.Ask(
                rules.AUDIENCES[kind],
                report.slot.unit,
                ctx.policy.local_date(when),
                reporter=report.reporter,
                actor=report.actor,
            )
            for _, report, when, kind in told
        ]
        people = directory.resolve(session, asks, ctx.policy.management_unit)
        unknown = {ask.unit for ask, found in zip(asks, people, strict=True) if not found}
        if unknown:
            # Identity announces new people on another queue, which may lag this one: ask
            # identity before telling no one (a failure here retries the events).
            as_of = directory.snapshot_time()
            for unit in sorted(unknown):
                directory.apply_snapshot(session, identity.users(unit), as_of)
            people = directory.resolve(session, asks, ctx.policy.management_unit)
        named = {r.actor or "" for _, r, _, _ in told} | {
            r.on_behalf_of or "" for _, r, _, _ in told
        }
        names = directory.display_names(session, named - {""})
        units = directory.unit_names(session, {r.slot.unit for _, r, _, _ in told})
        batch = []
        for (envelope, report, _, kind), recipients in zip(told, people, strict=True):
            lang = ctx.policy.language
            stand_in_for = names.get(report.on_behalf_of or "", report.on_behalf_of)
            actor = messages.actor_label(names.get(report.actor or ""), stand_in_for, lang)
            slot = replace(report.slot, unit_name=units.get(report.slot.unit, ""))
            title, body = messages.report_message(kind, slot, actor, report.comment, lang)
            message = Message(kind, envelope.id, report.report_id, title, body)
            batch.append((message, recipients))
        notify_all(session, ctx, batch)

    return handle


def consumers(
    settings: Settings, factory: sessionmaker[Session], ctx: Context
) -> list[EventConsumer]:
    """The directory consumer, and competing batch consumers of report events on one queue."""
    people = EventConsumer.of(
        settings,
        "notifications.directory",
        factory,
        Inbox,
        DIRECTORY_KEYS,
        handler=on_directory_event,
    )
    handle_reports = report_handler(ctx, HttpPeople(ServiceClient(settings, "identity")))
    reports = [
        BatchConsumer.of(
            settings,
            "notifications.reports",
            factory,
            Inbox,
            REPORT_KEYS,
            batch_handler=handle_reports,
        )
        for _ in range(max(ctx.policy.consumers, 1))
    ]
    return [people, *reports]
