"""Workflow at scale: 300,000 reports in PostgreSQL, timed through the HTTP API.

Starts identity, catalogue and workflow on a fresh PostgreSQL database (`RBM_BENCH_PG_URL`,
default the test server's `test` database, used to create and drop it), adds 92 provincial
offices to the 8 regional ones (100 units), and writes 10 fiscal years (2538-2547) x 100 units
x 300 (KPI, period) slots straight into the workflow's tables with COPY: every slot the
catalogue schedules for a unit in 2547, filled up with other KPI x period pairs, in every year.

Measured (targets from issue 5):
- the report list with filters, as the reviewer and as a reporter: p95 < 50 ms;
- the full progress matrix of 2547: < 300 ms, and within 3x a hand-written SQL query that
  computes the same rows and roll-ups from the same schedule;
- one bulk approval of 500 endorsed reports: < 5 s.
"""

from __future__ import annotations

import json
import logging
import os
import random
import statistics
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import psycopg
import requests
from werkzeug.exceptions import NotFound
from werkzeug.middleware.dispatcher import DispatcherMiddleware
from werkzeug.serving import make_server

from deploy.migrate import migrate_all, with_database
from deploy.seaweedfs import free_port
from services.system import create_service

PG_ADMIN_URL = os.environ.get("RBM_BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
YEARS = range(2538, 2548)
YEAR = 2547
PER_UNIT_YEAR = 300
SERVICES = ("identity", "catalogue", "workflow")
PERIODS = [*(f"M{i:02d}" for i in range(1, 13)), "Q1", "Q2", "Q3", "Q4", "H1", "H2", "Y"]
STATES = ["draft", "submitted", "endorsed", "returned", "approved"]
STATE_WEIGHTS = [10, 15, 15, 5, 55]
BULK = 500
TARGETS = {"list_p95_ms": 50.0, "progress_ms": 300.0, "progress_over_sql": 3.0, "bulk_s": 5.0}


# --- the system --------------------------------------------------------------------------


@contextmanager
def bench_system() -> Iterator[tuple[str, str]]:
    """Identity, catalogue and workflow on a database of their own; yields (origin, db url)."""
    name = f"rbm_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    db_url = f"{PG_ADMIN_URL.rsplit('/', 1)[0]}/{name}"
    port = free_port()
    data_dir = tempfile.mkdtemp(prefix="rbm-bench-")
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("RBM_")},
        "RBM_DATA_DIR": data_dir,
        "RBM_DATABASE_URL": db_url,
        # Workers are not started: events stay in the outbox, nothing is sent anywhere.
        "RBM_BROKER_URL": f"filesystem://{data_dir}/broker",
        "RBM_PORT": str(port),
        "RBM_GATEWAY_URL": f"http://127.0.0.1:{port}",
        "RBM_DEMO": "1",
        "RBM_LOG_LEVEL": "WARNING",
    }
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    migrate_all(with_database(), env)
    apps = {service: create_service(service, env) for service in SERVICES}
    wsgi = DispatcherMiddleware(NotFound(), {f"/api/{s}": app for s, app in apps.items()})
    server = make_server("127.0.0.1", port, wsgi, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield env["RBM_GATEWAY_URL"], db_url
    finally:
        server.shutdown()
        for app in apps.values():
            app.extensions["rbm"].engine.dispose()
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def session_of(origin: str, username: str) -> requests.Session:
    http = requests.Session()
    resp = http.post(
        f"{origin}/api/identity/token",
        json={"username": username, "password": "demo-password"},
        timeout=30,
    )
    resp.raise_for_status()
    http.headers["Authorization"] = f"Bearer {resp.json()['access_token']}"
    return http


def add_units(origin: str, admin: requests.Session) -> list[str]:
    """R1..R8 and 92 provincial offices under them: 100 reporting units."""
    units = [f"R{n}" for n in range(1, 9)]
    for index in range(92):
        region = f"R{index % 8 + 1}"
        code = f"{region}-B{index:02d}"
        resp = admin.post(
            f"{origin}/api/catalogue/units",
            json={
                "code": code,
                "name_th": f"สำนักงานทดสอบ {code} (ข้อมูลตัวอย่าง)",
                "name_en": f"Bench office {code}",
                "kind": "province",
                "parent": region,
            },
            timeout=30,
        )
        resp.raise_for_status()
        units.append(code)
    return units


# --- the data ----------------------------------------------------------------------------

COLUMNS = (
    "id, year, kpi, unit, period, state, method, measure, counting_rule, value, value_source, "
    "value_basis, items, evidence, note, version, created_by, created_at, updated_by, "
    "updated_at, submitted_at, approved_at, frozen"
)


def slots_per_unit(units: list[str], schedule: list[dict], kpis: list[str]) -> dict[str, list]:
    """Each unit's 300 (KPI, period) pairs: what 2547 schedules for it, then other pairs."""
    rng = random.Random(7)
    every = [(k, p) for k in kpis for p in PERIODS]
    out = {}
    for unit in units:
        mine = [(s["kpi"], s["period"]) for s in schedule if s["unit"] == unit]
        rest = [pair for pair in every if pair not in set(mine)]
        rng.shuffle(rest)
        out[unit] = (mine + rest)[:PER_UNIT_YEAR]
    return out


def fiscal_start(year: int) -> datetime:
    return datetime(year - 544, 10, 1, 9, 0, tzinfo=UTC)


def rows(units: list[str], slots: dict[str, list]) -> Iterator[tuple]:
    rng = random.Random(2547)
    items = json.dumps([{"agency": "สำนักงาน ก.พ.ร.", "date": "2003-10-03", "counted": True}])
    for year in YEARS:
        start = fiscal_start(year)
        for unit in units:
            for kpi, period in slots[unit]:
                state = rng.choices(STATES, STATE_WEIGHTS)[0]
                created = start + timedelta(days=rng.randint(0, 360))
                submitted = (
                    created + timedelta(days=rng.randint(0, 20)) if state != "draft" else None
                )
                approved = submitted + timedelta(days=3) if state == "approved" else None
                frozen = json.dumps({"value": 1.0, "sha256": "0" * 64}) if approved else None
                yield (
                    str(uuid.uuid4()), year, kpi, unit, period, state, "entry", "count",
                    "agency_once_per_month" if kpi == "2.2" else None, 1.0, "counted",
                    None, items if kpi == "2.2" else "[]", "[]", "", 1,
                    "bench", created, "bench", submitted or created, submitted, approved, frozen,
                )  # fmt: skip


def generate(db_url: str, units: list[str], slots: dict[str, list]) -> float:
    started = time.perf_counter()
    with psycopg.connect(db_url) as conn:
        with conn.cursor().copy(f"COPY workflow.reports ({COLUMNS}) FROM STDIN") as copy:
            for row in rows(units, slots):
                copy.write_row(row)
        conn.commit()
    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE workflow.reports")
    return time.perf_counter() - started


# --- the measurements --------------------------------------------------------------------


def timed(call) -> float:
    started = time.perf_counter()
    resp = call()
    elapsed = (time.perf_counter() - started) * 1000
    resp.raise_for_status()
    return elapsed


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[-1]


def measure_list(origin: str, reviewer, reporter, units: list[str], kpis: list[str]) -> dict:
    """Filtered report lists as the reviewer (every unit) and as reporter1 (R1)."""
    rng = random.Random(1)
    url = f"{origin}/api/workflow/reports"
    shapes = {
        "year+unit": lambda: {"year": rng.choice(YEARS), "unit": rng.choice(units)},
        "year+kpi+state": lambda: {
            "year": rng.choice(YEARS),
            "kpi": rng.choice(kpis),
            "state": "submitted",
        },
        "unit+kpi": lambda: {"unit": rng.choice(units), "kpi": rng.choice(kpis)},
        "year+state": lambda: {"year": rng.choice(YEARS), "state": rng.choice(STATES)},
        "state": lambda: {"state": "returned"},
        "one slot": lambda: {
            "year": rng.choice(YEARS),
            "unit": rng.choice(units),
            "kpi": "2.2",
            "period": "M03",
        },
    }
    results = {}
    for name, params in shapes.items():
        for _ in range(3):
            reviewer.get(url, params=params(), timeout=30)
        samples = [
            timed(lambda p=params: reviewer.get(url, params=p(), timeout=30)) for _ in range(40)
        ]
        results[f"reviewer {name}"] = samples
    mine = [
        timed(lambda: reporter.get(url, params={"year": rng.choice(YEARS)}, timeout=30))
        for _ in range(40)
    ]
    results["reporter1 year"] = mine
    return results


def measure_progress(origin: str, reviewer) -> tuple[float, list[float]]:
    """The first call (which copies the year's schedule from the catalogue), then 15 more."""
    url = f"{origin}/api/workflow/progress"
    first = timed(lambda: reviewer.get(url, params={"year": YEAR}, timeout=60))
    for _ in range(2):
        reviewer.get(url, params={"year": YEAR}, timeout=60)
    return first, [
        timed(lambda: reviewer.get(url, params={"year": YEAR}, timeout=60)) for _ in range(15)
    ]


# The same numbers as GET /progress: every scheduled cell with its state and lateness, and the
# roll-ups per unit, region and KPI, from the same copy of the catalogue's schedule.
PROGRESS_SQL = """
WITH cell AS (
    SELECT s.unit, s.kpi, s.period, s.due_on, s.optional, s.position, u.region, r.id,
           coalesce(r.state, 'missing') AS state,
           NOT s.optional AND CASE
               WHEN r.submitted_at IS NOT NULL
               THEN (r.submitted_at AT TIME ZONE 'Asia/Bangkok')::date > s.due_on
               ELSE (now() AT TIME ZONE 'Asia/Bangkok')::date > s.due_on END AS late
    FROM workflow.schedule_slots s
    LEFT JOIN workflow.reports r
      ON r.year = s.year AND r.unit = s.unit AND r.kpi = s.kpi AND r.period = s.period
    LEFT JOIN workflow.unit_copies u ON u.code = s.unit
    WHERE s.year = %(year)s
), rollup AS (
    SELECT unit, region, kpi,
           count(*) FILTER (WHERE NOT optional) AS expected,
           count(*) FILTER (WHERE NOT optional AND state IN ('submitted', 'endorsed', 'approved'))
               AS reported,
           count(*) FILTER (WHERE NOT optional AND state = 'approved') AS approved,
           count(*) FILTER (WHERE late) AS late
    FROM cell GROUP BY GROUPING SETS ((unit), (region), (kpi), ())
)
SELECT json_build_object(
    'rows', (SELECT json_agg(json_build_object('unit', unit, 'kpi', kpi, 'period', period,
             'state', state, 'report_id', id, 'due_on', due_on, 'late', late,
             'optional', optional) ORDER BY position) FROM cell),
    'rollups', (SELECT json_agg(rollup) FROM rollup))::text
"""


def measure_sql(db_url: str) -> list[float]:
    """The hand-written query, fetched as one JSON text (as the endpoint sends one)."""
    samples = []
    with psycopg.connect(db_url) as conn:
        for attempt in range(18):
            started = time.perf_counter()
            conn.execute(PROGRESS_SQL, {"year": YEAR}).fetchone()
            if attempt >= 3:
                samples.append((time.perf_counter() - started) * 1000)
    return samples


def measure_bulk(origin: str, reviewer, db_url: str) -> tuple[float, dict]:
    with psycopg.connect(db_url) as conn:
        ids = [
            r[0]
            for r in conn.execute(
                "SELECT id FROM workflow.reports WHERE year = %s AND state = 'endorsed' LIMIT %s",
                (YEAR - 1, BULK),
            )
        ]
    started = time.perf_counter()
    resp = reviewer.post(
        f"{origin}/api/workflow/reports/transitions",
        json={"action": "approve", "ids": ids},
        timeout=120,
    )
    elapsed = time.perf_counter() - started
    resp.raise_for_status()
    body = resp.json()
    return elapsed, {"succeeded": body["succeeded"], "failed": body["failed"]}


def main() -> int:
    with bench_system() as (origin, db_url):
        admin = session_of(origin, "admin")
        reviewer = session_of(origin, "reviewer")
        reporter = session_of(origin, "reporter1")
        units = add_units(origin, admin)
        catalogue = f"{origin}/api/catalogue"
        kpis = [k["code"] for k in reviewer.get(f"{catalogue}/years/{YEAR}/kpis").json()]
        schedule = reviewer.get(f"{catalogue}/years/{YEAR}/schedule", timeout=60).json()
        slots = slots_per_unit(units, schedule, kpis)
        seconds = generate(db_url, units, slots)
        total = len(YEARS) * len(units) * PER_UNIT_YEAR
        print(f"generated {total:,} reports in {seconds:.1f} s (COPY)")

        lists = measure_list(origin, reviewer, reporter, units, kpis)
        everything = [s for samples in lists.values() for s in samples]
        for name, samples in lists.items():
            median = statistics.median(samples)
            print(f"  list {name:<24} p50 {median:6.1f} ms  p95 {p95(samples):6.1f} ms")
        list_p95 = p95(everything)
        print(f"report list p95 over {len(everything)} requests: {list_p95:.1f} ms (target < 50)")

        first, progress = measure_progress(origin, reviewer)
        sql = measure_sql(db_url)
        ratio = statistics.median(progress) / statistics.median(sql)
        print(
            f"progress matrix {YEAR} ({len(schedule):,} cells): "
            f"p50 {statistics.median(progress):.1f} ms, p95 {p95(progress):.1f} ms (target < 300);"
            f" hand-written SQL p50 {statistics.median(sql):.1f} ms;"
            f" ratio {ratio:.2f} (target <= 3); first call, copying the schedule: {first:.0f} ms"
        )

        bulk_s, outcome = measure_bulk(origin, reviewer, db_url)
        print(f"bulk approve of {BULK}: {bulk_s:.2f} s (target < 5), {outcome}")

    met = {
        "list_p95_ms": list_p95 < TARGETS["list_p95_ms"],
        "progress_ms": p95(progress) < TARGETS["progress_ms"],
        "progress_over_sql": ratio <= TARGETS["progress_over_sql"],
        "bulk_s": bulk_s < TARGETS["bulk_s"] and outcome["succeeded"] == BULK,
    }
    print("targets: " + ", ".join(f"{k} {'met' if ok else 'MISSED'}" for k, ok in met.items()))
    return 0 if all(met.values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
