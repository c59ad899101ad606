"""Progress of a year: every unit x KPI x period the catalogue schedules, its state, late or not.

The schedule (who reports what, and when it is due) is the catalogue's; the states are ours.
A report is late when it was first submitted after its due date, or when it is still not
submitted and the due date has passed (dates in Thailand). On-results KPIs ("when there are
results") are shown but never expected, so they are never late.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from common.auth import Principal
from common.errors import NotFound
from services.workflow.delegations import LOCAL_TZ, actor_of, local_today
from services.workflow.gateways import Lookups
from services.workflow.models import Report
from services.workflow.rules import APPROVED, ENDORSED, SUBMITTED

MISSING = "missing"
# States in which a report counts as reported: with the unit head or the reviewers, or done.
REPORTED = frozenset({SUBMITTED, ENDORSED, APPROVED})


def is_late(due_on: date, submitted_at: datetime | None, today: date) -> bool:
    if submitted_at is not None:
        return submitted_at.astimezone(LOCAL_TZ).date() > due_on
    return today > due_on


def region_of(unit: Mapping[str, Any] | None) -> str | None:
    """A regional office is its own region; a provincial office belongs to its parent's."""
    if unit is None:
        return None
    if unit.get("kind") == "region":
        return unit["code"]
    if unit.get("kind") == "province":
        return unit.get("parent")
    return None


def _tally() -> dict[str, int]:
    return {"expected": 0, "reported": 0, "approved": 0, "late": 0}


def _shares(key: str, name: Any, tally: Mapping[str, int]) -> dict[str, Any]:
    expected = tally["expected"]
    out = {key: name, **tally}
    for what in ("reported", "approved", "late"):
        out[f"{what}_share"] = round(tally[what] / expected, 4) if expected else None
    return out


def matrix(
    schedule: Iterable[Mapping[str, Any]],
    reports: Iterable[tuple[str, str, str, str, str, datetime | None]],
    regions: Mapping[str, str | None],
    today: date,
) -> dict[str, Any]:
    """Rows and roll-ups from the schedule and (unit, kpi, period, id, state, submitted_at)."""
    found = {(u, k, p): (rid, state, sub) for u, k, p, rid, state, sub in reports}
    rows = []
    by_unit: dict[str, dict[str, int]] = defaultdict(_tally)
    by_region: dict[str | None, dict[str, int]] = defaultdict(_tally)
    by_kpi: dict[str, dict[str, int]] = defaultdict(_tally)
    total = _tally()
    for slot in schedule:
        unit, kpi, period = slot["unit"], slot["kpi"], slot["period"]
        due_on = date.fromisoformat(slot["due_on"])
        report_id, state, submitted_at = found.get((unit, kpi, period), (None, MISSING, None))
        optional = bool(slot.get("optional"))
        late = not optional and is_late(due_on, submitted_at, today)
        rows.append(
            {
                "unit": unit,
                "kpi": kpi,
                "period": period,
                "state": state,
                "report_id": report_id,
                "due_on": slot["due_on"],
                "late": late,
                "optional": optional,
            }
        )
        if optional:
            continue
        done = (1, int(state in REPORTED), int(state == APPROVED), int(late))
        for tally in (by_unit[unit], by_region[regions.get(unit)], by_kpi[kpi], total):
            for name, add in zip(("expected", "reported", "approved", "late"), done, strict=True):
                tally[name] += add
    return {
        "rows": rows,
        "by_unit": [_shares("unit", k, v) for k, v in sorted(by_unit.items())],
        "by_region": [
            _shares("region", k, v)
            for k, v in sorted(by_region.items(), key=lambda kv: kv[0] or "")
        ],
        "by_kpi": [_shares("kpi", k, v) for k, v in by_kpi.items()],
        "total": _shares("year", None, total),
    }


def progress(
    session: Session,
    principal: Principal,
    lookups: Lookups,
    year: int,
    unit: str | None = None,
    kpi: str | None = None,
    today: date | None = None,
) -> dict[str, Any]:
    """The progress matrix of a year for the units the caller may see."""
    actor = actor_of(session, principal)
    if unit and not actor.may_see(unit):
        raise NotFound(f"No unit {unit} that you may see.")
    schedule = lookups.schedule(year, unit=unit, kpi=kpi)
    query = select(
        Report.unit, Report.kpi, Report.period, Report.id, Report.state, Report.submitted_at
    ).where(Report.year == year)
    if unit:
        query = query.where(Report.unit == unit)
    if kpi:
        query = query.where(Report.kpi == kpi)
    if not actor.sees_all_units:
        schedule = [slot for slot in schedule if slot["unit"] in actor.units]
        query = query.where(Report.unit.in_(sorted(actor.units)))
    regions = {u["code"]: region_of(u) for u in lookups.units()}
    result = matrix(schedule, session.execute(query), regions, today or local_today())
    return {"year": year, **result}
