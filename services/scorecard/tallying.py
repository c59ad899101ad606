"""Keeping the read model current: a unit's share of a KPI, and the tallies of every unit
above it. A change to one report touches one share and the few tallies on its way to the
department (a delta each), so that any scorecard reads a handful of rows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from services.scorecard import rules
from services.scorecard.models import (
    DueCount,
    Kpi,
    Report,
    Scoring,
    Share,
    Tally,
    Target,
    Unit,
    YearCopy,
)

APPROVED = "approved"
PENDING = frozenset({"submitted", "endorsed"})
MAX_DEPTH = 16


def ancestry(parents: Mapping[str, str | None], unit: str) -> list[str]:
    """The unit and every unit above it, nearest first (a cycle stops the walk)."""
    chain = [unit]
    while (parent := parents.get(chain[-1])) and parent not in chain and len(chain) < MAX_DEPTH:
        chain.append(parent)
    return chain


def parents_of(session: Session) -> dict[str, str | None]:
    return {code: parent for code, parent in session.execute(select(Unit.code, Unit.parent))}


def _values(reports: Iterable[Report]) -> tuple[list[rules.Value], list[rules.Value], int, int]:
    approved, with_pending, n_approved, n_pending = [], [], 0, 0
    for r in reports:
        value = rules.Value(r.period, r.value, r.numerator, r.denominator, tuple(r.people or ()))
        if r.state == APPROVED:
            approved.append(value)
            n_approved += 1
        elif r.state in PENDING:
            n_pending += 1
        else:
            continue
        with_pending.append(value)
    return approved, with_pending, n_approved, n_pending


def share_row(
    year: int, unit: str, kpi: str, scoring: Scoring, measure: str, reports: Iterable[Report]
) -> dict[str, Any]:
    """A unit's own figures for a KPI from its reports."""
    approved, with_pending, n_approved, n_pending = _values(reports)
    a = rules.unit_share(scoring.aggregation, measure, approved)
    p = rules.unit_share(scoring.aggregation, measure, with_pending)
    return {
        "year": year,
        "unit": unit,
        "kpi": kpi,
        "a_actual": a.actual,
        "a_num": a.numerator,
        "a_den": a.denominator,
        "p_actual": p.actual,
        "p_num": p.numerator,
        "p_den": p.denominator,
        "approved": n_approved,
        "pending": n_pending,
    }


def _contribution(row: Mapping[str, Any] | None, sign: int) -> dict[str, float]:
    """What a share adds to each tally column (negated to take an old share out)."""
    if row is None:
        return {}
    out: dict[str, float] = {"approved": sign * row["approved"], "pending": sign * row["pending"]}
    for side in ("a", "p"):
        if row[f"{side}_actual"] is not None:
            out[f"{side}_total"] = sign * row[f"{side}_actual"]
            out[f"{side}_units"] = sign
            out[f"{side}_num"] = sign * row[f"{side}_num"]
            out[f"{side}_den"] = sign * row[f"{side}_den"]
    return out


def _add_to_tallies(session: Session, year: int, kpi: str, chain: list[str], delta: dict) -> None:
    delta = {k: v for k, v in delta.items() if v}
    if not delta:
        return
    for unit in chain:
        tally = session.get(Tally, (year, unit, kpi))
        if tally is None:
            tally = Tally(year=year, unit=unit, kpi=kpi, **{c: 0 for c in TALLY_COLUMNS})
            session.add(tally)
            session.flush()  # found by the next event even without autoflush (a rebuild)
        for column, change in delta.items():
            setattr(tally, column, getattr(tally, column) + change)


TALLY_COLUMNS = (
    "a_total", "a_units", "a_num", "a_den", "p_total", "p_units", "p_num", "p_den",
    "approved", "pending", "target_total", "target_units",
)  # fmt: skip


def _as_dict(share: Share | None) -> dict[str, Any] | None:
    if share is None:
        return None
    return {c.key: getattr(share, c.key) for c in Share.__table__.columns}


def refresh_share(session: Session, year: int, unit: str, kpi: str) -> None:
    """Count a unit's KPI again from its reports and move the tallies above it by the change."""
    scoring = session.get(Scoring, (year, kpi))
    kpi_row = session.get(Kpi, (year, kpi))
    if scoring is None or kpi_row is None:
        return  # a year not copied yet: its copy counts everything at once
    reports = session.scalars(
        select(Report).where(Report.year == year, Report.unit == unit, Report.kpi == kpi)
    )
    new = share_row(year, unit, kpi, scoring, kpi_row.measure, reports)
    stored = session.get(Share, (year, unit, kpi))
    old = _as_dict(stored)
    if stored is None:
        session.add(Share(**new))
        session.flush()  # found by the next event even without autoflush (a rebuild)
    else:
        for column, value in new.items():
            setattr(stored, column, value)
    delta = defaultdict(float, _contribution(new, 1))
    for column, value in _contribution(old, -1).items():
        delta[column] += value
    _add_to_tallies(session, year, kpi, ancestry(parents_of(session), unit), dict(delta))


def set_target(session: Session, year: int, unit: str, kpi: str, target: float) -> None:
    """A unit's own target; the tallies above it keep the sum and count of targets."""
    row = session.get(Target, (year, unit, kpi))
    delta = {"target_total": target, "target_units": 1}
    if row is None:
        session.add(Target(year=year, unit=unit, kpi=kpi, target=target))
        # A rebuild runs without autoflush: the next event of its batch must find this row.
        session.flush()
    else:
        delta = {"target_total": target - row.target}
        row.target = target
    if session.get(YearCopy, year) is not None:
        _add_to_tallies(session, year, kpi, ancestry(parents_of(session), unit), delta)


# --- counting a whole year at once ----------------------------------------------------------


def retally_year(session: Session, year: int) -> None:
    """Count every share and tally of a year again from its reports and targets."""
    parents = parents_of(session)
    kpis = {k.code: k for k in session.scalars(select(Kpi).where(Kpi.year == year))}
    scoring = {s.kpi: s for s in session.scalars(select(Scoring).where(Scoring.year == year))}
    session.execute(delete(Share).where(Share.year == year))
    session.execute(delete(Tally).where(Tally.year == year))
    by_slot: dict[tuple[str, str], list[Report]] = defaultdict(list)
    for report in session.execute(select(*Report.__table__.c).where(Report.year == year)):
        if report.kpi in kpis and report.kpi in scoring:
            by_slot[(report.unit, report.kpi)].append(report)
    shares = [
        share_row(year, unit, kpi, scoring[kpi], kpis[kpi].measure, reports)
        for (unit, kpi), reports in by_slot.items()
    ]
    tallies: dict[tuple[str, str], dict[str, float]] = defaultdict(
        lambda: dict.fromkeys(TALLY_COLUMNS, 0)
    )
    for share in shares:
        for unit in ancestry(parents, share["unit"]):
            tally = tallies[(unit, share["kpi"])]
            for column, value in _contribution(share, 1).items():
                tally[column] += value
    for target in session.scalars(select(Target).where(Target.year == year)):
        for unit in ancestry(parents, target.unit):
            tally = tallies[(unit, target.kpi)]
            tally["target_total"] += target.target
            tally["target_units"] += 1
    # Plain table inserts: a year's thousands of rows need none of the ORM's bookkeeping.
    if shares:
        session.execute(insert(Share.__table__), shares)
    if tallies:
        rows = [{"year": year, "unit": u, "kpi": k, **t} for (u, k), t in tallies.items()]
        session.execute(insert(Tally.__table__), rows)


def copy_due_dates(session: Session, year: int, slots: Iterable[Mapping[str, Any]]) -> None:
    """How many reports fall due on each day, for every unit and the units above it."""
    parents = parents_of(session)
    counts: dict[tuple[str, str, date], int] = defaultdict(int)
    for slot in slots:
        due_on = date.fromisoformat(str(slot["due_on"]))
        for unit in ancestry(parents, slot["unit"]):
            counts[(unit, slot["kpi"], due_on)] += 1
    session.execute(delete(DueCount).where(DueCount.year == year))
    if counts:
        rows = [
            {"year": year, "unit": u, "kpi": k, "due_on": d, "reports": n}
            for (u, k, d), n in counts.items()
        ]
        session.execute(insert(DueCount.__table__), rows)
