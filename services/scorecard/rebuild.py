"""Rebuild the scorecard's read model from the event history.

    python -m services.scorecard.rebuild            # from the producers' numbered event feeds
    python -m services.scorecard.rebuild FILE.jsonl # from envelopes saved one per line

The read model is emptied, then every event goes through the same handler as the live
consumer (and is recorded as handled), in the order it occurred; each year is counted in one
pass when it is next read.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Iterator
from itertools import islice
from pathlib import Path

from sqlalchemy import delete, insert, text
from sqlalchemy.orm import Session, sessionmaker

from common.clients import ServiceClient
from common.config import Settings, from_env
from common.db import make_session_factory, open_store, unit_of_work
from common.events import Envelope, utcnow
from services.scorecard.events import BINDINGS, on_events
from services.scorecard.models import Base, Inbox

CONSUMER = "scorecard.events"
PRODUCERS = ("catalogue", "workflow")
BATCH = 500
FEED_PAGE = 1000


def wanted(envelope: Envelope) -> bool:
    """Whether the live consumer's bindings would have delivered the event."""
    for key in BINDINGS:
        prefix = key.removesuffix("*")
        if envelope.type == key or (key.endswith("*") and envelope.type.startswith(prefix)):
            return True
    return False


def rebuild(session_factory: sessionmaker[Session], envelopes: Iterable[Envelope]) -> int:
    """Empty the read model and apply the events in order; returns how many were applied."""
    with unit_of_work(session_factory) as session:
        for table in reversed(Base.metadata.sorted_tables):
            session.execute(delete(table))
    applied, now = 0, utcnow()
    events = iter(e for e in envelopes if wanted(e))
    while batch := list(islice(events, BATCH)):
        with unit_of_work(session_factory) as session:
            on_events(session, batch)
            handled = [{"event_id": e.id, "consumer": CONSUMER, "handled_at": now} for e in batch]
            session.execute(insert(Inbox.__table__), handled)
        applied += len(batch)
    with unit_of_work(session_factory) as session:
        if session.get_bind().dialect.name == "postgresql":
            # The tables were emptied and filled again: without fresh statistics the planner
            # takes the reports of a year for a handful and reads them all for every page
            # of events that follows, until autovacuum comes round.
            for table in Base.metadata.sorted_tables:
                session.execute(text(f"ANALYZE {table.name}"))
    return applied


def feed(client: ServiceClient) -> Iterator[Envelope]:
    """A producer's events in order, page by page, from its `GET /events?after=N` feed."""
    after = 0
    while True:
        body = client.get("/events", after=after, limit=FEED_PAGE)
        rows = body if isinstance(body, list) else body.get("events", [])
        if not rows:
            return
        for row in rows:
            after = max(after, int(row.get("seq", after + 1)))
            yield Envelope.parse(row.get("envelope", row))
        if len(rows) < FEED_PAGE:
            return


def history(settings: Settings) -> list[Envelope]:
    """Every producer's events, merged in the order they occurred."""
    events = [e for name in PRODUCERS for e in feed(ServiceClient(settings, name))]
    return sorted(events, key=lambda e: e.occurred_at)


def from_file(path: str) -> Iterator[Envelope]:
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                yield Envelope.parse(json.loads(line))


def main(argv: list[str]) -> int:
    settings = from_env("scorecard")
    engine = open_store(settings, Path(__file__).parent / "migrations")
    session_factory = make_session_factory(engine)
    events = from_file(argv[0]) if argv else history(settings)
    print(f"scorecard rebuilt from {rebuild(session_factory, events)} events")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
