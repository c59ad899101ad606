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
"""

import uuid
from contextlib import ExitStack
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from common.auth import Principal
from common.config import Settings
from common.db import make_engine, make_session_factory, migrate, unit_of_work
from common.events import Envelope
from services.scorecard import service
from services.scorecard.events import on_events
from services.scorecard.models import Kpi, Scoring, Unit, YearCopy
from services.scorecard.service import Query, completion, history, scorecard
from services.scorecard.tallying import copy_due_dates
from tests.conftest import fresh_database

MIGRATIONS = Path(service.__file__).parent / "migrations"
YEAR = 2547
READER = Principal("reader", "reader", roles=frozenset({"reviewer"}))
NOW = datetime(2003, 12, 31, tzinfo=UTC)
TREE = {"PRD": None, "R": "PRD", "P1": "R", "P2": "R"}
DUE = [("P1", date(2003, 11, 10)), ("P1", date(2003, 12, 10)), ("P2", date(2003, 11, 10))]


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
        session.add(
            Kpi(year=YEAR, code="2.2", perspective="P1", measure="count", method="entry",
                name_th="2.2", name_en="2.2")
        )  # fmt: skip
        session.add(
            Scoring(year=YEAR, kpi="2.2", direction="up", aggregation="sum", rollup="sum",
                    weight=1.0, thresholds=[60, 70, 80, 90, 100], confirmed=True)
        )  # fmt: skip
        session.flush()
        copy_due_dates(session, YEAR, [{"unit": u, "kpi": "2.2", "due_on": d} for u, d in DUE])
    yield factory
    engine.dispose()


def event(report: str, unit: str, state: str, value: float, day: str) -> Envelope:
    return Envelope(
        id=str(uuid.uuid4()),
        type=f"workflow.report.{state}",
        occurred_at=f"{day}T10:00:00+00:00",
        actor="reviewer",
        data={"report_id": report, "year": YEAR, "kpi": "2.2", "unit": unit,
              "period": "M01", "state": state, "value": value},
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
    assert [(k["kpi"], k["actual"]) for k in card["kpis"]] == [("2.2", 9.0)]
    months = read(store, history, "R", november)["months"]
    assert [(m["month"], m["reports"]["approved"]) for m in months] == [
        ("2003-10", 1),
        ("2003-11", 2),
    ]
