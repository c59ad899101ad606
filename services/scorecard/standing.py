"""A unit's figures as they stood at a past date (a round report's as-of date), counted from
the reports kept in the read model rather than from the tallies, which stand as of now.

A report counts when it was approved by the end of the date (in Thailand) and its period had
ended by then; each share and its keys are counted as the tallies count them.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from common.fiscal import period_dates, today
from services.scorecard.models import Kpi, Report, Scoring
from services.scorecard.tallying import (
    APPROVED,
    CHUNK,
    _contribution,
    among,
    parents_of,
    share_row,
)

# What the figures of a KPI are: a tally's approved columns, by KPI.
Figures = dict[str, dict[str, float]]


def units_under(session: Session, unit: str) -> list[str]:
    """The unit and every unit below it."""
    below: dict[str | None, list[str]] = defaultdict(list)
    for code, parent in parents_of(session).items():
        below[parent].append(code)
    found, seen = [unit], {unit}
    for code in found:  # walked as it grows; a cycle's units are taken once
        fresh = [c for c in below[code] if c not in seen]
        seen.update(fresh)
        found.extend(fresh)
    return found


def stood(year: int, report: Any, as_of: date) -> bool:
    """The report was approved by the end of `as_of` and its period had ended by then."""
    approved_on = today(datetime.fromisoformat(report.occurred_at))
    return approved_on <= as_of and period_dates(year, report.period)[1] <= as_of


def _reports(session: Session, year: int, units: list[str], as_of: date) -> list[Any]:
    table, found = Report.__table__, []
    for start in range(0, len(units), CHUNK):
        query = select(table).where(
            table.c.year == year,
            table.c.state == APPROVED,
            among(session, table.c.unit, units[start : start + CHUNK]),
        )
        found += [r for r in session.execute(query) if stood(year, r, as_of)]
    return found


def counted_as_of(
    session: Session, year: int, unit: str, as_of: date
) -> tuple[Figures, dict[str, int]]:
    """The approved figures of a unit and every unit below it, by KPI, as they stood at the
    end of `as_of`; and how many keys each KPI counted once across the units (2.2's)."""
    measures = dict(session.execute(select(Kpi.code, Kpi.measure).where(Kpi.year == year)).all())
    scoring = {s.kpi: s for s in session.scalars(select(Scoring).where(Scoring.year == year))}
    slots: dict[tuple[str, str], list[Any]] = defaultdict(list)
    for report in _reports(session, year, units_under(session, unit), as_of):
        if report.kpi in measures and report.kpi in scoring:
            slots[(report.unit, report.kpi)].append(report)
    figures: Figures = defaultdict(lambda: defaultdict(int))
    keys: dict[str, set[str]] = defaultdict(set)
    for (code, kpi), reports in slots.items():
        share = share_row(year, code, kpi, scoring[kpi], measures[kpi], reports)
        for column, value in _contribution(share, 1).items():
            figures[kpi][column] += value
        keys[kpi].update(share["a_keys"])
    for kpi, counted in keys.items():
        figures[kpi]["a_total"] += len(counted)
    return figures, {kpi: len(counted) for kpi, counted in keys.items() if counted}
