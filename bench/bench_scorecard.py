"""The scorecard at national scale on PostgreSQL: 20,000 units, 24 KPIs, 1,000,000 approved
reports of one year, each figure printed against a hand-written SQL aggregate over the same
reports in the same run.

The scorecard's schema is created by its own migrations on a fresh database
(`RBM_BENCH_PG_URL`, default the test server's `test` database, used to create and drop it).
1. Building from events: 20,000 report events go through the rebuild (the year then counted
   in one pass), and 20,000 more through the live consumer's handler as it catches up on a
   copied year a feed page at a time; target >= 2,000 events/s for both, printed against
   the same reports COPY'd and added up by hand-written SQL.
2. The read model of a year of 1 M approved reports (20,000 units = the department, 8 regions
   and 19,991 provincial offices; 24 KPIs; ~2 reports per unit and KPI) is loaded with COPY
   together with its shares, tallies and due counts, as the consumer would have left them.
3. The scorecard use case (what `GET /api/scorecard/{year}?unit=` runs, without HTTP) for the
   department, a region and a unit: p95 < 300 / 100 / 50 ms; and the progress of a parent
   (`GET /api/scorecard/{year}/progress`: its units' completion from the same roll-up) of the
   department and a region in the same times. The baselines are one SQL query that adds up the
   same approved reports for that unit's subtree by KPI, and one that counts them for each unit
   right below.
4. The completion and score over the year (`GET /api/scorecard/{year}/history`: each month's
   end from the month tallies) of the department, a region and a unit in the same times,
   against one SQL query that adds up the subtree's approved reports by KPI and month.
   Each report of the year is approved in the month of its period (M01 in October ...).
"""

from __future__ import annotations

import gc
import os
import random
import statistics
import tempfile
import time
import uuid
from collections import defaultdict
from datetime import UTC, date, datetime

import psycopg

from common.auth import Principal
from common.db import unit_of_work
from common.events import Envelope
from common.fiscal import period_dates
from deploy.migrate import migrate_all
from services.catalogue.seed_2547 import KPIS
from services.scorecard.events import Consumer, on_events
from services.scorecard.models import ALL_KPIS, Kpi, Scoring, YearCopy
from services.scorecard.rebuild import rebuild
from services.scorecard.service import Query, completion, history, scorecard
from services.scorecard.tallying import retally_year
from services.system import create_service

PG_ADMIN_URL = os.environ.get("RBM_BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
YEAR, EVENT_YEAR = 2547, 2548
REGIONS = [f"R{n}" for n in range(1, 9)]
UNITS = 20_000
REPORTS = 1_000_000
EVENTS = 20_000
RUNS = 30
SQL_RUNS = 5
TARGETS = {"department_ms": 300.0, "region_ms": 100.0, "unit_ms": 50.0, "events_per_s": 2000.0}
CODES = [k["code"] for k in KPIS]
CSF_PERSPECTIVE = {"1": "P1", "2": "P1", "3": "P2", "4": "P2", "5": "P2", "6": "P2", "7": "P3"}
PERSPECTIVE = {c: CSF_PERSPECTIVE.get(c.split(".")[0], "P3" if c == "8.1" else "P4") for c in CODES}
READER = Principal("bench", "bench", roles=frozenset({"reviewer"}))


def units() -> dict[str, str | None]:
    """code -> parent: the department, 8 regions and provincial offices up to 20,000 units."""
    tree: dict[str, str | None] = {"PRD": None, **dict.fromkeys(REGIONS, "PRD")}
    for n in range(UNITS - len(tree)):
        tree[f"{REGIONS[n % 8]}-{n:05d}"] = REGIONS[n % 8]
    return tree


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[-1]


def timed(call, runs: int = RUNS) -> float:
    call()  # warm
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    return p95(samples)


def catalogue_rows(session, year: int) -> None:
    for code in CODES:
        session.add(
            Kpi(
                year=year,
                code=code,
                perspective=PERSPECTIVE[code],
                measure="count",
                method="entry",
                name_th=code,
                name_en=code,
            )
        )
        session.add(
            Scoring(
                year=year,
                kpi=code,
                direction="up",
                aggregation="sum",
                rollup="sum",
                weight=1.0,
                thresholds=[60, 70, 80, 90, 100],
                confirmed=True,
            )
        )


def report_events(tree: dict[str, str | None], year: int, seed: int) -> list[Envelope]:
    """Approvals of reports spread over the provincial offices and KPIs, one event each."""
    rng = random.Random(seed)
    leaves = [u for u, parent in tree.items() if parent in REGIONS]
    now = datetime.now(UTC).isoformat()
    return [
        Envelope(
            str(uuid.uuid4()),
            "workflow.report.approved",
            now,
            "bench",
            {
                "report_id": uuid.uuid4().hex,
                "year": year,
                "unit": rng.choice(leaves),
                "kpi": rng.choice(CODES),
                "period": f"M{n % 12 + 1:02d}",
                "state": "approved",
                "value": float(rng.randint(0, 9)),
            },
            1,
        )  # fmt: skip
        for n in range(EVENTS)
    ]


def build_from_events(factory, tree: dict[str, str | None], db_url: str) -> dict[str, float]:
    """Events per second into the read model, against the same rows written by hand.

    - rebuild: the rebuild path, the year's one-pass count included;
    - backlog: the live consumer's handler catching up on a copied year from a feed, a page
      of `Consumer.feed_page` events a transaction (each event's share and tallies counted again);
    - hand-written SQL: the same reports COPY'd into a table and added up by unit and KPI
      and by region and KPI in two INSERT ... SELECT (what a minimal read model would do).
    """
    events = report_events(tree, EVENT_YEAR, 1)
    started = time.perf_counter()
    rebuild(factory, events)
    load_units(db_url, tree)  # the unit tree the catalogue's events (or its copy) bring
    with unit_of_work(factory) as session:
        catalogue_rows(session, EVENT_YEAR)
        session.add(YearCopy(year=EVENT_YEAR, stale=False))
        session.flush()
        retally_year(session, EVENT_YEAR)
    rates = {"rebuild": EVENTS / (time.perf_counter() - started)}
    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute("ANALYZE")  # as autovacuum would have after the year's copy
    backlog = report_events(tree, EVENT_YEAR, 3)
    started = time.perf_counter()
    for start in range(0, len(backlog), Consumer.feed_page):
        with unit_of_work(factory) as session:
            on_events(session, backlog[start : start + Consumer.feed_page])
    rates["backlog"] = EVENTS / (time.perf_counter() - started)
    rates["sql"] = EVENTS / raw_sql_seconds(db_url, events)
    return rates


RAW_SQL = """
CREATE TEMP TABLE raw_reports (id text PRIMARY KEY, year int, unit text, kpi text,
  period text, state text, value float8, occurred_at text) ON COMMIT DROP;
"""
RAW_AGGREGATE = """
CREATE TEMP TABLE raw_shares ON COMMIT DROP AS
  SELECT unit, kpi, sum(value) AS total, count(*) AS reports FROM raw_reports
  WHERE state = 'approved' GROUP BY unit, kpi;
CREATE TEMP TABLE raw_tallies ON COMMIT DROP AS
  SELECT u.parent AS unit, s.kpi, sum(s.total) AS total, sum(s.reports) AS reports
  FROM raw_shares s JOIN scorecard.units u ON u.code = s.unit GROUP BY u.parent, s.kpi;
"""


def raw_sql_seconds(db_url: str, events: list[Envelope]) -> float:
    started = time.perf_counter()
    with psycopg.connect(db_url) as conn:
        conn.execute(RAW_SQL)
        copy_rows(conn, "raw_reports", ("id", "year", "unit", "kpi", "period", "state",
                  "value", "occurred_at"),
                  ((e.data["report_id"], e.data["year"], e.data["unit"], e.data["kpi"],
                    e.data["period"], e.data["state"], e.data["value"], e.occurred_at)
                   for e in events), schema="")  # fmt: skip
        conn.execute(RAW_AGGREGATE)
    return time.perf_counter() - started


def copy_rows(conn, table: str, columns: tuple[str, ...], rows, schema="scorecard.") -> None:
    with conn.cursor().copy(f"COPY {schema}{table} ({', '.join(columns)}) FROM STDIN") as cp:
        for row in rows:
            cp.write_row(row)


def load_units(db_url: str, tree: dict[str, str | None]) -> None:
    with psycopg.connect(db_url) as conn:
        copy_rows(conn, "units", ("code", "parent", "kind", "name_th", "name_en"),
                  ((u, p, "department" if p is None else "region" if p == "PRD" else "province",
                    u, u) for u, p in tree.items()))  # fmt: skip


def load_year(db_url: str, tree: dict[str, str | None]) -> None:
    """1 M approved reports and the shares, tallies and due counts they make, with COPY."""
    rng = random.Random(2)
    chain = {}
    for unit in tree:
        path, at = [unit], tree[unit]
        while at:
            path.append(at)
            at = tree[at]
        chain[unit] = path
    per_slot = REPORTS / (len(tree) * len(CODES))
    share, tally = {}, defaultdict(lambda: [0.0, 0, 0, 0.0, 0])
    # (unit, KPI, fiscal month): a_total, a_units, approved
    months: defaultdict[tuple[str, str, int], list[float]] = defaultdict(lambda: [0.0, 0, 0])
    periods = [f"M{n:02d}" for n in range(1, 13)]
    approved_on = {p: f"{period_dates(YEAR, p)[0].isoformat()}T03:00:00+00:00" for p in periods}

    def reports():
        made = 0
        for unit in tree:
            for code in CODES:
                n = int(per_slot) + (rng.random() < per_slot % 1)
                values = [float(rng.randint(0, 9)) for _ in range(n)]
                target = float(rng.randint(5, 25))
                share[(unit, code)] = (sum(values), n, target)
                for up in chain[unit]:
                    t = tally[(up, code)]
                    t[0] += sum(values)
                    t[1] += 1 if n else 0
                    t[2] += n
                    t[3] += target
                    t[4] += 1
                    tally[(up, ALL_KPIS)][2] += n
                for index, value in enumerate(values):
                    made += 1
                    for up in chain[unit]:
                        m = months[(up, code, index % 12 + 1)]
                        m[0] += value
                        m[1] += 1 if index == 0 else 0
                        m[2] += 1
                    period = periods[index % 12]
                    yield (f"{made:032x}", YEAR, unit, code, period, "approved",
                           value, None, None, "[]", approved_on[period])  # fmt: skip

    with psycopg.connect(db_url, autocommit=False) as conn:
        copy_rows(conn, "reports", ("id", "year", "unit", "kpi", "period", "state", "value",
                  "numerator", "denominator", "people", "occurred_at"), reports())  # fmt: skip
        copy_rows(conn, "shares", ("year", "unit", "kpi", "a_actual", "a_num", "a_den",
                  "p_actual", "p_num", "p_den", "approved", "pending"),
                  ((YEAR, u, k, s if n else None, 0, 0, s if n else None, 0, 0, n, 0)
                   for (u, k), (s, n, _t) in share.items()))  # fmt: skip
        copy_rows(conn, "targets", ("year", "unit", "kpi", "target"),
                  ((YEAR, u, k, t) for (u, k), (_s, _n, t) in share.items()))  # fmt: skip
        copy_rows(conn, "tallies", ("year", "unit", "kpi", "a_total", "a_units", "a_num",
                  "a_den", "p_total", "p_units", "p_num", "p_den", "approved", "pending",
                  "target_total", "target_units"),
                  ((YEAR, u, k, t[0], t[1], 0, 0, t[0], t[1], 0, 0, t[2], 0, t[3], t[4])
                   for (u, k), t in tally.items()))  # fmt: skip
        copy_rows(conn, "month_tallies", ("year", "unit", "kpi", "month", "a_total", "a_units",
                  "a_num", "a_den", "approved"),
                  ((YEAR, u, k, month, m[0], m[1], 0, 0, m[2])
                   for (u, k, month), m in months.items()))  # fmt: skip
        due = defaultdict(int)
        for unit in tree:
            for code in CODES:
                for day in (date(2004, 4, 10), date(2004, 10, 10)):
                    for up in chain[unit]:
                        due[(up, code, day)] += 1
                        due[(up, ALL_KPIS, day)] += 1
        copy_rows(conn, "due_counts", ("year", "unit", "kpi", "due_on", "reports"),
                  ((YEAR, u, k, d, n) for (u, k, d), n in due.items()))  # fmt: skip
        conn.execute(
            "INSERT INTO scorecard.years (year, stale, fetched_at) VALUES (%s, false, now())",
            (YEAR,),
        )
        conn.commit()
        conn.execute("ANALYZE")


BASELINE = """
WITH RECURSIVE below(code) AS (
  SELECT %(unit)s::text UNION ALL
  SELECT u.code FROM scorecard.units u JOIN below b ON u.parent = b.code
)
SELECT r.kpi, sum(r.value), count(*) FROM scorecard.reports r JOIN below b ON r.unit = b.code
WHERE r.year = %(year)s AND r.state = 'approved' GROUP BY r.kpi
"""


# The approved reports of each unit right below, over its whole subtree.
BASELINE_BELOW = """
WITH RECURSIVE below(root, code) AS (
  SELECT code, code FROM scorecard.units WHERE parent = %(unit)s UNION ALL
  SELECT b.root, u.code FROM scorecard.units u JOIN below b ON u.parent = b.code
)
SELECT b.root, count(*) FROM scorecard.reports r JOIN below b ON r.unit = b.code
WHERE r.year = %(year)s AND r.state = 'approved' GROUP BY b.root
"""


# The approved reports of a unit's subtree by KPI and month approved.
BASELINE_MONTHS = """
WITH RECURSIVE below(code) AS (
  SELECT %(unit)s::text UNION ALL
  SELECT u.code FROM scorecard.units u JOIN below b ON u.parent = b.code
)
SELECT r.kpi, substr(r.occurred_at, 1, 7), sum(r.value), count(*)
FROM scorecard.reports r JOIN below b ON r.unit = b.code
WHERE r.year = %(year)s AND r.state = 'approved' GROUP BY 1, 2
"""


def main() -> bool:
    name = f"rbm_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    db_url = f"{PG_ADMIN_URL.rsplit('/', 1)[0]}/{name}"
    data_dir = tempfile.mkdtemp(prefix="rbm-bench-")
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("RBM_")},
        "RBM_DATA_DIR": data_dir,
        "RBM_DATABASE_URL": db_url,
        "RBM_BROKER_URL": f"filesystem://{data_dir}/broker",
        "RBM_LOG_LEVEL": "WARNING",
    }
    migrate_all(["scorecard"], env)
    app = create_service("scorecard", env)
    gc.freeze()  # as deploy/wsgi.py does once a service has started
    factory = app.extensions["rbm"].session_factory
    try:
        tree = units()
        # First: a rebuild starts by emptying the read model.
        rates = build_from_events(factory, tree, db_url)
        started = time.perf_counter()
        load_year(db_url, tree)
        print(f"loaded {REPORTS:,} reports of {len(tree):,} units in "
              f"{time.perf_counter() - started:.1f} s")  # fmt: skip
        with unit_of_work(factory) as session:
            catalogue_rows(session, YEAR)
        results = {"events_per_s": min(rates["rebuild"], rates["backlog"])}
        for how in ("rebuild", "backlog"):
            print(f"read model from events ({how}): {rates[how]:,.0f} events/s (target >= "
                  f"{TARGETS['events_per_s']:,.0f}); hand-written SQL {rates['sql']:,.0f} "
                  f"events/s")  # fmt: skip
        today = datetime(2004, 6, 30, tzinfo=UTC)
        province = next(u for u, p in tree.items() if p == "R3")
        with psycopg.connect(db_url) as conn:
            for label, unit in (("department", "PRD"), ("region", "R3"), ("unit", province)):
                query = Query(YEAR, unit, as_of=today.date())

                def read(q=query):
                    with unit_of_work(factory) as session:
                        return scorecard(session, READER, None, q, today)

                ms = timed(read)
                # The raw aggregate takes seconds a run: fewer runs of it.
                sql_ms = timed(lambda u=unit: conn.execute(BASELINE, {"unit": u, "year": YEAR})
                               .fetchall(), SQL_RUNS)  # fmt: skip
                check = {k: s for k, s, _ in conn.execute(BASELINE, {"unit": unit, "year": YEAR})}
                card = read()
                assert all(abs((c["actual"] or 0) - check.get(c["kpi"], 0)) < 1e-6
                           for c in card["kpis"]), label  # fmt: skip
                results[f"{label}_ms"] = ms
                print(f"{label:10} scorecard p95 {ms:7.1f} ms (target < "
                      f"{TARGETS[label + '_ms']:.0f}); hand-written SQL aggregate p95 "
                      f"{sql_ms:7.1f} ms; ratio {ms / sql_ms:.3f}")  # fmt: skip
            for label, unit in (("department", "PRD"), ("region", "R3")):
                q = Query(YEAR, unit, as_of=today.date())

                def progress(q=q):
                    with unit_of_work(factory) as session:
                        return completion(session, READER, None, q, today)

                ms = timed(progress)
                args = {"unit": unit, "year": YEAR}
                sql_ms = timed(lambda a=args: conn.execute(BASELINE_BELOW, a).fetchall(), SQL_RUNS)
                check = dict(conn.execute(BASELINE_BELOW, args).fetchall())
                rows = progress()["units"]
                assert all(r["reports"]["approved"] == check.get(r["unit"], 0) for r in rows), label
                results[f"{label}_progress_ms"] = ms
                print(f"{label:10} progress of its {len(rows):,} units p95 {ms:7.1f} ms (target "
                      f"< {TARGETS[label + '_ms']:.0f}); hand-written SQL count p95 "
                      f"{sql_ms:7.1f} ms; ratio {ms / sql_ms:.3f}")  # fmt: skip
            for label, unit in (("department", "PRD"), ("region", "R3"), ("unit", province)):
                q = Query(YEAR, unit, as_of=today.date())

                def over_the_year(q=q):
                    with unit_of_work(factory) as session:
                        return history(session, READER, None, q, today)

                ms = timed(over_the_year)
                args = {"unit": unit, "year": YEAR}
                sql_ms = timed(lambda a=args: conn.execute(BASELINE_MONTHS, a).fetchall(), SQL_RUNS)
                by_month = conn.execute(BASELINE_MONTHS, args).fetchall()
                months = over_the_year()["months"]
                approved = sum(n for _, month, _, n in by_month if month <= "2004-06")
                assert months[-1]["reports"]["approved"] == approved, label
                results[f"{label}_history_ms"] = ms
                print(f"{label:10} completion and score of {len(months)} months p95 {ms:7.1f} ms "
                      f"(target < {TARGETS[label + '_ms']:.0f}); hand-written SQL by month p95 "
                      f"{sql_ms:7.1f} ms; ratio {ms / sql_ms:.3f}")  # fmt: skip
        missed = [
            k for k, target in TARGETS.items()
            if (results[k] < target if k == "events_per_s" else results[k] > target)
        ] + [
            f"{label}_{read}_ms" for label in ("department", "region", "unit")
            for read in ("progress", "history")
            if results.get(f"{label}_{read}_ms", 0) > TARGETS[f"{label}_ms"]
        ]  # fmt: skip
        if missed:
            print(f"missed: {', '.join(missed)}")
        return bool(missed)
    finally:
        app.extensions["rbm"].engine.dispose()
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
