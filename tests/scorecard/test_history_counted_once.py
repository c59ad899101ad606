"""The history counts 2.2's [agency, month] once across a parent's units, month by month, as
its scorecard does. Worked out by hand, on SQLite and PostgreSQL (the `store` of
`test_stores`: PRD > R > P1, P2; 2.2 a count, thresholds [60, 70, 80, 90, 100] per cent of the
target; 7.1 never due, so the overall score is 2.2's). R's target for 2.2 is 3.

2.2's reports approved, each naming [agency, month] keys:
- P1, M01: [A, October], approved 20 October 2003 (fiscal month 1);
- P2, M01: [A, October], approved 5 November 2003 (month 2);
- P2, M02: [A, November], approved 20 November 2003 (month 2);
- P1, M02: [A, November], approved 5 December 2003 (month 3).

R at the end of October: A-October = 1 of 3 = 33.33 % → 1.0. November: A-October, A-November
= 2 (the units' sum would be 3, 100 % → 5.0) = 66.67 % → 1 + 6.67 / 10 = 1.667. December: still
2 (the sum 4) → 1.667. PRD the same. P2's November report sent back on 10 December: R has
A-October by November's end (1 → 1.0), and P1's A-November by December's (2 → 1.667).
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

from sqlalchemy import delete

from common.db import unit_of_work
from common.events import Envelope
from services.scorecard.events import on_events
from services.scorecard.models import MonthKey, MonthTally, Share, Tally
from services.scorecard.service import Query, history, scorecard
from services.scorecard.tallying import retally_year, set_target
from tests.scorecard.test_stores import READER, YEAR, store  # noqa: F401 - the fixture

NOW = datetime(2003, 12, 31, tzinfo=UTC)
P2_NOVEMBER = uuid.uuid4().hex


def report(unit: str, period: str, month: str, day: str, state="approved", rid=None) -> Envelope:
    return Envelope(
        id=str(uuid.uuid4()),
        type=f"workflow.report.{state}",
        occurred_at=f"{day}T03:00:00+00:00",
        actor="reviewer",
        data={"report_id": rid or uuid.uuid4().hex, "year": YEAR, "kpi": "2.2", "unit": unit,
              "period": period, "state": state, "value": 1.0,
              "counted_keys": [["A", month]]},
        schema_version=1,
    )  # fmt: skip


def apply(factory, *events: Envelope) -> None:
    with unit_of_work(factory) as session:
        on_events(session, list(events))


def scores(factory, unit: str) -> list[tuple[str, float | None]]:
    with unit_of_work(factory) as session:
        body = history(session, READER, None, Query(YEAR, unit, as_of=NOW.date()), NOW)
    return [(m["month"], m["score"]) for m in body["months"]]


def actual_now(factory, unit: str) -> float | None:
    with unit_of_work(factory) as session:
        body = scorecard(session, READER, None, Query(YEAR, unit, as_of=date(2003, 12, 31)), NOW)
    return next(k["actual"] for k in body["kpis"] if k["kpi"] == "2.2")


def test_the_history_counts_an_agency_month_once_across_units(store):  # noqa: F811
    with unit_of_work(store) as session:
        for unit in ("R", "PRD"):
            set_target(session, YEAR, unit, "2.2", 3.0)
    apply(
        store,
        report("P1", "M01", "2003-10", "2003-10-20"),
        report("P2", "M01", "2003-10", "2003-11-05"),
        report("P2", "M02", "2003-11", "2003-11-20", rid=P2_NOVEMBER),
        report("P1", "M02", "2003-11", "2003-12-05"),
    )
    counted_once = [("2003-10", 1.0), ("2003-11", 1.667), ("2003-12", 1.667)]
    assert scores(store, "R") == scores(store, "PRD") == counted_once
    assert actual_now(store, "R") == 2.0
    # Counted again from scratch (a rebuild), the same.
    with unit_of_work(store) as session:
        retally_year(session, YEAR)
    assert scores(store, "R") == counted_once
    # P2's November report sent back: its key leaves November.
    apply(store, report("P2", "M02", "2003-11", "2003-12-10", "returned", rid=P2_NOVEMBER))
    assert scores(store, "R") == [("2003-10", 1.0), ("2003-11", 1.0), ("2003-12", 1.667)]
    with unit_of_work(store) as session:
        for model in (Share, Tally, MonthTally, MonthKey):
            session.execute(delete(model))
        retally_year(session, YEAR)
    assert scores(store, "R") == [("2003-10", 1.0), ("2003-11", 1.0), ("2003-12", 1.667)]
