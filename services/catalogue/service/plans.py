"""A year's plan: targets and owners per unit per KPI, the schedule, and who reports what."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from common.auth import Principal
from common.db import read_only, transactional
from common.errors import Forbidden, Invalid
from common.events import record_event, utcnow
from services.catalogue import rules
from services.catalogue.events import AssignmentChanged, TargetChanged
from services.catalogue.models import Assignment, Kpi, Outbox, Target, Unit, Year
from services.catalogue.service.base import (
    editable_year,
    facts,
    find_kpi,
    find_unit,
    find_year,
    may_assign,
    require_assigner,
    require_writer,
    visible_units,
)

# --- reading rows the caller may see ------------------------------------------------------


def _rows(
    session: Session,
    principal: Principal,
    model: Any,
    year: int,
    unit: str | None,
    kpi: str | None,
) -> list[Any]:
    find_year(session, year)
    query = select(model).where(model.year == year)
    if unit is not None:
        find_unit(session, unit)
        query = query.where(model.unit == unit)
    if kpi is not None:
        find_kpi(session, year, kpi)
        query = query.where(model.kpi == kpi)
    visible = visible_units(session, principal)
    if unit is not None and visible is not None and unit not in visible:
        raise Forbidden(f"You may not see the plans of unit {unit}.")
    rows = [r for r in session.scalars(query) if visible is None or r.unit in visible]
    return sorted(rows, key=lambda r: (r.unit, rules.kpi_sort_key(r.kpi)))


def target_dict(row: Target) -> dict[str, Any]:
    return {
        "year": row.year,
        "unit": row.unit,
        "kpi": row.kpi,
        "target": row.target,
        "denominator": row.denominator,
        "denominator_label": row.denominator_label,
    }


def assignment_dict(row: Assignment) -> dict[str, Any]:
    return {
        "year": row.year,
        "unit": row.unit,
        "kpi": row.kpi,
        "responsible": row.responsible,
        "data_collector": row.data_collector,
    }


@read_only
def list_targets(
    session: Session,
    principal: Principal,
    year: int,
    unit: str | None = None,
    kpi: str | None = None,
) -> list[dict[str, Any]]:
    return [target_dict(r) for r in _rows(session, principal, Target, year, unit, kpi)]


@read_only
def list_assignments(
    session: Session,
    principal: Principal,
    year: int,
    unit: str | None = None,
    kpi: str | None = None,
) -> list[dict[str, Any]]:
    return [assignment_dict(r) for r in _rows(session, principal, Assignment, year, unit, kpi)]


# --- writing rows -------------------------------------------------------------------------


RowCheck = Callable[[dict[str, Any], Unit, Kpi], dict[str, list[str]]]


def _check_rows(
    session: Session, year: int, rows: list[dict[str, Any]], check: RowCheck
) -> list[tuple[dict[str, Any], Unit, Kpi]]:
    """Resolve each row's unit and KPI; all problems by row index, or (row, unit, kpi)s."""
    errors: dict[str, dict[str, list[str]]] = {}
    resolved, seen = [], set()
    for index, row in enumerate(rows):
        problems: dict[str, list[str]] = {}
        unit = session.get(Unit, row["unit"])
        kpi = session.get(Kpi, (year, row["kpi"]))
        if unit is None:
            problems["unit"] = [f"Unknown unit '{row['unit']}'."]
        if kpi is None:
            problems["kpi"] = [f"No KPI '{row['kpi']}' in year {year}."]
        if unit is not None and kpi is not None:
            if problem := rules.unit_kind_problem(facts(kpi), unit.kind):
                problems["kpi"] = [problem + "."]
            problems.update(check(row, unit, kpi))
        if (row["unit"], row["kpi"]) in seen:
            problems.setdefault("kpi", []).append("The same unit and KPI appear twice.")
        seen.add((row["unit"], row["kpi"]))
        if problems:
            errors[str(index)] = problems
        if unit is not None and kpi is not None:
            resolved.append((row, unit, kpi))
    if errors:
        raise Invalid("Some rows are not valid; nothing was saved.", errors)
    return resolved


def _target_problems(row: dict[str, Any], unit: Unit, kpi: Kpi) -> dict[str, list[str]]:
    return rules.target_problems(kpi.measure, row["target"], row.get("denominator"))


@transactional
def put_targets(
    session: Session, actor: Principal, year: int, rows: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Set the given units' targets (rows not sent stay as they are); all rows or none."""
    require_writer(actor)
    editable_year(session, year)
    saved = []
    for row, unit, kpi in _check_rows(session, year, rows, _target_problems):
        target = session.get(Target, (year, unit.code, kpi.code))
        values = {
            "target": float(row["target"]),
            "denominator": row.get("denominator"),
            "denominator_label": row.get("denominator_label") or kpi.denominator_label,
        }
        if target is None:
            target = Target(year=year, unit=unit.code, kpi=kpi.code, **values)
            session.add(target)
        elif values == {k: getattr(target, k) for k in values}:
            saved.append(target_dict(target))
            continue
        for key, value in values.items():
            setattr(target, key, value)
        target.updated_by, target.updated_at = actor.username, utcnow()
        data = target_dict(target)
        record_event(session, Outbox, TargetChanged(**data), actor.username)
        saved.append(data)
    return saved


def _assignment_problems(row: dict[str, Any], unit: Unit, kpi: Kpi) -> dict[str, list[str]]:
    problems = {}
    for field in ("responsible", "data_collector"):
        name = row.get(field)
        if name is not None and (problem := rules.username_problem(name)):
            problems[field] = [problem]
    return problems


@transactional
def put_assignments(
    session: Session, actor: Principal, year: int, rows: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Set who is responsible for and who collects each given unit's KPI; all rows or none.

    Catalogue writers set every unit's owners, a unit head their own unit's. A row with both
    names null removes the assignment.
    """
    require_assigner(actor)
    editable_year(session, year)
    refused = sorted({r["unit"] for r in rows if not may_assign(actor, r["unit"])})
    if refused:
        raise Forbidden(f"You may not set the owners of unit(s) {', '.join(refused)}.")
    saved = []
    for row, unit, kpi in _check_rows(session, year, rows, _assignment_problems):
        current = session.get(Assignment, (year, unit.code, kpi.code))
        names = {"responsible": row.get("responsible"), "data_collector": row.get("data_collector")}
        before = {k: getattr(current, k) for k in names} if current else dict.fromkeys(names)
        data = {"year": year, "unit": unit.code, "kpi": kpi.code, **names}
        saved.append(data)
        if names == before:
            continue
        if current is None:
            current = Assignment(year=year, unit=unit.code, kpi=kpi.code)
            session.add(current)
        for key, value in names.items():
            setattr(current, key, value)
        current.updated_by, current.updated_at = actor.username, utcnow()
        if not any(names.values()):
            session.delete(current)
        changed = AssignmentChanged(year, unit.code, kpi.code, **names)
        record_event(session, Outbox, changed, actor.username)
    return saved


# --- the schedule and applicability -------------------------------------------------------


@transactional
def applicability_table(session: Session, year: int) -> list[dict[str, Any]]:
    """Who reports what in `year`: each KPI × unit type, how (entry, template, import, none)
    and on which cycle. Every other answer about who reports what follows the same rule."""
    find_year(session, year)
    return rules.applicability_table(
        facts(kpi) for kpi in session.scalars(select(Kpi).where(Kpi.year == year))
    )


@read_only
def applicability(
    session: Session,
    year: int,
    unit: str,
    kpi: str,
    period: str | None,
    via: str = rules.TYPED,
) -> dict[str, Any]:
    """Whether `unit` reports `kpi` in `year` (and `period`) the way `via` says (typed in or
    imported), why not, the period's dates and the unit's row of the applicability table.

    404 only for an unknown year, unit or KPI: every other "no" is an answer with a reason.
    """
    year_row = find_year(session, year)
    kpi_row = find_kpi(session, year, kpi)
    unit_row = find_unit(session, unit)
    decision = rules.applicability(facts(kpi_row), unit_row.kind, period, via)
    way = rules.way_of(facts(kpi_row), unit_row.kind)
    days = rules.effective_due_days(year_row.due_days, kpi_row.due_days)
    found = rules.period_of(year, way.cycle, period, days) if period else None
    return {
        "reports": decision.reports,
        "reason": decision.reason,
        "why": decision.why,
        "period": found.as_dict() if found else None,
        "year": year,
        "year_status": year_row.status,
        "unit": unit,
        "kpi": kpi,
        "method": kpi_row.method,
        "cycle": kpi_row.cycle,
        "reporting": {"kpi": kpi, "unit_type": unit_row.kind, **vars(way)},
        "optional": kpi_row.cycle == "on-results",
        "imported": rules.is_imported(kpi_row.method),
    }


@read_only
def schedule(
    session: Session,
    year: int,
    unit: str | None = None,
    kpi: str | None = None,
    period: str | None = None,
    via: str = rules.TYPED,
) -> list[dict[str, Any]]:
    """The periods each unit reports, with their due dates; on-results are optional.

    A unit is due only for what it types or uploads (`via=typed`, the default): imported KPIs
    (feed, survey) are never due from a unit. `via=imported` gives the slots an import
    brings in instead, with the import's due dates.
    """
    year_row = find_year(session, year)
    units = [find_unit(session, unit)] if unit else list(session.scalars(select(Unit)))
    kpis = (
        [find_kpi(session, year, kpi)]
        if kpi
        else list(session.scalars(select(Kpi).where(Kpi.year == year)))
    )
    units.sort(key=lambda u: u.code)
    kpis.sort(key=lambda k: rules.kpi_sort_key(k.code))
    wanted = {rules.IMPORT} if via == rules.IMPORTED else {rules.ENTRY, rules.TEMPLATE}
    slots_of_kind: dict[str, list[dict[str, Any]]] = {}
    rows: list[dict[str, Any]] = []
    for unit_row in units:
        if unit_row.kind not in slots_of_kind:
            slots_of_kind[unit_row.kind] = _slots(year_row, kpis, unit_row.kind, wanted, period)
        rows.extend({"unit": unit_row.code, **slot} for slot in slots_of_kind[unit_row.kind])
    return rows


def _slots(
    year_row: Year, kpis: list[Kpi], kind: str, wanted: set[str], period: str | None
) -> list[dict[str, Any]]:
    """The slots, in order, a unit of `kind` has in the year: they follow from its kind alone."""
    slots = []
    for kpi_row in kpis:
        way = rules.way_of(facts(kpi_row), kind)
        if way.method not in wanted:
            continue
        days = rules.effective_due_days(year_row.due_days, kpi_row.due_days)
        for found in rules.periods_of(year_row.year, way.cycle, days):
            if period is None or found.period == period:
                slots.append(
                    {
                        "kpi": kpi_row.code,
                        **found.as_dict(),
                        "optional": way.cycle == "on-results",
                        "imported": way.method == rules.IMPORT,
                    }
                )
    return slots
