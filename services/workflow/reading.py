"""Use cases that read reports: one report with its history, and filtered lists."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from marshmallow import missing
from sqlalchemy import func, or_, select, true
from sqlalchemy.orm import Session, sessionmaker

from common.auth import Principal
from common.db import unit_of_work
from common.errors import NotFound
from services.workflow import audit
from services.workflow.catalogue_copy import DEPARTMENT, ensure_units
from services.workflow.delegations import actor_of
from services.workflow.gateways import Gateways
from services.workflow.models import AuditEntry, Report, UnitCopy
from services.workflow.progress import due_dates
from services.workflow.rules import (
    CREATE_ROLES,
    DELEGABLE,
    DRAFT,
    SUBMIT,
    Actor,
    Deed,
    allowed_actions,
    may_edit,
    open_actions,
)

MAX_PAGE = 1000


@dataclass(frozen=True)
class ReportView:
    """A report as one caller sees it: the stored report, what they may do to it now, its
    history where it is shown whole, and its slot's due date and lateness (`scheduled`).
    `ReportSchema` reads the report's own fields through it."""

    report: Report
    actions: list[str]
    editable: bool
    history: Any = missing  # a list answers no history
    due_on: Any = missing
    late: Any = missing

    def __getattr__(self, name: str) -> Any:
        if name == "report":  # not set yet (while copying): no report to read through
            raise AttributeError(name)
        return getattr(self.report, name)


def visible_report(session: Session, actor: Actor, report_id: str) -> Report:
    """The report if the actor may see its unit; 404 alike for missing and out of scope."""
    report = session.get(Report, report_id) if len(report_id) <= 36 else None
    if report is None or not actor.may_see(report.unit):
        raise NotFound(f"No report {report_id}.")
    return report


def get_report(
    sessions: sessionmaker[Session], principal: Principal, gateways: Gateways, report_id: str
) -> ReportView:
    """One report the caller may see, with its history, due date and lateness."""
    with unit_of_work(sessions, writes=False) as session:
        actor = actor_of(session, principal)
        view = shown(session, visible_report(session, actor, report_id), actor)
    return with_due_date(sessions, gateways, view)


def shown(session: Session, report: Report, actor: Actor) -> ReportView:
    """The report as GET /reports/{id} and every write show it to `actor`: with its history."""
    deeds = deeds_of(session, [report])[report.id]
    return present(report, actor, deeds, history=history(session, report.id))


def list_reports(
    sessions: sessionmaker[Session],
    principal: Principal,
    gateways: Gateways,
    filters: Mapping[str, Any],
    limit: int,
    offset: int,
) -> tuple[list[ReportView], int]:
    """The reports the caller may see that match the filters, and how many match in all."""
    if filters.get("within"):
        ensure_units(sessions, gateways, {filters["within"]})
    with unit_of_work(sessions, writes=False) as session:
        actor = actor_of(session, principal)
        query = select(Report)
        for name in ("year", "unit", "kpi", "period", "state"):
            if filters.get(name) is not None:
                query = query.where(getattr(Report, name) == filters[name])
        if filters.get("within"):
            query = query.where(_within(session, filters["within"]))
        if filters.get("person"):
            query = query.where(_in_history_of(filters["person"]))
        if not actor.sees_all_units:
            query = query.where(Report.unit.in_(sorted(actor.units)))
        total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
        page = query.order_by(Report.year, Report.unit, Report.kpi, Report.period)
        rows = list(session.scalars(page.limit(min(limit, MAX_PAGE)).offset(offset)))
        deeds = deeds_of(session, rows)
        views = [present(r, actor, deeds[r.id]) for r in rows]
    return with_due_dates(sessions, gateways, views), total


def with_due_dates(
    sessions: sessionmaker[Session], gateways: Gateways, views: list[ReportView]
) -> list[ReportView]:
    """The reports with their due dates and lateness, as the progress matrix has their cells."""
    dates = due_dates(sessions, gateways, [view.report for view in views])
    return [replace(view, due_on=dates[view.id][0], late=dates[view.id][1]) for view in views]


def with_due_date(
    sessions: sessionmaker[Session], gateways: Gateways, view: ReportView
) -> ReportView:
    """What every use case that shows one report returns: the report with its due date."""
    (dated,) = with_due_dates(sessions, gateways, [view])
    return dated


def report_audit(
    sessions: sessionmaker[Session], principal: Principal, report_id: str
) -> list[AuditEntry]:
    """Every change to a report the caller may see, oldest first."""
    with unit_of_work(sessions, writes=False) as session:
        actor = actor_of(session, principal)
        return audit.entries_of(session, visible_report(session, actor, report_id).id)


def _within(session: Session, unit: str):
    """Reports of `unit` and of the units below it: the whole tree below the department, a
    region's provincial offices (the copy keeps each unit's region), or the unit alone."""
    if session.scalar(select(UnitCopy.kind).where(UnitCopy.code == unit)) == DEPARTMENT:
        return true()
    below = select(UnitCopy.code).where(UnitCopy.region == unit)
    return or_(Report.unit == unit, Report.unit.in_(below))


def _in_history_of(person: str):
    """Reports `person` created or last changed, or that any audit entry names them in, as
    the one who acted or the one acted for."""
    named = select(AuditEntry.subject_id).where(
        or_(AuditEntry.actor == person, AuditEntry.on_behalf_of == person)
    )
    return or_(Report.created_by == person, Report.updated_by == person, Report.id.in_(named))


def deeds_of(session: Session, reports: list[Report]) -> dict[str, list[Deed]]:
    """Each report's whole history as separation of duties reads it: who took each step, on
    whose right, and which step it was."""
    out: dict[str, list[Deed]] = {r.id: [] for r in reports}
    if out:
        steps = (
            select(
                AuditEntry.subject_id, AuditEntry.actor, AuditEntry.on_behalf_of, AuditEntry.action
            )
            .where(AuditEntry.subject_id.in_(list(out)))
            .order_by(AuditEntry.seq)
        )
        for report_id, actor, on_behalf_of, action in session.execute(steps):
            out[report_id].append(Deed(actor, on_behalf_of, action))
    return out


def history(session: Session, report_id: str) -> list[dict]:
    """Each step of a report's life, oldest first, from its audit entries."""
    out = []
    for entry in audit.entries_of(session, report_id):
        state = entry.changes.get("state") or {}
        out.append(
            {
                "seq": entry.seq,
                "at": entry.at,
                "action": entry.action,
                "actor": entry.actor,
                "on_behalf_of": entry.on_behalf_of,
                "from_state": state.get("before"),
                "to_state": state.get("after"),
                "comment": entry.comment,
            }
        )
    return out


def present(
    report: Report, actor: Actor, deeds: list[Deed], history: list[dict] | None = None
) -> ReportView:
    """The report as the API shows it to `actor`, with what they may do to it now."""
    roles = actor.roles_in(report.unit)
    actions = open_actions(report.state, roles, actor.username, deeds)
    editable = may_edit(report.state, roles)
    if history is None:
        return ReportView(report, actions, editable)
    return ReportView(report, actions, editable, history)


def rights_of(sessions: sessionmaker[Session], principal: Principal) -> dict:
    """What the caller may do beyond one report: where, on whose behalf, what to hand on."""
    with unit_of_work(sessions, writes=False) as session:
        actor = actor_of(session, principal)

    def units_where(allowed) -> list[str]:
        return sorted(unit for unit in actor.units if allowed(actor.roles_in(unit)))

    return {
        "username": actor.username,
        "grants": [
            {"unit": g.unit, "role": g.role, "on_behalf_of": g.on_behalf_of} for g in actor.grants
        ],
        "sees_all_units": actor.sees_all_units,
        "writer_units": units_where(lambda roles: roles.keys() & CREATE_ROLES),
        "submitter_units": units_where(lambda roles: SUBMIT in allowed_actions(DRAFT, roles)),
        "delegable": [
            {"unit": unit, "role": role}
            for unit, role in sorted(principal.memberships)
            if role in DELEGABLE
        ],
    }
