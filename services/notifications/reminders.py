"""Reminders and escalation from the catalogue's schedule and the reports' known states.

Report states come from a local copy kept from `workflow.report.*` events rather than from
workflow's API: the reminder run then needs no report query per unit, KPI and period, and
still runs when workflow is down; the copy lags the truth by the event delivery time (seconds).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from common.fiscal import fiscal_year_of
from services.notifications import directory, messages, rules
from services.notifications.models import ReportState
from services.notifications.policy import Policy
from services.notifications.service import Context, Message, notify_all


def schedule_years(today: date, policy: Policy) -> list[int]:
    """Fiscal years whose schedule can hold a due date with a reminder stage open today."""
    earliest = today - timedelta(days=policy.escalate_after_days + rules.CATCH_UP_DAYS + 1)
    latest = today + timedelta(days=policy.remind_days_before)
    return sorted({fiscal_year_of(earliest), fiscal_year_of(latest)})


def latest_report(session: Session, slot: messages.Slot) -> ReportState | None:
    query = (
        select(ReportState)
        .where(
            ReportState.year == slot.year,
            ReportState.unit == slot.unit,
            ReportState.kpi == slot.kpi,
            ReportState.period == slot.period,
        )
        .order_by(ReportState.as_of.desc())
        .limit(1)
    )
    return session.scalar(query)


def remind(session: Session, ctx: Context, year: int, schedule: Iterable[dict], today: date) -> int:
    """Tell whoever each open stage names about each period not handed in; returns how many
    notifications were new (a second run on the same day adds none)."""
    policy = ctx.policy
    schedule = list(schedule)
    units = directory.unit_names(session, {row["unit"] for row in schedule})
    asks, messages_ = [], []
    for row in schedule:
        # The schedule holds only what units type or upload (imports are never due from a
        # unit); on-results periods are reported only with results.
        if row.get("optional") or not row.get("due_on"):
            continue
        due_on = date.fromisoformat(row["due_on"])
        stages = rules.reminder_stages(
            due_on, today, policy.remind_days_before, policy.escalate_after_days
        )
        if not stages:
            continue
        slot = messages.Slot(
            year, row["unit"], row["kpi"], row["period"], units.get(row["unit"], "")
        )
        report = latest_report(session, slot)
        if report is not None and report.state in rules.HANDED_IN:
            continue
        for stage in stages:
            audience = rules.AUDIENCES[stage]
            collector = None
            if audience.data_collector:
                collector = directory.data_collector(session, year, slot.unit, slot.kpi)
            asks.append(directory.Ask(audience, slot.unit, today, collector=collector))
            title, body = messages.reminder_message(stage, slot, due_on, today, policy.language)
            source = rules.reminder_source(stage, year, slot.unit, slot.kpi, slot.period)
            report_id = report.report_id if report else None
            messages_.append(Message(stage, source, report_id, title, body))
    people = directory.resolve(session, asks, policy.management_unit)
    return len(notify_all(session, ctx, list(zip(messages_, people, strict=True))))
