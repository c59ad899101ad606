"""The read model on both stores the system runs on: SQLite (the embedded system) and
PostgreSQL (deployed), where its writes and the progress of a parent take other statements.
Worked out by hand.

The year 2547 is copied (2.2: count, `sum` over the year and up the tree); PRD > R > P1, P2.
Reports due: P1 on 10 November and 10 December 2003, P2 on 10 November 2003.
Events, applied in runs as a feed page brings them (the first run twice):
- P1: report A approved 3 agencies on 20 October 2003; its submission (older) comes last.
- P2: report B approved 6 agencies on 5 November 2003; report C submitted 1 (pending).
As of 30 November 2003: P1 due 1, approved 1 (100 %); P2 due 1, approved 1, pending 1
(100 %); R due 2, approved 2, pending 1 (100 %). As of 31 December: P1 and R 1 more due
(50 %, 66.67 %). R's 2.2 actual is 3 + 6 = 9: 3 by October's end, 9 by November's.

7.1 (a level, `latest` over the year, the `mean` up the tree), in a test of its own due
from P1 and P2 on 10 November 2003: P1 approves level 5. As of 31 October nobody must report
it yet: R's level is P1's 5. As of 30 November both must: P2 is missing and counts at 1.0,
R's level is (5 + 1) / 2 = 3, 1 unit missing; P2's own 7.1 is missing.

2.2 counts an agency once a month across units: P1 and P2 both report the same agency in
October 2003 → P1 1, P2 1, R 1, PRD 1; P2's moved to November → R 2; P1's sent back → R 1
(P2's November); a report from before events carried keys, value 3, counts 3 → R 1 + 3 = 4.
"""

import uuid
from contextlib import ExitStack
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import delete

from common.auth import Principal
from common.config import Settings
from common.db import make_engine, make_session_factory, migrate, unit_of_work
from common.events import Envelope
from services.scorecard import service
from services.scorecard.events import on_events
from services.scorecard.models import (
    CountedKey,
    Kpi,
    MonthTally,
    Report,
    Scoring,
    Share,
    Tally,
    Unit,
    YearCopy,
)
from services.scorecard.service import Query, completion, history, scorecard
from services.scorecard.tallying import copy_due_dates, retally_year
from tests.conftest import fresh_database

MIGRATIONS = Path(service.__file__).parent / "migrations"
YEAR = 2547
READER = Principal("reader", "reader", roles=frozenset({"reviewer"}))
NOW = datetime(2003, 12, 31, tzinfo=UTC)
TREE = {"PRD": None, "R": "PRD", "P1": "R", "P2": "R"}
DUE = [("P1", date(2003, 11, 10)), ("P1", date(2003, 12, 10)), ("P2", date(2003, 11, 10))]
LEVEL_DUE = [("P1", date(2003, 11, 10)), ("P2", date(2003, 11, 10))]


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path):
    """A session factory on a fresh store of the scorecard's own, with the year copied."""
    with ExitStack() as stack:
        if request.param == "sqlite":
            url = f"sqlite:///{tmp_path}/scorecard.db"
        else:
            url = stack.enter_context(fresh_database(f"rbm_test_stores_{uuid.uuid4().hex[:8]}"))
        yield from _filled(url, tmp_path)


def _filled(url: str, tmp_path):
    settings = Settings(
        service="scorecard", data_dir=tmp_path, database_url=url, broker_url="unused"
    )
    engine = make_engine(settings)
    migrate(engine, MIGRATIONS)
    factory = make_session_factory(engine)
    with unit_of_work(factory) as session:
        for code, parent in TREE.items():
            session.add(Unit(code=code, parent=parent, kind="unit", name_th=code, name_en=code))
        session.add(YearCopy(year=YEAR, stale=False))
        # 2.2 a count (`sum` over the year and up the tree), 7.1 a level (`latest`, `mean`).
        for code, perspective, measure, method, aggregation, rollup, thresholds in (
            ("2.2", "P1", "count", "entry", "sum", "sum", [60, 70, 80, 90, 100]),
            ("7.1", "P3", "level", "template", "latest", "mean", [1, 2, 3, 4, 5]),
        ):
            session.add(
                Kpi(year=YEAR, code=code, perspective=perspective, measure=measure,
                    method=method, name_th=code, name_en=code)
            )  # fmt: skip
            session.add(
                Scoring(year=YEAR, kpi=code, direction="up", aggregation=aggregation,
                        rollup=rollup, weight=1.0, thresholds=thresholds, confirmed=True)
            )  # fmt: skip
        session.flush()
        copy_due_dates(session, YEAR, slots([("2.2", DUE)]))
    yield factory
    engine.dispose()


def slots(due: list[tuple[str, list]]) -> list[dict]:
    return [{"unit": u, "kpi": kpi, "due_on": d} for kpi, days in due for u, d in days]


def event(
    report: str, unit: str, state: str, value: float, day: str, kpi: str = "2.2", **facts
) -> Envelope:
    """A report event; `facts` adds to (or replaces) its data, e.g. its period or people."""
    return Envelope(
        id=str(uuid.uuid4()),
        type=f"workflow.report.{state}",
        occurred_at=f"{day}T10:00:00+00:00",
        actor="reviewer",
        data={"report_id": report, "year": YEAR, "kpi": kpi, "unit": unit,
              "period": "M01" if kpi == "2.2" else "Y", "state": state, "value": value,
              **facts},
        schema_version=1,
    )  # fmt: skip


def read(factory, use_case, unit: str, as_of: date):
    with unit_of_work(factory) as session:
        return use_case(session, READER, None, Query(YEAR, unit, as_of=as_of), NOW)


def progress(factory, unit: str, as_of: date) -> tuple:
    body = read(factory, completion, unit, as_of)
    rows = [(r["unit"], r["has_units"], r["reports"], r["completion"]) for r in body["units"]]
    return body["reports"], body["completion"], rows


def test_a_run_of_events_is_counted_once_and_the_progress_reads_the_same(store):
    a, b, c = (uuid.uuid4().hex for _ in range(3))
    run = [
        event(a, "P1", "approved", 3, "2003-10-20"),
        event(b, "P2", "approved", 6, "2003-11-05"),
        event(c, "P2", "submitted", 1, "2003-11-06"),
    ]
    # The run, the same run again (a page delivered twice), then A's older submission.
    for events in (run, run, [event(a, "P1", "submitted", 3, "2003-10-15")]):
        with unit_of_work(store) as session:
            on_events(session, events)

    november, december = date(2003, 11, 30), date(2003, 12, 31)
    assert progress(store, "R", november) == (
        {"due": 2, "approved": 2, "pending": 1},
        100.0,
        [
            ("P1", False, {"due": 1, "approved": 1, "pending": 0}, 100.0),
            ("P2", False, {"due": 1, "approved": 1, "pending": 1}, 100.0),
        ],
    )
    assert progress(store, "PRD", december) == (
        {"due": 3, "approved": 2, "pending": 1},
        66.67,
        [("R", True, {"due": 3, "approved": 2, "pending": 1}, 66.67)],
    )
    assert progress(store, "P1", december) == ({"due": 2, "approved": 1, "pending": 0}, 50.0, [])
    card = read(store, scorecard, "R", november)
    assert [(k["kpi"], k["actual"]) for k in card["kpis"]] == [("2.2", 9.0), ("7.1", None)]
    months = read(store, history, "R", november)["months"]
    assert [(m["month"], m["reports"]["approved"]) for m in months] == [
        ("2003-10", 1),
        ("2003-11", 2),
    ]


def level(factory, unit: str, as_of: date) -> tuple:
    card = read(factory, scorecard, unit, as_of)
    [kpi] = [k for k in card["kpis"] if k["kpi"] == "7.1"]
    return kpi["actual"], kpi["missing"], kpi["basis"]["missing"], card["missing"]


def test_a_level_is_the_mean_over_the_units_that_must_report_and_silence_is_missing(store):
    with unit_of_work(store) as session:
        copy_due_dates(session, YEAR, slots([("2.2", DUE), ("7.1", LEVEL_DUE)]))
        on_events(session, [event(uuid.uuid4().hex, "P1", "approved", 5, "2003-10-20", "7.1")])
    october, november = date(2003, 10, 31), date(2003, 11, 30)
    assert level(store, "R", october) == (5.0, False, 0, 0)
    # 2.2, due from 10 November, has nothing approved in this test: R misses it, P2 both.
    assert level(store, "R", november) == (3.0, False, 1, 1)
    assert level(store, "P2", november) == (None, True, 1, 2)
    # P2's overall: both its KPIs missing, each at 1.0.
    assert read(store, scorecard, "P2", november)["score"] == 1.0
    # Counted again from scratch (a rebuild), the same.
    with unit_of_work(store) as session:
        retally_year(session, YEAR)
    assert level(store, "R", november) == (3.0, False, 1, 1)


def test_a_share_of_staff_is_capped_at_100_per_cent_and_its_basis_says_so(store):
    # 15.2 (a percentage of staff, distinct people over the year, Σ / Σ up the tree): P1
    # counts 30 people in H1 and 30 others in H2 of 40 staff: 60 / 40 capped at 40 / 40.
    with unit_of_work(store) as session:
        session.add(
            Kpi(year=YEAR, code="15.2", perspective="P4", measure="percent", method="entry",
                name_th="15.2", name_en="15.2")
        )  # fmt: skip
        session.add(
            Scoring(year=YEAR, kpi="15.2", direction="up", aggregation="distinct",
                    rollup="ratio", weight=1.0, thresholds=[60, 70, 80, 90, 100], confirmed=True)
        )  # fmt: skip
    halves = [
        event(uuid.uuid4().hex, "P1", "approved", 75, "2003-10-20", "15.2", period=half,
              numerator=30, denominator=40, people=[f"{half}-{n}" for n in range(30)])
        for half in ("H1", "H2")
    ]  # fmt: skip
    with unit_of_work(store) as session:
        on_events(session, halves)

    def staff(unit: str) -> tuple:
        [kpi] = [k for k in read(store, scorecard, unit, NOW.date())["kpis"] if k["kpi"] == "15.2"]
        return kpi["actual"], kpi["basis"]["capped"], kpi["basis"]["text"]

    said = (100.0, 1, "Σ 1 unit 40 / 40 = 100 %, 1 unit capped at 100 % (more people than staff)")
    assert staff("P1") == staff("R") == said
    with unit_of_work(store) as session:
        retally_year(session, YEAR)
    assert staff("R") == said


AGENCY = "เทศบาลนครเชียงใหม่"


def counts(factory, units=("P1", "P2", "R", "PRD")) -> dict:
    """Each unit's approved 2.2 actual (agencies a month, added up over the year)."""
    return {
        unit: next(k["actual"] for k in read(factory, scorecard, unit, NOW.date())["kpis"])
        for unit in units
    }


def agencies(report: str, unit: str, day: str, *keys: list[str], state="approved") -> Envelope:
    month = {"10": "M01", "11": "M02"}[day[5:7]]
    return event(report, unit, state, len(keys), day, period=month, counted_keys=list(keys))


def test_a_region_counts_an_agency_served_by_two_provinces_in_a_month_once(store):
    p1, p2, old = (uuid.uuid4().hex for _ in range(3))
    october, november = [AGENCY, "2003-10"], [AGENCY, "2003-11"]

    history: list[Envelope] = []

    def apply(*events: Envelope) -> dict:
        history.extend(events)
        with unit_of_work(store) as session:
            on_events(session, list(events))
        return counts(store)

    # P1 and P2 both served the agency in October: one agency-month for R and PRD.
    expected = {"P1": 1.0, "P2": 1.0, "R": 1.0, "PRD": 1.0}
    assert (
        apply(agencies(p1, "P1", "2003-10-20", october), agencies(p2, "P2", "2003-10-21", october))
        == expected
    )
    [card] = [k for k in read(store, scorecard, "R", NOW.date())["kpis"] if k["kpi"] == "2.2"]
    assert card["basis"]["text"] == "Σ 2 units = 1 (1 key counted once across them)"
    # P2's report is corrected to November: two agency-months.
    assert apply(agencies(p2, "P2", "2003-11-20", november)) == {**expected, "R": 2, "PRD": 2}
    # P1's report sent back (no longer approved): P2's November alone.
    returned = agencies(p1, "P1", "2003-11-21", october, state="returned")
    assert apply(returned) == {"P1": None, "P2": 1.0, "R": 1.0, "PRD": 1.0}
    # A report from before events carried keys counts its value, 3, as before.
    assert apply(event(old, "P1", "approved", 3, "2003-11-22")) == {
        "P1": 3.0, "P2": 1.0, "R": 4.0, "PRD": 4.0
    }  # fmt: skip
    # Counted again from scratch, the same; and replayed from the event history in one run
    # (a rebuild's batch) on an empty read model of reports.
    with unit_of_work(store) as session:
        retally_year(session, YEAR)
    assert counts(store) == {"P1": 3.0, "P2": 1.0, "R": 4.0, "PRD": 4.0}
    with unit_of_work(store) as session:
        for model in (Report, Share, Tally, MonthTally, CountedKey):
            session.execute(delete(model))
        on_events(session, history)
    assert counts(store) == {"P1": 3.0, "P2": 1.0, "R": 4.0, "PRD": 4.0}
