"""From an approval to the scorecard: 500 approvals committed in workflow, on RabbitMQ.

The workflow's own outbox table and the real outbox relay carry the events: each of the 500
transactions records a `workflow.report.approved` event with its value, as an approval does.
The scorecard runs its consumer as in production, with a copied year over the national tree of
`bench_scorecard` (20,000 units), so that each approval counts its unit's share again and moves
the tallies of its unit, its region and the department.

Measured (target from issue 16): from each transaction's commit to the scorecard's transaction
that counted it (its inbox row, written with the tallies), p95 < 2 s. The baseline is the same
path without the scorecard's work: commit to the event's arrival in a plain queue bound to the
same exchange (relay and broker only).
Needs PostgreSQL (`RBM_BENCH_PG_URL`, default the test server) and RabbitMQ
(`RBM_BENCH_AMQP_URL`, default guest@127.0.0.1).
"""

from __future__ import annotations

import contextlib
import random
import statistics
import threading
import time
import uuid
from datetime import UTC, datetime

from kombu import Queue
from sqlalchemy import select

from bench.bench_notifications import AMQP_URL, bench_env, p95, running
from bench.bench_scorecard import CODES, REGIONS, catalogue_rows, load_units, units
from common.db import unit_of_work
from common.events import Envelope, record_event
from common.messaging import connect, events_exchange
from common.web import runtime_of
from deploy.migrate import migrate_all
from services.scorecard.models import Inbox, YearCopy
from services.system import create_service
from services.workflow.events import ReportApproved
from services.workflow.models import Outbox as WorkflowOutbox

YEAR = 2547
APPROVALS = 500
TARGET_P95_S = 2.0


def approve_all(workflow_factory, leaves: list[str]) -> dict[str, datetime]:
    """APPROVALS transactions, each recording one approval with its value; event id -> commit."""
    rng = random.Random(4)
    committed = {}
    for n in range(APPROVALS):
        event = ReportApproved(
            report_id=str(uuid.uuid4()),
            year=YEAR,
            kpi=rng.choice(CODES),
            unit=rng.choice(leaves),
            period=f"M{n % 12 + 1:02d}",
            state="approved",
            reporter="bench-reporter",
            actor="bench-reviewer",
            on_behalf_of=None,
            comment="",
            value=float(rng.randint(0, 9)),
        )
        with unit_of_work(workflow_factory) as session:
            envelope = record_event(session, WorkflowOutbox, event, "bench-reviewer")
        committed[envelope.id] = datetime.now(UTC)
    return committed


def counted(factory, expected: int, timeout: float = 120) -> dict[str, datetime]:
    """When the scorecard counted each event (its inbox row)."""
    deadline = time.monotonic() + timeout
    query = select(Inbox.event_id, Inbox.handled_at).where(~Inbox.event_id.startswith("feed:"))
    while True:
        with unit_of_work(factory) as session:
            rows = {event_id: at for event_id, at in session.execute(query)}
        if len(rows) >= expected or time.monotonic() > deadline:
            return rows
        time.sleep(0.1)


class Listener:
    """A plain queue on the events exchange: when each approval reached the broker's consumer
    side, with nothing done to it (the relay-and-broker part of the lag)."""

    def __init__(self, env: dict[str, str]):
        self.queue = Queue(
            f"{env['RBM_QUEUE_PREFIX']}.bench.listener",
            events_exchange(env["RBM_EVENTS_EXCHANGE"]),
            routing_key="workflow.report.approved",
        )
        self.seen: dict[str, datetime] = {}
        self.stop = threading.Event()
        self.ready = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self) -> None:
        with connect(AMQP_URL) as conn:

            def on_message(body, message) -> None:
                self.seen[Envelope.parse(message.body).id] = datetime.now(UTC)
                message.ack()

            with conn.Consumer([self.queue], callbacks=[on_message]):
                self.ready.set()
                while not self.stop.is_set():
                    with contextlib.suppress(TimeoutError):  # nothing came: look at stop
                        conn.drain_events(timeout=0.2)


def main() -> int:
    with bench_env() as env:
        migrate_all(["scorecard"], env)
        runtime = runtime_of(create_service("scorecard", env))
        tree = units()
        load_units(env["RBM_DATABASE_URL"], tree)
        with unit_of_work(runtime.session_factory) as session:
            catalogue_rows(session, YEAR)
            session.add(YearCopy(year=YEAR, stale=False))
        with running(runtime, env) as (workflow_factory, relay, queues):
            listener = Listener(env)
            queues.append(listener.queue.name)
            listener.thread.start()
            listener.ready.wait(30)
            try:
                relay.start()
                leaves = [u for u, parent in tree.items() if parent in REGIONS]
                started = time.monotonic()
                committed = approve_all(workflow_factory, leaves)
                commit_seconds = time.monotonic() - started
                arrived = counted(runtime.session_factory, APPROVALS)
            finally:
                listener.stop.set()
                listener.thread.join(10)

    lags = sorted((arrived[e] - committed[e]).total_seconds() for e in committed if e in arrived)
    broker = sorted(
        (listener.seen[e] - committed[e]).total_seconds() for e in committed if e in listener.seen
    )
    missing = APPROVALS - len(lags)
    print(
        f"{APPROVALS} approvals committed in {commit_seconds:.2f} s "
        f"({APPROVALS / commit_seconds:.0f} commits/s), {len(tree):,} units in the tree"
    )
    print(
        f"approval -> scorecard: p50 {statistics.median(lags):.3f} s, p95 {p95(lags):.3f} s, "
        f"max {lags[-1]:.3f} s (target p95 < {TARGET_P95_S} s); relay and broker alone: "
        f"p50 {statistics.median(broker):.3f} s, p95 {p95(broker):.3f} s; missing: {missing}"
    )
    return int(missing > 0 or p95(lags) >= TARGET_P95_S)


if __name__ == "__main__":
    raise SystemExit(main())
