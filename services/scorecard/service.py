"""Use cases of the scorecard: a unit's results against its targets, and its units' progress.

Every figure is read from the tallies (a handful of rows whatever the size of the tree
below the unit); the year is copied from the catalogue the first time it is asked for.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from types import SimpleNamespace
from typing import Any

from sqlalchemy import and_, func, or_, select, true
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from common.auth import Principal
from common.db import unit_of_work
from common.errors import Conflict, Forbidden, NotFound
from common.fiscal import fiscal_year_dates, period_dates
from services.scorecard import catalogue_copy, rules
from services.scorecard.catalogue_copy import Catalogue
from services.scorecard.models import (
    ALL_KPIS,
    CountedKey,
    DueCount,
    Kpi,
    MonthKey,
    MonthTally,
    Scoring,
    Tally,
    Target,
    Unit,
    YearCopy,
)
from services.scorecard.standing import counted_as_of
from services.scorecard.tallying import MONTH_COLUMNS, TALLY_COLUMNS, chains_of, on_postgresql

MIN_YEAR, MAX_YEAR = 2500, 3000
# A tally's columns that come from the targets, today's whatever the date it is read at.
TARGET_COLUMNS = ("own_target", "target_total", "target_units")


@dataclass(frozen=True)
class Query:
    year: int
    unit: str
    include_pending: bool = False
    as_of: date | None = None
    kpi: str | None = None  # the progress of one KPI, not of every KPI


def _sort_key(code: str) -> tuple[int, ...]:
    return tuple(int(p) if p.isdigit() else 0 for p in code.split("."))


def ensure_year(session: Session, catalogue: Catalogue, year: int) -> None:
    """Copy and count the year from the catalogue the first time it is read (404 for no such
    year). A stale year is not counted here: its last figures are read (`figures_of` says
    so) while the year counter counts it again."""
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise NotFound(f"No fiscal year {year}.", {"year": ["Unknown year."]})
    if session.get(YearCopy, year) is None:
        catalogue_copy.copy_year(session, catalogue, year)


def figures_of(session: Session, year: int) -> dict[str, Any]:
    """Whether the year's figures wait to be counted again (`stale`), and when they were
    counted (`counted_at`): what every answer of a year says beside its figures."""
    copy = session.get(YearCopy, year)
    return {"stale": bool(copy and copy.stale), "counted_at": copy and copy.fetched_at}


def visible_unit(session: Session, principal: Principal, code: str) -> Unit:
    """The unit, if the caller may see it: everyone sees their own units and those below."""
    unit = session.get(Unit, code) if len(code) <= 32 else None
    if unit is None:
        raise NotFound(f"No unit {code}.", {"unit": ["Unknown unit."]})
    if not principal.sees_all_units and not set(chains_of(session, [code])[code]) & set(
        principal.units
    ):
        raise Forbidden(f"You may not see the scorecard of {code}.")
    return unit


@dataclass(frozen=True)
class Due:
    """What is due of a KPI by `as_of` for a unit and those below: reports, and the units
    that must have reported."""

    reports: int = 0
    units: int = 0


NO_DUE = Due()


def _due(session: Session, year: int, units: Iterable[str], as_of: date) -> dict:
    query = (
        select(DueCount.unit, DueCount.kpi, func.sum(DueCount.reports), func.sum(DueCount.units))
        .where(DueCount.year == year, DueCount.unit.in_(list(units)), DueCount.due_on <= as_of)
        .group_by(DueCount.unit, DueCount.kpi)
    )
    return {(u, k): Due(int(n), int(m or 0)) for u, k, n, m in session.execute(query)}


def _sums(tally: Any, side: str) -> rules.Tally:
    if tally is None:
        return rules.Tally()
    return rules.Tally(
        getattr(tally, f"{side}_total"),
        getattr(tally, f"{side}_units"),
        getattr(tally, f"{side}_num"),
        getattr(tally, f"{side}_den"),
        getattr(tally, f"{side}_capped"),
    )


def _kpi_card(
    kpi: Kpi,
    scoring: Scoring,
    tally: Any,
    due: Due,
    query: Query,
    as_of: date,
    missing_as: float,
    keys: int = 0,
) -> dict[str, Any]:
    sums = _sums(tally, "p" if query.include_pending else "a")
    missing_units = rules.missing_units(due.units, sums.units)
    in_mean = rules.in_the_mean(kpi.measure, missing_units)
    actual = rules.rolled_up(scoring.rollup, sums, in_mean, missing_as)
    target = tally.own_target if tally is not None else None
    if target is None and tally is not None:
        target = rules.rolled_up_target(scoring.rollup, tally.target_total, tally.target_units)
    achieved = rules.achievement(scoring.direction, actual, target)
    measured = actual if kpi.measure == "level" else achieved
    thresholds = scoring.thresholds or rules.derived_thresholds(kpi.measure, target)
    pending = tally.pending if tally else 0
    return {
        "kpi": kpi.code,
        "perspective": kpi.perspective,
        "name_th": kpi.name_th,
        "name_en": kpi.name_en,
        "measure": kpi.measure,
        "direction": scoring.direction,
        "aggregation": scoring.aggregation,
        "rollup": scoring.rollup,
        "target": target,
        "actual": actual,
        "achievement": achieved,
        "status": rules.status(achieved, scoring.aggregation, query.year, as_of, scoring.direction),
        "score": rules.score(measured, thresholds),
        "weight": scoring.weight,
        "missing": actual is None and due.reports > 0,
        "basis": rules.basis(
            scoring.rollup, kpi.measure, sums, actual, missing_units, missing_as, keys
        ),
        "provisional": not (scoring.confirmed and scoring.thresholds),
        "includes_pending": bool(query.include_pending and pending),
        "reports": {
            "due": due.reports,
            "approved": tally.approved if tally else 0,
            "pending": pending,
        },
    }


def _year_kpis(session: Session, year: int) -> list[tuple[Kpi, Scoring]]:
    both = and_(Scoring.year == Kpi.year, Scoring.kpi == Kpi.code)
    pairs = session.execute(select(Kpi, Scoring).join(Scoring, both).where(Kpi.year == year))
    return sorted(((k, s) for k, s in pairs), key=lambda pair: _sort_key(pair[0].code))


def _tallies(session: Session, year: int, units: list[str]) -> dict[tuple[str, str], Any]:
    """The units' tallies with their own targets, by (unit, KPI)."""
    # Plain rows, not ORM objects: a region's units below it bring tens of thousands. Every
    # own target has its tally (made with the target), so one join brings both.
    own = and_(Target.year == Tally.year, Target.unit == Tally.unit, Target.kpi == Tally.kpi)
    return {
        (t.unit, t.kpi): t
        for t in session.execute(
            select(*Tally.__table__.c, Target.target.label("own_target"))
            .outerjoin(Target, own)
            .where(Tally.year == year, Tally.unit.in_(units))
        )
    }


def _keys(session: Session, query: Query, units: list[str]) -> dict[tuple[str, str], int]:
    """How many keys (2.2's [agency, month]) each unit counts once across its units, by
    (unit, KPI): what its basis says."""
    shares = CountedKey.p_shares if query.include_pending else CountedKey.a_shares
    counted = (
        select(CountedKey.unit, CountedKey.kpi, func.count())
        .where(CountedKey.year == query.year, CountedKey.unit.in_(units), shares > 0)
        .group_by(CountedKey.unit, CountedKey.kpi)
    )
    return {(u, k): n for u, k, n in session.execute(counted)}


def missing_counts_as(session: Session, year: int) -> float:
    """The year's score for a KPI due without an approved value (the catalogue's setting)."""
    copy = session.get(YearCopy, year)
    return copy.missing_counts_as if copy is not None else rules.MISSING_COUNTS_AS


Counted = tuple[dict[tuple[str, str], Any], dict[tuple[str, str], int]]


def _counted_now(session: Session, query: Query, units: list[str], as_of: date) -> Counted:
    """The units' tallies (with their own targets) and keys counted once, by (unit, KPI)."""
    return _tallies(session, query.year, units), _keys(session, query, units)


def _counted_then(session: Session, query: Query, units: list[str], as_of: date) -> Counted:
    """The units' tallies with the approved figures as they stood at `as_of`
    (`counted_as_of`), their targets and criteria today's, and the keys then counted once."""
    tallies: dict[tuple[str, str], Any] = {}
    keys: dict[tuple[str, str], int] = {}
    for unit in units:
        figures, counted = counted_as_of(session, query.year, unit, as_of)
        current = {kpi: t for (_, kpi), t in _tallies(session, query.year, [unit]).items()}
        for kpi in {*figures, *current}:
            now = current[kpi]._mapping if kpi in current else {"own_target": None}
            then = {c: (figures.get(kpi) or {}).get(c, 0) for c in TALLY_COLUMNS}
            targets = {c: now.get(c, 0) for c in TARGET_COLUMNS}
            tallies[(unit, kpi)] = SimpleNamespace(**{**then, **targets, "pending": 0})
        keys.update(((unit, kpi), n) for kpi, n in counted.items())
    return tallies, keys


def _cards(
    session: Session,
    query: Query,
    units: list[str],
    as_of: date,
    missing_as: float,
    counted: Any = _counted_now,
) -> dict[str, list]:
    """Each unit's KPI cards, from its tallies and own targets (`counted`) and due counts."""
    kpis = _year_kpis(session, query.year)
    tallies, keys = counted(session, query, units, as_of)
    due = _due(session, query.year, units, as_of)
    return {
        unit: [
            _kpi_card(
                kpi,
                scoring,
                tallies.get((unit, kpi.code)),
                due.get((unit, kpi.code), NO_DUE),
                query,
                as_of,
                missing_as,
                keys.get((unit, kpi.code), 0),
            )
            for kpi, scoring in kpis
        ]
        for unit in units
    }


def _scores(cards: list[dict], missing_as: float) -> tuple[float | None, int, list[dict]]:
    """The overall score, how many due KPIs miss an approved value, and both by perspective:
    a missing KPI comes in at `missing_as`."""
    by_perspective: dict[str, list[dict]] = defaultdict(list)
    for card in cards:
        by_perspective[card["perspective"]].append(card)
    perspectives = []
    for code in sorted(by_perspective):
        score, weight, missing = _weighted(by_perspective[code], missing_as)
        perspectives.append({"code": code, "score": score, "weight": weight, "missing": missing})
    overall, _, missing = _weighted(cards, missing_as)
    return overall, missing, perspectives


def _weighted(cards: list[dict], missing_as: float) -> tuple[float | None, float, int]:
    counted = (
        (rules.counted_score(c["score"], c["missing"], missing_as), c["weight"]) for c in cards
    )
    score, weight = rules.weighted(counted)
    return score, weight, sum(1 for c in cards if c["missing"] and c["weight"] > 0)


def _progress(cards: list[dict]) -> dict[str, int]:
    return {name: sum(c["reports"][name] for c in cards) for name in ("due", "approved", "pending")}


def scorecard(
    session: Session,
    principal: Principal,
    catalogue: Catalogue,
    query: Query,
    now: datetime,
    counted: Any = _counted_now,
) -> dict[str, Any]:
    """The unit's scorecard of the year; a parent's figures roll up from every unit below it."""
    ensure_year(session, catalogue, query.year)
    unit = visible_unit(session, principal, query.unit)
    as_of = query.as_of or now.date()
    missing_as = missing_counts_as(session, query.year)
    cards = _cards(session, query, [unit.code], as_of, missing_as, counted)[unit.code]
    score, missing, perspectives = _scores(cards, missing_as)
    return {
        "year": query.year,
        "unit": unit.code,
        "name_th": unit.name_th,
        "name_en": unit.name_en,
        "kind": unit.kind,
        "parent": unit.parent,
        "as_of": as_of,
        "include_pending": query.include_pending,
        "score": score,
        "missing": missing,
        "missing_counts_as": missing_as,
        "perspectives": perspectives,
        "kpis": cards,
        "reports": _progress(cards),
    }


def scorecard_as_it_stood(
    session: Session, principal: Principal, catalogue: Catalogue, query: Query, now: datetime
) -> dict[str, Any]:
    """The unit's scorecard as it stood at the end of `query.as_of` (a round report's): only
    reports approved by then, of periods ended by then, count (today's targets and criteria);
    what pends is left out."""
    return scorecard(session, principal, catalogue, query, now, _counted_then)


def children(
    session: Session, principal: Principal, catalogue: Catalogue, query: Query, now: datetime
) -> dict[str, Any]:
    """The units right below a unit, each with its overall score and its reports' progress."""
    ensure_year(session, catalogue, query.year)
    parent = visible_unit(session, principal, query.unit)
    as_of = query.as_of or now.date()
    below = list(
        session.scalars(select(Unit).where(Unit.parent == parent.code).order_by(Unit.code))
    )
    missing_as = missing_counts_as(session, query.year)
    cards = _cards(session, query, [u.code for u in below], as_of, missing_as)
    rows = []
    for unit in below:
        score, missing, _ = _scores(cards[unit.code], missing_as)
        rows.append(
            {
                "unit": unit.code,
                "name_th": unit.name_th,
                "name_en": unit.name_en,
                "kind": unit.kind,
                "score": score,
                "missing": missing,
                "reports": _progress(cards[unit.code]),
                "kpis": [
                    {k: c[k] for k in ("kpi", "actual", "target", "achievement", "status", "score")}
                    for c in cards[unit.code]
                ],
            }
        )
    return {"year": query.year, "unit": parent.code, "as_of": as_of, "units": rows}


def _completion(reports: dict[str, int]) -> float | None:
    return round(100 * reports["approved"] / reports["due"], 2) if reports["due"] else None


def _figures(session: Session, year: int, as_of: date, parent: str, kpi: str) -> Any:
    """The unit and the units right below it, each with its reports due by `as_of`, approved
    and pending of `kpi` (over every KPI: its `ALL_KPIS` rows) and whether units report below
    it: one row a unit, as plain tuples (no ORM rows: a region has 2,500 units below it). A unit's
    rows are found by their key (year, unit, ...) in subqueries of its own, where a join let
    the planner read every unit's tallies."""
    units, tallies, due_counts = Unit.__table__.c, Tally.__table__.c, DueCount.__table__.c
    approved = func.coalesce(func.sum(tallies.approved), 0).label("approved")
    pending = func.coalesce(func.sum(tallies.pending), 0).label("pending")
    counts = select(approved, pending).where(
        tallies.year == year, tallies.unit == units.code, tallies.kpi == kpi
    )
    due = select(func.coalesce(func.sum(due_counts.reports), 0).label("due")).where(
        due_counts.year == year,
        due_counts.unit == units.code,
        due_counts.kpi == kpi,
        due_counts.due_on <= as_of,
    )
    # The units with units below, hashed once: an EXISTS a unit was planned (as a prepared
    # statement) as a scan of every unit for each.
    inner = Unit.__table__.alias("inner")
    statement = (
        select(
            units.code,
            units.parent,
            units.name_th,
            units.name_en,
            units.kind,
            units.code.in_(select(inner.c.parent).where(inner.c.parent.is_not(None))),
        )
        .where(or_(units.code == parent, units.parent == parent))
        .order_by(units.code)
    )
    if not on_postgresql(session):  # SQLite knows no LATERAL: a subquery a column
        return statement.add_columns(
            due.scalar_subquery(),
            counts.with_only_columns(approved).scalar_subquery(),
            counts.with_only_columns(pending).scalar_subquery(),
        )
    # A unit's tally looked up once for both its columns.
    tally, due_by = counts.lateral("counts"), due.lateral("due")
    return (
        statement.add_columns(due_by.c.due, tally.c.approved, tally.c.pending)
        .select_from(Unit.__table__)
        .join(tally, true())
        .join(due_by, true())
    )


def completion(
    session: Session, principal: Principal, catalogue: Catalogue, query: Query, now: datetime
) -> dict[str, Any]:
    """The reports due by `as_of`, approved and pending of a unit and of each unit right below
    it, from the tallies and due counts over every KPI (or of `query.kpi`) that each unit
    keeps: one query, a row a unit (a region's 2,500 units, never their 700,000 unit x KPI x
    period cells)."""
    ensure_year(session, catalogue, query.year)
    parent = visible_unit(session, principal, query.unit)
    as_of = query.as_of or now.date()
    me = parent.code  # read once: an ORM attribute costs a lookup each time
    total, rows = {"due": 0, "approved": 0, "pending": 0}, []
    # Fetched at once: row by row, the driver's fetches cost more than the rows' dicts.
    for code, up, name_th, name_en, kind, has_units, due, approved, pending in session.execute(
        _figures(session, query.year, as_of, me, query.kpi or ALL_KPIS)
    ).all():
        reports = {"due": int(due), "approved": int(approved), "pending": int(pending)}
        if code == me:
            total = reports
        if up == me:
            rows.append(
                {
                    "unit": code,
                    "name_th": name_th,
                    "name_en": name_en,
                    "kind": kind,
                    "has_units": has_units,
                    "reports": reports,
                    "completion": _completion(reports),
                }
            )
    return {
        "year": query.year,
        "unit": me,
        "as_of": as_of,
        "reports": total,
        "completion": _completion(total),
        "units": rows,
    }


def _months_so_far(year: int, as_of: date) -> list[tuple[int, date, date]]:
    """(fiscal month, first day, the day it is read at: its last, or `as_of` in its course).
    The year's last month is read at `as_of` once the year is over: what falls due after the
    year's end (its last month, quarter, half and the year itself) counts there, as on the
    scorecard of that day."""
    months = []
    for month in range(1, 13):
        first, last = period_dates(year, f"M{month:02d}")
        if first > as_of:
            break
        months.append((month, first, as_of if month == 12 else min(last, as_of)))
    return months


def _due_by(rows: Iterable[Any], day: date) -> dict[str, Due]:
    """What was due of each KPI (and over every KPI) by `day`, from a unit's due counts."""
    due: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for kpi, due_on, reports, units in rows:
        if due_on <= day:
            due[kpi][0] += reports
            due[kpi][1] += units
    return {kpi: Due(*counts) for kpi, counts in due.items()}


def _keys_counted_over(session: Session, year: int, unit: str) -> dict[str, list[int]]:
    """By KPI whose keys a unit counts once across its units (2.2's [agency, month]) and by
    fiscal month (1-12): how much its month tallies' approved total counts over in the month,
    as they add each share's keys: the keys its shares first counted in the month less the
    keys the unit first counted in it (`MonthKey`)."""
    over: dict[str, list[int]] = defaultdict(lambda: [0] * 13)
    first: dict[tuple[str, str], int] = {}
    for kpi, key, month, shares in session.execute(
        select(MonthKey.kpi, MonthKey.key, MonthKey.month, MonthKey.shares).where(
            MonthKey.year == year, MonthKey.unit == unit, MonthKey.shares > 0
        )
    ):
        over[kpi][month] += shares
        first[(kpi, key)] = min(first.get((kpi, key), month), month)
    for (kpi, _), month in first.items():
        over[kpi][month] -= 1
    return over


def history(
    session: Session, principal: Principal, catalogue: Catalogue, query: Query, now: datetime
) -> dict[str, Any]:
    """The unit's completion and overall score as they stood at the end of each month of the
    year so far (today's targets and criteria): its month tallies added up month by month,
    a few hundred rows found by their key (year, unit) for any unit."""
    ensure_year(session, catalogue, query.year)
    unit = visible_unit(session, principal, query.unit)
    asked = query.as_of or now.date()
    as_of = min(asked, fiscal_year_dates(query.year)[1])
    kpis = _year_kpis(session, query.year)
    missing_as = missing_counts_as(session, query.year)
    tallies = _tallies(session, query.year, [unit.code])
    moved: dict[str, dict[int, Any]] = defaultdict(dict)
    for row in session.execute(
        select(*MonthTally.__table__.c).where(
            MonthTally.year == query.year, MonthTally.unit == unit.code
        )
    ):
        moved[row.kpi][row.month] = row
    counted_over = _keys_counted_over(session, query.year, unit.code)
    due_on = session.execute(
        select(DueCount.kpi, DueCount.due_on, DueCount.reports, DueCount.units).where(
            DueCount.year == query.year, DueCount.unit == unit.code
        )
    ).all()
    figures: dict[str, dict[str, float]] = defaultdict(lambda: dict.fromkeys(MONTH_COLUMNS, 0.0))
    months = []
    for month, first, read_on in _months_so_far(query.year, asked):
        for kpi, by_month in moved.items():
            if month in by_month:
                for column in MONTH_COLUMNS:
                    figures[kpi][column] += getattr(by_month[month], column)
        for kpi, over in counted_over.items():
            figures[kpi]["a_total"] -= over[month]
        # Today's tally (its targets) with the approved figures of the month's end.
        then = {
            kpi: SimpleNamespace(**{**tally._mapping, **figures[kpi], "pending": 0})
            for (_, kpi), tally in tallies.items()
        }
        due = _due_by(due_on, read_on)
        cards = [
            _kpi_card(
                kpi,
                scoring,
                then.get(kpi.code),
                due.get(kpi.code, NO_DUE),
                Query(query.year, unit.code),
                read_on,
                missing_as,
            )
            for kpi, scoring in kpis
        ]
        score, missing, _ = _scores(cards, missing_as)
        reports = {
            "due": due.get(ALL_KPIS, NO_DUE).reports,
            "approved": int(sum(f["approved"] for f in figures.values())),
        }
        months.append(
            {
                "month": first.strftime("%Y-%m"),
                "fiscal_month": month,
                "as_of": read_on,
                "completion": _completion(reports),
                "score": score,
                "missing": missing,
                "reports": reports,
            }
        )
    return {"year": query.year, "unit": unit.code, "as_of": as_of, "months": months}


@dataclass(frozen=True)
class Scorecards:
    """The scorecard's use cases with what they need: its database and the catalogue."""

    session_factory: sessionmaker[Session]
    catalogue: Catalogue

    def unit(self, principal: Principal, query: Query, now: datetime) -> dict[str, Any]:
        return self._read(scorecard, principal, query, now)

    def units_below(self, principal: Principal, query: Query, now: datetime) -> dict[str, Any]:
        return self._read(children, principal, query, now)

    def completion(self, principal: Principal, query: Query, now: datetime) -> dict[str, Any]:
        return self._read(completion, principal, query, now)

    def history(self, principal: Principal, query: Query, now: datetime) -> dict[str, Any]:
        return self._read(history, principal, query, now)

    def _read(self, use_case, principal: Principal, query: Query, now: datetime):
        # Only a year's first read writes (its copy): the others take no write lock (SQLite's),
        # so that a year being counted again is read meanwhile.
        with unit_of_work(self.session_factory, writes=False) as session:
            writes = session.get(YearCopy, query.year) is None
        # Two first readers of a year copy it at once: the second finds the first's copy.
        for attempt in (1, 2):
            try:
                with unit_of_work(self.session_factory, writes=writes) as session:
                    body = use_case(session, principal, self.catalogue, query, now)
                    return {**body, **figures_of(session, query.year)}
            except IntegrityError as exc:
                if attempt == 2:
                    raise Conflict("The year was being copied: try again.") from exc
        raise AssertionError("unreachable")
