"""Progress of a year: every unit x KPI x period the catalogue schedules, its state, late or not.

The schedule (who reports what, and when it is due) is the catalogue's, copied by
`catalogue_copy`; the states are ours. A report is late when it was first submitted after its
due date, or when it is still not submitted and the due date has passed (dates in Thailand).
On-results KPIs ("when there are results") are shown but never expected, so never late; a
report sent for one counts as reported and approved as any other.
"""

from __future__ import annotations

import contextlib
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.orm import Session, sessionmaker

from common.auth import Principal
from common.db import unit_of_work
from common.errors import NotFound, Unavailable
from common.fiscal import DEPARTMENT_TZ
from common.fiscal import today as local_today
from services.workflow.catalogue_copy import ensure_schedule, ensure_schedules
from services.workflow.delegations import actor_of
from services.workflow.gateways import Gateways
from services.workflow.models import Report, ScheduleSlot, UnitCopy
from services.workflow.rules import APPROVED, ENDORSED, SUBMITTED

MISSING = "missing"
# States in which a report counts as reported: with the unit head or the reviewers, or done.
REPORTED = frozenset({SUBMITTED, ENDORSED, APPROVED})
TALLIES = ("expected", "reported", "approved", "late")
SLOT_OF_REPORT = and_(
    Report.year == ScheduleSlot.year,
    Report.unit == ScheduleSlot.unit,
    Report.kpi == ScheduleSlot.kpi,
    Report.period == ScheduleSlot.period,
)


def is_late(due_on: date, submitted_at: datetime | None, today: date) -> bool:
    if submitted_at is not None:
        return submitted_at.astimezone(DEPARTMENT_TZ).date() > due_on
    return today > due_on


def _shares(key: str | None, name: Any, tally: Mapping[str, int]) -> dict[str, Any]:
    expected = tally["expected"]
    out = {key: name, **tally} if key else dict(tally)
    for what in TALLIES[1:]:
        out[f"{what}_share"] = round(tally[what] / expected, 4) if expected else None
    return out


def matrix(cells: Iterable[tuple], today: date) -> dict[str, Any]:
    """Rows and roll-ups from cells (unit, kpi, period, due_on, optional, region, report id,
    state, submitted_at), the last three None where nothing was reported."""
    rows = []
    by_unit: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    by_region: dict[str | None, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    by_kpi: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    total = [0, 0, 0, 0]
    for unit, kpi, period, due_on, optional, region, report_id, state, submitted_at in cells:
        state = state or MISSING
        late = not optional and is_late(due_on, submitted_at, today)
        rows.append(
            {
                "unit": unit,
                "kpi": kpi,
                "period": period,
                "state": state,
                "report_id": report_id,
                "due_on": due_on.isoformat(),
                "late": late,
                "optional": optional,
            }
        )
        # An on-results report is never expected; once reported it counts as reported and
        # approved like any other, as the scorecard and the review queue count it.
        if optional and state not in REPORTED:
            continue
        done = (not optional, state in REPORTED, state == APPROVED, late)
        for tally in (by_unit[unit], by_region[region], by_kpi[kpi], total):
            for index, add in enumerate(done):
                tally[index] += add

    def shares(key: str, groups: Mapping) -> list[dict[str, Any]]:
        return [
            _shares(key, name, dict(zip(TALLIES, t, strict=True))) for name, t in groups.items()
        ]

    return {
        "rows": rows,
        "by_unit": shares("unit", by_unit),
        "by_region": shares("region", by_region),
        "by_kpi": shares("kpi", by_kpi),
        "total": _shares(None, None, dict(zip(TALLIES, total, strict=True))),
    }


def progress(
    sessions: sessionmaker[Session],
    principal: Principal,
    gateways: Gateways,
    year: int,
    unit: str | None = None,
    kpi: str | None = None,
    today: date | None = None,
) -> dict[str, Any]:
    """The progress matrix of a year for the units the caller may see."""
    with unit_of_work(sessions, writes=False) as session:
        actor = actor_of(session, principal)
    if unit and not actor.may_see(unit):
        raise NotFound(f"No unit {unit} that you may see.")
    must_know = {unit} if unit else (set() if actor.sees_all_units else set(actor.units))
    ensure_schedule(sessions, gateways, year, must_know)
    slot = ScheduleSlot
    query = (
        select(
            slot.unit,
            slot.kpi,
            slot.period,
            slot.due_on,
            slot.optional,
            UnitCopy.region,
            Report.id,
            Report.state,
            Report.submitted_at,
        )
        .outerjoin(Report, SLOT_OF_REPORT)
        .outerjoin(UnitCopy, UnitCopy.code == slot.unit)
        .where(slot.year == year)
        .order_by(slot.position)
    )
    if unit:
        query = query.where(slot.unit == unit)
    if kpi:
        query = query.where(slot.kpi == kpi)
    if not actor.sees_all_units:
        query = query.where(slot.unit.in_(sorted(actor.units)))
    with unit_of_work(sessions, writes=False) as session:
        return {"year": year, **matrix(session.execute(query), today or local_today())}


def due_dates(
    sessions: sessionmaker[Session],
    gateways: Gateways,
    reports: Sequence[Report],
    today: date | None = None,
) -> dict[str, tuple[date | None, bool]]:
    """Each report's due date and whether it is late, as the matrix has its cell, from the
    schedule copy of the report's year: one query for all of them. A report in no slot the
    catalogue schedules has no due date and is never late."""
    if not reports:
        return {}
    # The reports are the workflow's own: while the catalogue does not answer, they are shown
    # with the due dates of the copy held rather than not at all.
    with contextlib.suppress(Unavailable):
        ensure_schedules(sessions, gateways, {r.year for r in reports})
    with unit_of_work(sessions, writes=False) as session:
        found = {
            report_id: (due_on, optional)
            for report_id, due_on, optional in session.execute(
                select(Report.id, ScheduleSlot.due_on, ScheduleSlot.optional)
                .join(ScheduleSlot, SLOT_OF_REPORT)
                .where(Report.id.in_(sorted(r.id for r in reports)))
            )
        }
    today = today or local_today()
    out: dict[str, tuple[date | None, bool]] = {}
    for report in reports:
        due_on, optional = found.get(report.id, (None, False))
        late = due_on is not None and not optional and is_late(due_on, report.submitted_at, today)
        out[report.id] = (due_on, late)
    return out
