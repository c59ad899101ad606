"""Use cases that read reports: one report with its history, and filtered lists."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from common.auth import Principal
from common.errors import NotFound
from services.workflow import audit
from services.workflow.delegations import actor_of
from services.workflow.models import AuditEntry, Report
from services.workflow.rules import (
    CREATE_ROLES,
    DELEGABLE,
    DRAFT,
    SUBMIT,
    Actor,
    allowed_actions,
    may_edit,
    separation_problem,
)

MAX_PAGE = 1000


def visible_report(session: Session, actor: Actor, report_id: str) -> Report:
    """The report if the actor may see its unit; 404 alike for missing and out of scope."""
    report = session.get(Report, report_id) if len(report_id) <= 36 else None
    if report is None or not actor.may_see(report.unit):
        raise NotFound(f"No report {report_id}.")
    return report


def get_report(session: Session, principal: Principal, report_id: str) -> dict:
    actor = actor_of(session, principal)
    return shown(session, visible_report(session, actor, report_id), actor)


def shown(session: Session, report: Report, actor: Actor) -> dict:
    """The report as GET /reports/{id} shows it to `actor`: with its history."""
    authors = authors_of(session, [report])[report.id]
    return present(report, actor, authors, history=history(session, report.id))


def shown_to(session: Session, report: Report, principal: Principal) -> dict:
    """The report as a write answers it, with what its writer may do next."""
    return shown(session, report, actor_of(session, principal))


def list_reports(
    session: Session, principal: Principal, filters: Mapping[str, Any], limit: int, offset: int
) -> tuple[list[dict], int]:
    """The reports the caller may see that match the filters, and how many match in all."""
    actor = actor_of(session, principal)
    query = select(Report)
    for name in ("year", "unit", "kpi", "period", "state"):
        if filters.get(name) is not None:
            query = query.where(getattr(Report, name) == filters[name])
    if filters.get("person"):
        query = query.where(_in_history_of(filters["person"]))
    if not actor.sees_all_units:
        query = query.where(Report.unit.in_(sorted(actor.units)))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    page = query.order_by(Report.year, Report.unit, Report.kpi, Report.period)
    rows = list(session.scalars(page.limit(min(limit, MAX_PAGE)).offset(offset)))
    authors = authors_of(session, rows)
    return [present(r, actor, authors[r.id]) for r in rows], total


def _in_history_of(person: str):
    """Reports `person` created or last changed, or that any audit entry names them in, as
    the one who acted or the one acted for."""
    named = select(AuditEntry.subject_id).where(
        or_(AuditEntry.actor == person, AuditEntry.on_behalf_of == person)
    )
    return or_(Report.created_by == person, Report.updated_by == person, Report.id.in_(named))


def authors_of(session: Session, reports: list[Report]) -> dict[str, set[str]]:
    """Who created or submitted each report, at any time: none of them may check it."""
    out = {r.id: {r.created_by} for r in reports}
    if out:
        submitters = select(AuditEntry.subject_id, AuditEntry.actor).where(
            AuditEntry.subject_id.in_(list(out)), AuditEntry.action == SUBMIT
        )
        for report_id, actor in session.execute(submitters):
            out[report_id].add(actor)
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
    report: Report, actor: Actor, authors: set[str], history: list[dict] | None = None
) -> dict:
    """The report as the API shows it to `actor`, with what they may do to it now."""
    roles = actor.roles_in(report.unit)
    actions = [
        action
        for action in allowed_actions(report.state, roles)
        if separation_problem(action, authors, actor.username, None) is None
    ]
    out = {
        "id": report.id,
        "year": report.year,
        "kpi": report.kpi,
        "unit": report.unit,
        "period": report.period,
        "state": report.state,
        "value": report.value,
        "value_source": report.value_source,
        "value_basis": report.value_basis,
        "items": report.items,
        "evidence_ids": report.evidence_ids,
        "evidence": report.evidence,
        "note": report.note,
        "version": report.version,
        "method": report.method,
        "measure": report.measure,
        "counting_rule": report.counting_rule,
        "created_by": report.created_by,
        "created_at": report.created_at,
        "updated_by": report.updated_by,
        "updated_at": report.updated_at,
        "submitted_at": report.submitted_at,
        "approved_at": report.approved_at,
        "frozen": report.frozen,
        "actions": actions,
        "editable": may_edit(report.state, roles),
    }
    if history is not None:
        out["history"] = history
    return out


def rights_of(session: Session, principal: Principal) -> dict:
    """What the caller may do beyond one report: where, on whose behalf, what to hand on."""
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
