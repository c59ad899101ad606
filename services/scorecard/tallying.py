"""Keeping the read model current: a unit's share of a KPI, and the tallies of every unit
above it. A change to reports touches their shares and the few tallies on their way to the
department (a delta each), so that any scorecard reads a handful of rows.

Events come in runs (a rebuild's batch, a page of a feed): a run's reports are written in one
statement, each share they touch is counted once, and the tallies move in one statement.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from datetime import date, datetime
from itertools import groupby
from typing import Any

from sqlalchemy import (
    ARRAY,
    JSON,
    ColumnClause,
    Float,
    Integer,
    String,
    Text,
    and_,
    any_,
    bindparam,
    cast,
    delete,
    func,
    literal,
    or_,
    select,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from common.db import upsert
from common.fiscal import fiscal_year_dates, today
from services.scorecard import rules
from services.scorecard.models import (
    ALL_KPIS,
    CountedKey,
    DueCount,
    Kpi,
    MonthKey,
    MonthTally,
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
# Rows per statement: well under PostgreSQL's and SQLite's limits on parameters.
CHUNK = 500


def on_postgresql(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def among(session: Session, column: Any, codes: Collection[str]) -> Any:
    """`column IN codes`; on PostgreSQL as one array parameter (`= ANY`): a region's 2,500
    codes as as many parameters cost more to write and parse than the query takes to run."""
    if on_postgresql(session):
        return column == any_(bindparam(None, list(codes), type_=ARRAY(String)))
    return column.in_(list(codes))


def put_rows(
    session: Session,
    table: Any,
    rows: Sequence[dict[str, Any]],
    changes: Callable[[Any], dict[str, Any]],
    where: Callable[[Any], Any] | None = None,
) -> None:
    """Insert `rows` (dicts of the same columns) into `table`; a row whose key is taken is set
    to `changes(excluded)` instead (`where(excluded)` holds). One statement: on PostgreSQL the
    rows go as one JSON document (a date as its ISO text) that the server makes rows again,
    where an executemany had it run a statement for each row, and arrays of values cost the
    driver more to write than the statement takes to run."""
    if not rows:
        return
    columns = list(rows[0])
    if on_postgresql(session):
        # A count is read as a number (a delta's are whole floats): the insert makes it whole.
        read = [
            ColumnClause(n, Float() if isinstance(table.c[n].type, Integer) else table.c[n].type)
            for n in columns
        ]
        document = bindparam(None, json.dumps(rows, default=str), type_=Text)
        source = (
            func.json_to_recordset(cast(document, JSON))
            .table_valued(*read)
            .render_derived(with_types=True)
        )
        statement = pg_insert(table).from_select(columns, select(*source.c))
        params: Sequence[dict[str, Any]] | None = None
    else:
        statement, params = upsert(session)(table), rows
    excluded = statement.excluded
    statement = statement.on_conflict_do_update(
        index_elements=list(table.primary_key.columns),
        set_=changes(excluded),
        where=where(excluded) if where else None,
    )
    session.execute(statement, params)


def _every_column(table: Any) -> Callable[[Any], dict[str, Any]]:
    """A taken row's every column but its key set to the new row's (its `excluded`)."""
    return lambda new: {c.name: new[c.name] for c in table.c if not c.primary_key}


def ancestry(parents: Mapping[str, str | None], unit: str) -> list[str]:
    """The unit and every unit above it, nearest first (a cycle stops the walk)."""
    chain = [unit]
    while (parent := parents.get(chain[-1])) and parent not in chain and len(chain) < MAX_DEPTH:
        chain.append(parent)
    return chain


def parents_of(session: Session) -> dict[str, str | None]:
    return {code: parent for code, parent in session.execute(select(Unit.code, Unit.parent))}


def chains_of(session: Session, units: Collection[str]) -> dict[str, list[str]]:
    """`ancestry` of a few units, asked in one query that walks up from them (instead of
    reading the whole tree, 20,000 units nationally, for each)."""
    parents: dict[str, str | None] = {}
    codes = list(units)
    for start in range(0, len(codes), CHUNK):
        up = (
            select(Unit.code, Unit.parent, literal(1).label("depth"))
            .where(among(session, Unit.code, codes[start : start + CHUNK]))
            .cte("up", recursive=True)
        )
        up = up.union_all(
            select(Unit.code, Unit.parent, up.c.depth + 1)
            .join(up, Unit.code == up.c.parent)
            .where(up.c.depth < MAX_DEPTH)
        )
        parents.update(
            (code, parent) for code, parent in session.execute(select(up.c.code, up.c.parent))
        )
    return {unit: ancestry(parents, unit) for unit in units}


def store_reports(session: Session, rows: Collection[dict[str, Any]]) -> None:
    """Keep each report's latest event (one row per report id in `rows`); an older event
    arriving late leaves the newer one standing."""
    table = Report.__table__
    put_rows(
        session,
        table,
        list(rows),
        _every_column(table),
        lambda new: table.c.occurred_at <= new.occurred_at,
    )


def _value_of(r: Any) -> rules.Value:
    keys = tuple(rules.key_of(key) for key in r.counted_keys or ())
    return rules.Value(r.period, r.value, r.numerator, r.denominator, tuple(r.people or ()), keys)


def _values(reports: Iterable[Any]) -> tuple[list[rules.Value], list[rules.Value], int, int]:
    approved, with_pending, n_approved, n_pending = [], [], 0, 0
    for r in reports:
        value = _value_of(r)
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
    year: int, unit: str, kpi: str, scoring: Any, measure: str, reports: Iterable[Any]
) -> dict[str, Any]:
    """A unit's own figures for a KPI from its reports, and how they moved month by month."""
    reports = list(reports)
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
        "a_capped": a.capped,
        "p_actual": p.actual,
        "p_num": p.numerator,
        "p_den": p.denominator,
        "p_capped": p.capped,
        "approved": n_approved,
        "pending": n_pending,
        "months": _months(year, scoring, measure, reports, _month_figures(a, n_approved)),
        "a_keys": rules.keys_counted(scoring.rollup, approved),
        "p_keys": rules.keys_counted(scoring.rollup, with_pending),
        "a_key_months": key_months(year, scoring.rollup, reports),
    }


def fiscal_month_of(year: int, occurred_at: str) -> int:
    """The fiscal month (1 = October) of `year` an event happened in, in Thailand: one before
    the year counts in its first month, one after it (a late approval) in its last."""
    day = today(datetime.fromisoformat(occurred_at))
    start, _ = fiscal_year_dates(year)
    return min(max((day.year - start.year) * 12 + day.month - start.month + 1, 1), 12)


MONTH_COLUMNS = ("a_total", "a_units", "a_num", "a_den", "approved")


def _month_figures(share: rules.Share, approved: int) -> list[float]:
    """What an approved share adds to each month tally column (`MONTH_COLUMNS`)."""
    if not share.has_value:
        return [0.0, 0, 0.0, 0.0, approved]
    return [share.actual or 0.0, 1, share.numerator, share.denominator, approved]


def _months(
    year: int, scoring: Any, measure: str, reports: list[Any], whole: list[float]
) -> list[list[float]]:
    """How a unit's approved share moved month by month, `[month, *MONTH_COLUMNS]` for each
    month that moved it: counted again from the reports approved by the end of each month one
    was approved in (a share is no sum of its reports: `distinct`, `latest` and `ratio` are
    counted whole), less the month before; the last such month ends at the `whole` share."""
    approved = sorted(
        ((fiscal_month_of(year, r.occurred_at), r) for r in reports if r.state == APPROVED),
        key=lambda pair: pair[0],
    )
    months = [month for month, _ in groupby(approved, key=lambda pair: pair[0])]
    values = [_value_of(r) for _, r in approved]  # in the order approved: each month a prefix
    rows: list[list[float]] = []
    before = [0.0] * len(MONTH_COLUMNS)
    for n, month in enumerate(months):
        if n == len(months) - 1:
            now = whole
        else:
            so_far = values[: sum(1 for m, _ in approved if m <= month)]
            share = rules.unit_share(scoring.aggregation, measure, so_far)
            now = _month_figures(share, len(so_far))
        delta = [b - a for a, b in zip(before, now, strict=True)]
        if any(delta):
            rows.append([month, *delta])
        before = now
    return rows


def _contribution(row: Mapping[str, Any] | None, sign: int) -> dict[str, float]:
    """What a share adds to each tally column (negated to take an old share out): its total
    without the keys it counted, which each unit above counts once (`CountedKey`)."""
    if row is None:
        return {}
    out: dict[str, float] = {"approved": sign * row["approved"], "pending": sign * row["pending"]}
    for side in ("a", "p"):
        if row[f"{side}_actual"] is not None:
            keys = len(row[f"{side}_keys"] or ())
            out[f"{side}_total"] = sign * (row[f"{side}_actual"] - keys)
            out[f"{side}_units"] = sign
            out[f"{side}_num"] = sign * row[f"{side}_num"]
            out[f"{side}_den"] = sign * row[f"{side}_den"]
            out[f"{side}_capped"] = sign * row[f"{side}_capped"]
    return out


TALLY_COLUMNS = (
    "a_total", "a_units", "a_num", "a_den", "a_capped", "p_total", "p_units", "p_num", "p_den",
    "p_capped", "approved", "pending", "target_total", "target_units",
)  # fmt: skip

# (unit, KPI) of a tally, (unit, KPI, month) of a month tally: the change of each column.
Deltas = dict[tuple[Any, ...], dict[str, float]]


def _move(session: Session, table: Any, columns: tuple[str, ...], rows: list[dict]) -> None:
    """Move each row of `table` by its delta, in one statement (a row is made at 0 first)."""
    put_rows(session, table, rows, lambda new: {c: table.c[c] + new[c] for c in columns})


def add_to_tallies(session: Session, year: int, deltas: Deltas) -> None:
    """Move each (unit, KPI) tally by its delta."""
    rows = [
        {"year": year, "unit": unit, "kpi": kpi, **dict.fromkeys(TALLY_COLUMNS, 0), **delta}
        for (unit, kpi), delta in deltas.items()
        if any(delta.values())
    ]
    _move(session, Tally.__table__, TALLY_COLUMNS, rows)


def _month_tally_rows(year: int, deltas: Deltas) -> list[dict[str, Any]]:
    return [
        {"year": year, "unit": u, "kpi": k, "month": m, **dict.fromkeys(MONTH_COLUMNS, 0), **d}
        for (u, k, m), d in deltas.items()
        if any(d.values())
    ]


def add_to_month_tallies(session: Session, year: int, deltas: Deltas) -> None:
    """Move each (unit, KPI, month) tally by its delta."""
    _move(session, MonthTally.__table__, MONTH_COLUMNS, _month_tally_rows(year, deltas))


COUNTED_OVER_ALL = ("approved", "pending")


def _moved(deltas: Deltas, key: tuple[Any, ...]) -> dict[str, float]:
    if (moved := deltas.get(key)) is None:
        moved = deltas[key] = defaultdict(float)
    return moved


def _up_the_tree(deltas: Deltas, chain: list[str], kpi: str, delta: Mapping[str, float]) -> None:
    over_all = [(column, delta[column]) for column in COUNTED_OVER_ALL if delta.get(column)]
    for unit in chain:
        moved = _moved(deltas, (unit, kpi))
        for column, change in delta.items():
            moved[column] += change
        if over_all:
            every = _moved(deltas, (unit, ALL_KPIS))
            for column, change in over_all:
                every[column] += change


def _months_up_the_tree(
    deltas: Deltas, chain: list[str], kpi: str, months: list[list[float]], sign: int
) -> None:
    """Move the month tallies of the units of `chain`. No every-KPI row: a unit's history reads
    all its KPIs' months anyway, and adds up their approved reports itself."""
    for month, *figures in months:
        moves = [(c, sign * v) for c, v in zip(MONTH_COLUMNS, figures, strict=True) if v]
        for unit in chain:
            moved = _moved(deltas, (unit, kpi, int(month)))
            for column, change in moves:
                moved[column] += change


def _months_moved(was: list[list[float]] | None, now: list[list[float]]) -> list[list[float]]:
    """How a share counted again moved each month: its months now less those it had, the
    months that did not move left out (a report's event delivered again moves none)."""
    net: dict[int, list[float]] = {}
    for sign, months in ((-1, was or []), (1, now)):
        for month, *figures in months:
            moved = net.setdefault(int(month), [0.0] * len(MONTH_COLUMNS))
            for n, value in enumerate(figures):
                moved[n] += sign * value
    return [[month, *figures] for month, figures in net.items() if any(figures)]


# (unit, KPI, key) of a counted key: how many more shares count it, approved and with pending.
KeyMoves = dict[tuple[str, str, str], list[int]]
SIDES = ("a", "p")


def _keys_up_the_tree(
    moves: KeyMoves, chain: list[str], kpi: str, was: Mapping[str, Any] | None, now: Mapping
) -> None:
    """How the keys a share counts moved (those it had out, those it has in), at each unit of
    its chain."""
    for n, side in enumerate(SIDES):
        had = set((was or {}).get(f"{side}_keys") or ())
        has = set(now[f"{side}_keys"] or ())
        for key, sign in [*((k, -1) for k in had - has), *((k, 1) for k in has - had)]:
            for unit in chain:
                moves.setdefault((unit, kpi, key), [0, 0])[n] += sign


def _key_totals(deltas: Deltas, slot: tuple[str, str], before: list[int], after: list[int]):
    """A key a unit starts counting adds 1 to its tally's total; one it stops, -1."""
    for side, was, now in zip(SIDES, before, after, strict=True):
        if (was > 0) != (now > 0):
            _moved(deltas, slot)[f"{side}_total"] += 1 if now > 0 else -1


def move_keys(session: Session, year: int, moves: KeyMoves, deltas: Deltas) -> None:
    """Move the counted keys of units by `moves`, and their tallies (in `deltas`) by the keys
    each starts or stops counting; a key no share counts any more is dropped."""
    table = CountedKey.__table__
    moved = [(slot, move) for slot, move in moves.items() if any(move)]
    for start in range(0, len(moved), CHUNK):
        chunk = dict(moved[start : start + CHUNK])
        slots = list({(u, k) for u, k, _ in chunk})
        held = {
            (r.unit, r.kpi, r.key): [r.a_shares, r.p_shares]
            for r in session.execute(
                select(table).where(
                    table.c.year == year,
                    _in_slots(session, table.c, slots),
                    among(session, table.c.key, {key for _, _, key in chunk}),
                )
            )
        }
        rows = []
        for (unit, kpi, key), move in chunk.items():
            before = held.get((unit, kpi, key), [0, 0])
            after = [b + m for b, m in zip(before, move, strict=True)]
            _key_totals(deltas, (unit, kpi), before, after)
            rows.append({"year": year, "unit": unit, "kpi": kpi, "key": key,
                         "a_shares": after[0], "p_shares": after[1]})  # fmt: skip
        put_rows(session, table, rows, _every_column(table))
        session.execute(
            delete(table).where(
                table.c.year == year,
                _in_slots(session, table.c, slots),
                table.c.a_shares == 0,
                table.c.p_shares == 0,
            )
        )


def key_months(year: int, rollup: str, reports: Iterable[Any]) -> dict[str, int]:
    """The fiscal month each key of a unit's approved reports (`keys_counted`'s) was first
    counted in: the month the first report naming it was approved."""
    months: dict[str, int] = {}
    if rollup != "sum":
        return months
    for r in reports:
        if r.state == APPROVED and r.value is not None:
            month = fiscal_month_of(year, r.occurred_at)
            for key in map(rules.key_of, r.counted_keys or ()):
                months[key] = min(months.get(key, month), month)
    return months


def move_month_keys(
    session: Session,
    year: int,
    new: list[dict[str, Any]],
    old: Mapping[tuple[str, str], Mapping[str, Any]],
    chains: Mapping[str, list[str]],
) -> None:
    """Move the month keys of each share's unit and the units above it by how the months its
    keys were first counted in changed: a key's old month out, its new one in."""
    moves: dict[tuple[str, str, str, int], int] = defaultdict(int)
    for row in new:
        was = (old.get((row["unit"], row["kpi"])) or {}).get("a_key_months") or {}
        now = row["a_key_months"]
        changed = [(k, m, -1) for k, m in was.items() if now.get(k) != m]
        changed += [(k, m, 1) for k, m in now.items() if was.get(k) != m]
        for key, month, sign in changed:
            for unit in chains[row["unit"]]:
                moves[(unit, row["kpi"], key, int(month))] += sign
    moved = {slot: n for slot, n in moves.items() if n}
    if not moved:
        return
    table = MonthKey.__table__
    rows = [
        {"year": year, "unit": u, "kpi": k, "key": key, "month": m, "shares": n}
        for (u, k, key, m), n in moved.items()
    ]
    _move(session, table, ("shares",), rows)
    slots = list({(u, k) for u, k, _, _ in moved})
    session.execute(
        delete(table).where(
            table.c.year == year, _in_slots(session, table.c, slots), table.c.shares == 0
        )
    )


def _in_slots(session: Session, columns: Any, slots: list[tuple[str, str]]) -> Any:
    """Rows of these (unit, KPI) slots, asked KPI by KPI (`kpi = k AND unit IN (...)` each):
    the (year, unit, KPI) index finds them, where a list of pairs was compared row by row."""
    units: dict[str, list[str]] = defaultdict(list)
    for unit, kpi in slots:
        units[kpi].append(unit)
    return or_(
        *(and_(columns.kpi == kpi, among(session, columns.unit, us)) for kpi, us in units.items())
    )


def refresh_shares(session: Session, year: int, slots: Collection[tuple[str, str]]) -> None:
    """Count the shares of these (unit, KPI) slots again from their reports, and move the
    tallies above each unit by the change: a few statements however many slots."""
    measures = {
        code: measure
        for code, measure in session.execute(select(Kpi.code, Kpi.measure).where(Kpi.year == year))
    }
    scoring = {
        s.kpi: s
        for s in session.execute(
            select(Scoring.kpi, Scoring.aggregation, Scoring.rollup).where(Scoring.year == year)
        )
    }
    # A KPI the year's copy does not know yet is counted with the whole year when it is copied.
    slots = [(u, k) for u, k in slots if k in measures and k in scoring]
    # Table columns, not the models': plain rows, without the ORM's loading of each.
    shares, table = Share.__table__, Report.__table__
    for start in range(0, len(slots), CHUNK):
        chunk = slots[start : start + CHUNK]
        reports: dict[tuple[str, str], list[Any]] = defaultdict(list)
        query = select(table).where(table.c.year == year, _in_slots(session, table.c, chunk))
        for report in session.execute(query).all():
            reports[(report.unit, report.kpi)].append(report)
        query = select(shares).where(shares.c.year == year, _in_slots(session, shares.c, chunk))
        old = {(s.unit, s.kpi): s._mapping for s in session.execute(query).all()}
        new = [share_row(year, u, k, scoring[k], measures[k], reports[(u, k)]) for u, k in chunk]
        count_in(session, year, new, old, chains_of(session, {u for u, _ in chunk}))


def count_in(
    session: Session,
    year: int,
    new: list[dict[str, Any]],
    old: Mapping[tuple[str, str], Any],
    chains: Mapping[str, list[str]],
) -> None:
    """Keep these shares (counted again; `old` as they were) and move the tallies, month
    tallies and counted keys of each one's unit and the units above it (`chains`) by how the
    share changed."""
    deltas: Deltas = {}
    month_deltas: Deltas = {}
    key_moves: KeyMoves = {}
    shares = Share.__table__
    put_rows(session, shares, new, _every_column(shares))
    for row in new:
        was = old.get((row["unit"], row["kpi"]))
        delta = defaultdict(float, _contribution(row, 1))
        for column, value in _contribution(was, -1).items():
            delta[column] += value
        # A share that did not move (an event delivered again) moves nothing above it.
        chain = chains[row["unit"]]
        if any(delta.values()):
            _up_the_tree(deltas, chain, row["kpi"], delta)
        months = _months_moved(was and was["months"], row["months"])
        _months_up_the_tree(month_deltas, chain, row["kpi"], months, 1)
        _keys_up_the_tree(key_moves, chain, row["kpi"], was, row)
    move_keys(session, year, key_moves, deltas)
    move_month_keys(session, year, new, old, chains)
    add_to_tallies(session, year, deltas)
    add_to_month_tallies(session, year, month_deltas)


def set_target(session: Session, year: int, unit: str, kpi: str, target: float) -> None:
    """A unit's own target; the tallies above it keep the sum and count of targets."""
    row = session.get(Target, (year, unit, kpi))
    delta = {"target_total": target, "target_units": 1}
    if row is None:
        session.add(Target(year=year, unit=unit, kpi=kpi, target=target))
    else:
        delta = {"target_total": target - row.target}
        row.target = target
    if session.get(YearCopy, year) is not None:
        deltas: Deltas = {}
        _up_the_tree(deltas, chains_of(session, [unit])[unit], kpi, delta)
        add_to_tallies(session, year, deltas)


# --- counting a whole year at once ----------------------------------------------------------


def retally_year(session: Session, year: int) -> None:
    """Count every share and tally of a year again from its reports and targets, as a stream:
    the reports come in (unit, KPI) order through a server-side cursor, each slot's are
    counted into its share, and every `CHUNK` shares move the tallies above them; no more
    than a chunk of the year is held at once (the unit tree aside)."""
    measures = dict(session.execute(select(Kpi.code, Kpi.measure).where(Kpi.year == year)).all())
    scoring = {
        s.kpi: s
        for s in session.execute(
            select(Scoring.kpi, Scoring.aggregation, Scoring.rollup).where(Scoring.year == year)
        )
    }
    for model in (Share, Tally, MonthTally, CountedKey, MonthKey):
        session.execute(delete(model).where(model.year == year))
    parents = parents_of(session)
    _tally_targets(session, year, parents)
    table = Report.__table__
    reports = session.execute(
        select(table)
        .where(table.c.year == year)
        .order_by(table.c.unit, table.c.kpi)
        .execution_options(yield_per=STREAM_ROWS)
    )
    chunk: list[dict[str, Any]] = []
    for (unit, kpi), rows in groupby(reports, key=lambda r: (r.unit, r.kpi)):
        if kpi in measures and kpi in scoring:
            chunk.append(share_row(year, unit, kpi, scoring[kpi], measures[kpi], rows))
        if len(chunk) == CHUNK:
            _count_chunk(session, year, chunk, parents)
            chunk = []
    _count_chunk(session, year, chunk, parents)


# Rows a server-side cursor brings at a time.
STREAM_ROWS = 2000


def _count_chunk(
    session: Session, year: int, shares: list[dict[str, Any]], parents: Mapping[str, str | None]
) -> None:
    chains = {row["unit"]: ancestry(parents, row["unit"]) for row in shares}
    count_in(session, year, shares, {}, chains)


def _tally_targets(session: Session, year: int, parents: Mapping[str, str | None]) -> None:
    """Add the year's own targets to the tallies of their units and every unit above, a chunk
    of targets at a time."""
    targets = session.execute(
        select(Target.unit, Target.kpi, Target.target)
        .where(Target.year == year)
        .execution_options(yield_per=STREAM_ROWS)
    )
    for chunk in targets.partitions(CHUNK):
        deltas: Deltas = {}
        for unit, kpi, target in chunk:
            delta = {"target_total": target, "target_units": 1}
            _up_the_tree(deltas, ancestry(parents, unit), kpi, delta)
        add_to_tallies(session, year, deltas)


def copy_due_dates(session: Session, year: int, slots: Iterable[Mapping[str, Any]]) -> None:
    """How many reports fall due on each day, for every unit and the units above it, and on
    which day each unit must first have reported each KPI."""
    session.execute(delete(DueCount).where(DueCount.year == year))
    add_due_dates(session, year, slots, parents_of(session))


def add_due_dates(
    session: Session,
    year: int,
    slots: Iterable[Mapping[str, Any]],
    parents: Mapping[str, str | None],
) -> None:
    """Add the due counts of these slots, of KPIs whose due counts are not kept yet (a year's
    schedule is copied a KPI at a time: no more than one KPI's slots in memory); the rows over
    every KPI (`ALL_KPIS`) move by what they bring."""
    counts: dict[tuple[str, str, date], list[int]] = defaultdict(lambda: [0, 0])
    first: dict[tuple[str, str], date] = {}
    for slot in slots:
        due_on = date.fromisoformat(str(slot["due_on"]))
        key = (slot["unit"], slot["kpi"])
        first[key] = min(first.get(key, due_on), due_on)
        for unit in ancestry(parents, slot["unit"]):
            counts[(unit, slot["kpi"], due_on)][0] += 1
            counts[(unit, ALL_KPIS, due_on)][0] += 1
    for (reporter, kpi), due_on in first.items():
        for unit in ancestry(parents, reporter):
            counts[(unit, kpi, due_on)][1] += 1
    rows = [
        {"year": year, "unit": u, "kpi": k, "due_on": d, "reports": n, "units": m}
        for (u, k, d), (n, m) in counts.items()
    ]
    table = DueCount.__table__
    for start in range(0, len(rows), CHUNK):
        put_rows(
            session,
            table,
            rows[start : start + CHUNK],
            lambda new: {c: table.c[c] + new[c] for c in ("reports", "units")},
        )
