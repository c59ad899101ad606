"""A year is never counted again inside a request: a new or moved unit marks it stale, reads
answer its last figures marked so (with the time they were counted), and the year counter
counts it again in the background. New thresholds or weights are scored at once, nothing
counted again. Worked out by hand, on SQLite and PostgreSQL.

The year 2547 as the store tests copy it: PRD > R > P1, P2; 2.2 a count summed up the tree.
P1 approves 3 agencies, P2 6: R 9, PRD 9. The catalogue then opens a region R2 under PRD and
moves P2 under it: at once R still answers 9 and R2 nothing, both stale, counted when the year
was; then, counted again, R 3, R2 6, PRD 9, not stale.

7.1 is a level scored on thresholds [1, 2, 3, 4, 5]: P1's level 4 scores 4.0; on [2, 3, 4, 5, 6]
it scores 3.0, the year neither stale nor counted again. A new roll-up of 2.2 (a mean, whose keys
no longer count once) marks the year stale.
"""

import threading
import uuid
from datetime import UTC, date, datetime
from typing import Any

import pytest

from common.db import unit_of_work
from common.events import Envelope
from services.scorecard.events import on_events
from services.scorecard.models import YearCopy
from services.scorecard.service import Query, Scorecards
from services.scorecard.year_counter import YearCounter
from tests.scorecard.test_stores import DUE, READER, TREE, YEAR, event, slots, store  # noqa: F401
from tests.waiting import eventually

AS_OF = date(2003, 12, 31)
NOW = datetime(2003, 12, 31, tzinfo=UTC)
SCORING = {
    "2.2": {"direction": "up", "aggregation": "sum", "rollup": "sum",
            "thresholds": [60, 70, 80, 90, 100]},
    "7.1": {"direction": "up", "aggregation": "latest", "rollup": "mean",
            "thresholds": [1, 2, 3, 4, 5]},
}  # fmt: skip
MEASURES = {"2.2": ("P1", "count", "entry"), "7.1": ("P3", "level", "template")}


class Catalogue:
    """The catalogue's answers about the year, as its HTTP API gives them."""

    def __init__(self, tree: dict[str, str | None]):
        self.tree = dict(tree)

    def get(self, path: str, token: str | None = None, **params: Any) -> Any:
        year = f"/years/{YEAR}"
        answers = {
            year: {"year": YEAR, "missing_counts_as": 1.0},
            "/units": [
                {"code": c, "parent": p, "kind": "unit", "name_th": c, "name_en": c}
                for c, p in self.tree.items()
            ],
            f"{year}/kpis": [
                {"code": k, "perspective": p, "measure": m, "method": how, "name_th": k}
                for k, (p, m, how) in MEASURES.items()
            ],
            f"{year}/scoring": [
                {"kpi": k, "weight": 1.0, "confirmed": True, **s} for k, s in SCORING.items()
            ],
            f"{year}/targets": [],
            f"{year}/schedule": [s for s in slots([("2.2", DUE)]) if s["kpi"] == params.get("kpi")],
        }
        return answers[path]


def unit_event(code: str, parent: str) -> Envelope:
    return Envelope(
        id=str(uuid.uuid4()),
        type="catalogue.unit.changed",
        occurred_at="2003-12-01T10:00:00+00:00",
        actor="admin",
        data={"code": code, "parent": parent, "kind": "unit", "name_th": code, "name_en": code,
              "sample": False, "created": code == "R2"},
        schema_version=1,
    )  # fmt: skip


def scoring_event(kpi: str, **changes: Any) -> Envelope:
    return Envelope(
        id=str(uuid.uuid4()),
        type="catalogue.scoring.changed",
        occurred_at="2003-12-01T10:00:00+00:00",
        actor="admin",
        data={"year": YEAR, "kpi": kpi, "weight": 1.0, "confirmed": True, **SCORING[kpi],
              **changes},
        schema_version=1,
    )  # fmt: skip


def apply(factory, *events: Envelope) -> None:
    with unit_of_work(factory) as session:
        on_events(session, list(events))


def read(scorecards: Scorecards, unit: str, kpi: str) -> tuple:
    body = scorecards.unit(READER, Query(YEAR, unit, as_of=AS_OF), NOW)
    [card] = [k for k in body["kpis"] if k["kpi"] == kpi]
    return card["actual"], card["score"], body["stale"], body["counted_at"]


def counted_at(factory) -> datetime:
    with unit_of_work(factory, writes=False) as session:
        return session.get_one(YearCopy, YEAR).fetched_at


@pytest.fixture
def catalogue():
    return Catalogue(TREE)


@pytest.fixture
def start_counter(store, catalogue):  # noqa: F811
    """Starts the year counter as the service's runtime runs it, on the catalogue's answers."""
    stop = threading.Event()
    threads = []

    def start() -> None:
        worker = YearCounter(store, catalogue)
        threads.append(threading.Thread(target=worker.run, args=(stop,), daemon=True))
        threads[-1].start()

    yield start
    stop.set()
    for thread in threads:
        thread.join(timeout=30)


def test_a_moved_unit_is_answered_stale_at_once_then_counted_again(
    store,  # noqa: F811
    catalogue,
    start_counter,
):
    scorecards = Scorecards(store, catalogue)
    apply(
        store,
        event(uuid.uuid4().hex, "P1", "approved", 3, "2003-10-20"),
        event(uuid.uuid4().hex, "P2", "approved", 6, "2003-11-05"),
    )
    before = counted_at(store)
    assert read(scorecards, "R", "2.2")[:3] == (9.0, None, False)

    catalogue.tree.update({"R2": "PRD", "P2": "R2"})
    apply(store, unit_event("R2", "PRD"), unit_event("P2", "R2"))
    # The last figures, as they were counted, marked stale: no read counts the year.
    assert {unit: read(scorecards, unit, "2.2") for unit in ("R", "R2", "PRD", "P2")} == {
        "R": (9.0, None, True, before),
        "R2": (None, None, True, before),
        "PRD": (9.0, None, True, before),
        "P2": (6.0, None, True, before),
    }

    start_counter()

    def counted_again():
        now = {unit: read(scorecards, unit, "2.2")[:3] for unit in ("R", "R2", "PRD")}
        assert now == {"R": (3.0, None, False), "R2": (6.0, None, False), "PRD": (9.0, None, False)}
        return True

    eventually(counted_again, what="the year counted again")
    assert counted_at(store) > before


def test_new_thresholds_are_scored_at_once_without_counting_again(store):  # noqa: F811
    scorecards = Scorecards(store, Catalogue(TREE))
    apply(store, event(uuid.uuid4().hex, "P1", "approved", 4, "2003-10-20", "7.1"))
    before = counted_at(store)
    assert read(scorecards, "P1", "7.1") == (4.0, 4.0, False, before)

    apply(store, scoring_event("7.1", thresholds=[2, 3, 4, 5, 6], weight=2.0))
    assert read(scorecards, "P1", "7.1") == (4.0, 3.0, False, before)

    apply(store, scoring_event("2.2", rollup="mean"))
    assert read(scorecards, "P1", "7.1") == (4.0, 3.0, True, before)
