"""The national data set: the department's shape and KPI mix in PostgreSQL, for the benches.

    python -m bench.national --units 20000 [--database rbm_national]   # about 1.4 M reports
    python -m bench.national --units 2000                             # QUICK: a few minutes

A fresh database (dropped first if it exists) on `RBM_BENCH_PG_URL`'s server (default the
test server) gets every service's schema by its own migrations and seed (the catalogue's 24
KPIs of 2547 with their cycles, applicability and scoring, and its organisation; the
identity's demo accounts, password `demo-password`, to call the system with), then:

- the tree: the department, its two groups, 8 regional offices, 12 bureaus, 76 provincial
  offices (9 or 10 a region) and, up to `--units`, offices below the provincial offices,
  which report what a provincial office reports (kind `province`, hung under one: rows the
  catalogue's own checks would refuse to make, as no kind may hang under a province today);
- the schedule of each unit as the catalogue computes it (`plans.schedule` of one unit of
  each kind: it depends only on the kind), typed slots and imported (feed) ones;
- a fiscal year of reports, one per slot (about 6 % left missing): typed ones created,
  submitted, endorsed and approved (1 in 7 returned once and submitted again; some left
  submitted, endorsed or in draft), each change an entry of the workflow's hash-chained audit
  trail (about 4 a report); feed rows imported as the workflow's import writes them (one
  `import` entry, approved); form KPIs carry no evidence files;
- written with COPY as the services would have written them: the catalogue's `units` and
  `targets` (counts' targets of every reporting unit), the workflow's `reports`,
  `audit_entries` and `audit_head`, and the scorecard's `units` and `reports` (each report's
  latest event, what its consumer keeps). The workflow's outbox (its event feed) is not
  written: the scorecard is not fed through it here;
- the scorecard's year then copied from the catalogue and counted by its own code
  (`catalogue_copy.copy_year`: the streamed count a stale year's recount runs), in a process
  of its own whose time and peak RSS are printed.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import psycopg

from bench import national_reads
from common.auth import Principal
from common.config import from_env
from common.db import make_engine, make_session_factory, unit_of_work
from deploy.migrate import migrate_all, with_database
from services.catalogue.seed_2547 import KPIS, YEAR
from services.catalogue.service import kpis, plans, scoring, units, years
from services.identity.demo import load_demo_users

PG_ADMIN_URL = os.environ.get("RBM_BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
REGIONS = [f"R{n}" for n in range(1, 9)]
PROVINCES = 76
BUREAUS = 12
MEASURE = {k["code"]: k["measure"] for k in KPIS}
METHOD = {k["code"]: k["method"] for k in KPIS}
COUNTING = {k["code"]: k.get("counting_rule") for k in KPIS}
SEES_ALL = Principal("bench", "bench", roles=frozenset({"reviewer"}))
GENESIS = "0" * 64
# Of the typed slots: no report, a draft, left submitted, left endorsed; the rest approved.
MISSING, DRAFT, SUBMITTED, ENDORSED = 0.06, 0.02, 0.03, 0.03
RETURNED = 1 / 7  # of those submitted: returned once, then submitted again


@dataclass(frozen=True)
class Unit:
    code: str
    kind: str
    parent: str | None
    name_th: str
    name_en: str


def tree(size: int) -> list[Unit]:
    """The units the seed does not hold, up to `size` units in all (the seed's 11 counted)."""
    made = [
        Unit(f"B{n:02d}", "bureau", "PRD", f"สำนักที่ {n}", f"Bureau {n}")
        for n in range(1, BUREAUS + 1)
    ]
    provinces = [
        Unit(f"P{n:02d}", "province", REGIONS[(n - 1) % 8], f"สำนักงานประชาสัมพันธ์จังหวัดที่ {n}",
             f"Provincial Public Relations Office {n}")
        for n in range(1, PROVINCES + 1)
    ]  # fmt: skip
    made += provinces
    below = max(size - 11 - len(made), 0)
    for n in range(below):
        province = provinces[n % PROVINCES]
        code = f"{province.code}-{n // PROVINCES + 1:03d}"
        made.append(Unit(code, "province", province.code, f"สถานีวิทยุ {code}", f"Station {code}"))
    return made


def copy_rows(conn: psycopg.Connection, table: str, columns: tuple[str, ...], rows) -> int:
    n = 0
    with conn.cursor().copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
            n += 1
    return n


class InProcessCatalogue:
    """The catalogue's answers to the scorecard's copy of a year, from its use cases (what its
    HTTP API serialises), on the catalogue's store."""

    def __init__(self, sessions):
        self.sessions = sessions

    def get(self, path: str, token: str | None = None, **params: Any) -> Any:
        s, y = self.sessions, f"/years/{YEAR}"
        answers = {
            y: lambda: years.get_year(s, YEAR),
            "/units": lambda: units.list_units(s, {}),
            f"{y}/kpis": lambda: kpis.list_kpis(s, YEAR, {}),
            f"{y}/scoring": lambda: scoring.list_scoring(s, YEAR),
            f"{y}/targets": lambda: plans.list_targets(s, SEES_ALL, YEAR),
            f"{y}/schedule": lambda: plans.schedule(s, YEAR, **params),
        }
        return answers[path]()


def sessions_of(service: str, env: dict[str, str]):
    return make_session_factory(make_engine(from_env(service, env)))


def schedules(catalogue, made: list[Unit]) -> dict[str, list[dict]]:
    """Each kind's slots (typed and imported) as the catalogue computes them for one unit of
    the kind: its schedule depends on the unit's kind only."""
    by_kind: dict[str, list[dict]] = {}
    for unit in made:
        if unit.kind not in by_kind:
            typed = plans.schedule(catalogue, YEAR, unit=unit.code)
            imported = plans.schedule(catalogue, YEAR, unit=unit.code, via="imported")
            by_kind[unit.kind] = [s for s in typed + imported if not s["optional"]]
    return by_kind


def _at(day: date, hour: int) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def value_of(kpi: str, rng: random.Random) -> float:
    measure = MEASURE[kpi]
    if measure == "level":
        return float(rng.randint(1, 5))
    if measure == "percent":
        return round(rng.uniform(50, 100), 2)
    return float(rng.randint(0, 20))


def life_of(slot: dict, rng: random.Random) -> list[tuple[str, str, str, datetime]]:
    """A report's changes: (action, state before, state after, when); none for a missing one."""
    due = date.fromisoformat(slot["due_on"])
    if slot["imported"]:
        return [("import", "", "approved", _at(due, 3))]
    draw = rng.random()
    if draw < MISSING:
        return []
    steps = [("edit", "", "draft", _at(due - timedelta(days=12), 2))]
    if draw < MISSING + DRAFT:
        return steps
    steps.append(("submit", "draft", "submitted", _at(due - timedelta(days=10), 3)))
    if rng.random() < RETURNED:
        steps.append(("return", "submitted", "returned", _at(due - timedelta(days=9), 4)))
        steps.append(("submit", "returned", "submitted", _at(due - timedelta(days=8), 5)))
    if draw < MISSING + DRAFT + SUBMITTED:
        return steps
    steps.append(("endorse", "submitted", "endorsed", _at(due - timedelta(days=6), 6)))
    if draw < MISSING + DRAFT + SUBMITTED + ENDORSED:
        return steps
    steps.append(
        ("approve", "endorsed", "approved", _at(due + timedelta(days=rng.randint(0, 20)), 7))
    )
    return steps


REPORT_COLUMNS = (
    "id", "year", "kpi", "unit", "period", "state", "method", "measure", "counting_rule",
    "value", "value_source", "items", "evidence", "note", "version", "created_by",
    "created_at", "updated_by", "updated_at", "submitted_at", "approved_at",
)  # fmt: skip
AUDIT_COLUMNS = (
    "seq", "subject", "subject_id", "actor", "on_behalf_of", "at", "action", "changes",
    "comment", "prev_hash", "hash",
)  # fmt: skip
READ_MODEL_COLUMNS = (
    "id", "year", "unit", "kpi", "period", "state", "value", "numerator", "denominator",
    "people", "counted_keys", "occurred_at",
)  # fmt: skip


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


class Trail:
    """The workflow's audit trail as its appends chain it (`services.workflow.audit`)."""

    def __init__(self):
        self.seq, self.hash = 0, GENESIS

    def entry(self, report: str, actor: str, action: str, changes: dict, at: datetime, comment):
        self.seq += 1
        body = {
            "seq": self.seq, "subject": "report", "subject_id": report, "actor": actor,
            "on_behalf_of": None, "at": at.isoformat(timespec="microseconds"),
            "action": action, "changes": changes, "comment": comment, "prev_hash": self.hash,
        }  # fmt: skip
        digest = hashlib.sha256(_canonical(body).encode()).hexdigest()
        row = (self.seq, "report", report, actor, None, at, action, _canonical(changes),
               comment, self.hash, digest)  # fmt: skip
        self.hash = digest
        return row


def reports(
    made: list[Unit], slots: dict[str, list[dict]], trail: Trail, seed: int
) -> Iterator[tuple]:
    """(workflow report row, its audit entries, the scorecard's row) for each report."""
    rng = random.Random(seed)
    for unit in made:
        for slot in slots.get(unit.kind, []):
            life = life_of(slot, rng)
            if not life:
                continue
            kpi, report = slot["kpi"], f"{rng.getrandbits(128):032x}"
            value = value_of(kpi, rng)
            reporter = "importer" if slot["imported"] else f"rep-{unit.code.lower()}"
            entries = []
            for action, before, after, at in life:
                actor = {"endorse": f"head-{unit.code.lower()}", "approve": "reviewer",
                         "return": "reviewer"}.get(action, reporter)  # fmt: skip
                changes = {"state": {"before": before or None, "after": after}}
                if action in ("edit", "import"):
                    changes["value"] = {"before": None, "after": value}
                comment = "ตัวเลขไม่ตรงกับหลักฐาน" if action == "return" else ""
                entries.append(trail.entry(report, actor, action, changes, at, comment))
            state, created, updated = life[-1][2], life[0][3], life[-1][3]
            submitted = next((at for a, _, _, at in reversed(life) if a == "submit"), None)
            approved = updated if state == "approved" else None
            row = (report, YEAR, kpi, unit.code, slot["period"], state, METHOD[kpi], MEASURE[kpi],
                   COUNTING[kpi], value, "import" if slot["imported"] else "typed", "[]", "[]",
                   "", len(life), reporter, created, entries[-1][3], updated,
                   submitted, approved)  # fmt: skip
            read_model = (report, YEAR, unit.code, kpi, slot["period"], state, value, None, None,
                          "[]", None, updated.isoformat())  # fmt: skip
            yield row, entries, read_model


def load_units(db_url: str, made: list[Unit]) -> None:
    """COPY the units into the catalogue, and the targets of the counts each reporting unit
    types (2.1, 2.2, 10.5)."""
    with psycopg.connect(db_url) as conn:
        copy_rows(conn, "catalogue.units", ("code", "name_th", "name_en", "kind", "parent",
                  "sample"), ((u.code, u.name_th, u.name_en, u.kind, u.parent, False)
                              for u in made))  # fmt: skip
        now = datetime.now(UTC)
        copy_rows(conn, "catalogue.targets", ("year", "unit", "kpi", "target", "updated_by",
                  "updated_at"), ((YEAR, u.code, k, 60.0, "bench", now) for u in made
                                  for k in ("2.1", "2.2", "10.5")
                   if u.kind in ("bureau", "region", "province")))  # fmt: skip


def load(db_url: str, made: list[Unit], slots: dict[str, list[dict]]) -> dict[str, int]:
    """COPY the year's reports into the workflow's and the scorecard's tables."""
    counts = {"reports": 0, "events": 0}
    with (
        psycopg.connect(db_url) as workflow,
        psycopg.connect(db_url) as trail_conn,
        psycopg.connect(db_url) as scorecard,
    ):
        trail = Trail()
        with (
            workflow.cursor().copy(
                f"COPY workflow.reports ({', '.join(REPORT_COLUMNS)}) FROM STDIN"
            ) as report_copy,
            trail_conn.cursor().copy(
                f"COPY workflow.audit_entries ({', '.join(AUDIT_COLUMNS)}) FROM STDIN"
            ) as audit_copy,
            scorecard.cursor().copy(
                f"COPY scorecard.reports ({', '.join(READ_MODEL_COLUMNS)}) FROM STDIN"
            ) as read_copy,
        ):
            for row, entries, read_model in reports(made, slots, trail, seed=23):
                report_copy.write_row(row)
                for entry in entries:
                    audit_copy.write_row(entry)
                read_copy.write_row(read_model)
                counts["reports"] += 1
                counts["events"] += len(entries)
        trail_conn.execute(
            "UPDATE workflow.audit_head SET seq = %s, hash = %s WHERE id = 1",
            (trail.seq, trail.hash),
        )
    return counts


def count_year(env: dict[str, str]) -> None:
    """The scorecard's copy and count of the year (run in a process of its own)."""
    scorecard_sessions = sessions_of("scorecard", env)
    catalogue = InProcessCatalogue(sessions_of("catalogue", env))
    from services.scorecard import catalogue_copy

    with unit_of_work(scorecard_sessions) as session:
        catalogue_copy.copy_year(session, catalogue, YEAR)


def environment(db_url: str) -> dict[str, str]:
    data_dir = tempfile.mkdtemp(prefix="rbm-national-")
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith("RBM_")},
        "RBM_DATA_DIR": data_dir,
        "RBM_DATABASE_URL": db_url,
        "RBM_BROKER_URL": f"filesystem://{data_dir}/broker",
        "RBM_LOG_LEVEL": "WARNING",
    }


def exists(name: str) -> bool:
    with psycopg.connect(PG_ADMIN_URL) as admin:
        found = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
        return found.fetchone() is not None


def fresh_database(name: str) -> str:
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    return f"{PG_ADMIN_URL.rsplit('/', 1)[0]}/{name}"


def build(size: int, name: str) -> dict[str, float]:
    """Make the data set; what it holds and how long each step took."""
    figures: dict[str, float] = {}
    started = time.perf_counter()
    db_url = fresh_database(name)
    env = environment(db_url)
    migrate_all(with_database(), env)
    with unit_of_work(sessions_of("identity", env)) as session:
        load_demo_users(session)  # the demo's reviewer, auditor, admin and R1's people
    figures["migrate_s"] = time.perf_counter() - started
    made = tree(size)
    step = time.perf_counter()
    load_units(db_url, made)
    slots = schedules(sessions_of("catalogue", env), made)
    counts = load(db_url, made, slots)
    figures["load_s"] = time.perf_counter() - step
    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute("ANALYZE")
        figures["units"] = conn.execute("SELECT count(*) FROM catalogue.units").fetchone()[0]
    figures.update(counts)
    step = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    subprocess.run(
        [sys.executable, "-m", "bench.national", "--count", "--database", name],
        check=True,
        env=env,
    )
    figures["count_s"] = time.perf_counter() - step
    figures["count_peak_rss_mb"] = (
        max(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, before) / 1024
    )
    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute("ANALYZE")
    return figures


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.national", description=__doc__)
    parser.add_argument("--units", type=int, default=20_000, help="units in the tree (20,000)")
    parser.add_argument("--database", default=None, help="its name (rbm_national_<units>)")
    parser.add_argument(
        "--measure", action="store_true", help="then time the API calls and pages on it"
    )
    parser.add_argument(
        "--reuse", action="store_true", help="measure the data set made before, if it exists"
    )
    parser.add_argument("--count", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    name = args.database or f"rbm_national_{args.units}"
    if args.count:
        count_year(dict(os.environ))
        return 0
    db_url = f"{PG_ADMIN_URL.rsplit('/', 1)[0]}/{name}"
    if not (args.reuse and exists(name)):
        report(name, build(args.units, name))
    if args.measure:
        return 1 if national_reads.measure(environment(db_url), db_url) else 0
    return 0


def report(name: str, figures: dict[str, float]) -> None:
    print(
        f"national data set {name}: {figures['units']:,} units, {figures['reports']:,} reports, "
        f"{figures['events']:,} audit entries ({figures['events'] / figures['reports']:.1f} a "
        f"report); migrated in {figures['migrate_s']:.0f} s, loaded in {figures['load_s']:.0f} s; "
        f"the scorecard's copy and streamed count of the year {figures['count_s']:.0f} s, peak "
        f"RSS {figures['count_peak_rss_mb']:.0f} MB"
    )


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
