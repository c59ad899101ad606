"""Use cases that read reports: one report with its history, and filtered lists."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from common.auth import Principal
from common.errors import NotFound
from services.workflow import audit
from services.workflow.delegations import actor_of
from services.workflow.models import Report
from services.workflow.rules import Actor

MAX_PAGE = 1000


def visible_report(session: Session, actor: Actor, report_id: str) -> Report:
    """The report if the actor may see its unit; 404 alike for missing and out of scope."""
    report = session.get(Report, report_id) if len(report_id) <= 36 else None
    if report is None or not actor.may_see(report.unit):
        raise NotFound(f"No report {report_id}.")
    return report


def get_report(session: Session, principal: Principal, report_id: str) -> dict:
    return shown(session, visible_report(session, actor_of(session, principal), report_id))


def shown(session: Session, report: Report) -> dict:
    """The report as GET /reports/{id} shows it: with its history."""
    return present(report, history=history(session, report.id))


def list_reports(
    session: Session, principal: Principal, filters: Mapping[str, Any], limit: int, offset: int
) -> tuple[list[dict], int]:
    """The reports the caller may see that match the filters, and how many match in all."""
    actor = actor_of(session, principal)
    query = select(Report)
    for name in ("year", "unit", "kpi", "period", "state"):
        if filters.get(name) is not None:
            query = query.where(getattr(Report, name) == filters[name])
    if not actor.sees_all_units:
        query = query.where(Report.unit.in_(sorted(actor.units)))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    page = query.order_by(Report.year, Report.unit, Report.kpi, Report.period)
    rows = session.scalars(page.limit(min(limit, MAX_PAGE)).offset(offset))
    return [present(r) for r in rows], total


def history(session: Session, report_id: str) -> list[dict]:
    """Each step of a report's life, oldest first, from its audit entries."""
    out = []
    for entry in audit.entries_of(session, report_id):
        state = entry.changes.get("state") or {}
        out.append(
            {
                "seq": entry.seq,
                "at": entry.at.isoformat(),
                "action": entry.action,
                "actor": entry.actor,
                "on_behalf_of": entry.on_behalf_of,
                "from_state": state.get("before"),
                "to_state": state.get("after"),
                "comment": entry.comment,
            }
        )
    return out


def _iso(moment) -> str | None:
    return moment.isoformat() if moment else None


def present(report: Report, history: list[dict] | None = None) -> dict:
    """The report as the API shows it."""
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
        "created_at": _iso(report.created_at),
        "updated_by": report.updated_by,
        "updated_at": _iso(report.updated_at),
        "submitted_at": _iso(report.submitted_at),
        "approved_at": _iso(report.approved_at),
        "frozen": report.frozen,
    }
    if history is not None:
        out["history"] = history
    return out
