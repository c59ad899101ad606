"""Notifications under a burst: 1,000 report transitions committed in workflow, on RabbitMQ.

The workflow's own outbox table and the real outbox relay carry the events: each of the 1,000
transactions records a `workflow.report.submitted` event exactly as a transition does (the
report rows themselves are not needed by anyone downstream). The notifications service runs
with its consumers as in production; the unit has two heads with immediate email, so each
event writes two inbox rows and two email rows and queues two Celery tasks.

Measured (target from issue 6):
1. a burst committed as fast as one client can (the relay running): from each transaction's
   commit to its head's inbox row, p95 < 2 s;
2. a backlog of 1,000 committed events released to the relay at once: events per second
   through relay, broker and consumers.
Needs PostgreSQL (`RBM_BENCH_PG_URL`, default the test server) and RabbitMQ
(`RBM_BENCH_AMQP_URL`, default guest@127.0.0.1).
"""

from __future__ import annotations

import os
import statistics
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import psycopg
from kombu import Connection, Exchange, Queue
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

import services.workflow as workflow_package
from common.config import from_env
from common.db import make_engine, make_session_factory, migrate, unit_of_work
from common.events import Envelope, record_event
from common.messaging import OutboxRelay, connect, events_exchange
from common.web import runtime_of
from deploy.migrate import migrate_all
from services.notifications.models import Notification, Person
from services.system import create_service
from services.workflow.events import ReportSubmitted
from services.workflow.models import Outbox as WorkflowOutbox

PG_ADMIN_URL = os.environ.get("RBM_BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
AMQP_URL = os.environ.get("RBM_BENCH_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672//")
BURST = 1000
UNIT = "BENCH-01"
TARGET_P95_S = 2.0


@contextmanager
def bench_env() -> Iterator[dict[str, str]]:
    """A database, an exchange and a queue prefix of this run only; all removed at the end."""
    tag = uuid.uuid4().hex[:8]
    name = f"rbm_bench_nt_{tag}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("RBM_")},
        "RBM_DATA_DIR": tempfile.mkdtemp(prefix="rbm-bench-nt-"),
        "RBM_DATABASE_URL": f"{PG_ADMIN_URL.rsplit('/', 1)[0]}/{name}",
        "RBM_BROKER_URL": AMQP_URL,
        "RBM_EVENTS_EXCHANGE": f"rbm.events.bench{tag}",
        "RBM_QUEUE_PREFIX": f"rbm.bench{tag}",
        "RBM_LOG_LEVEL": "WARNING",
    }
    try:
        yield env
    finally:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def remove_broker_objects(env: dict[str, str], queues: list[str]) -> None:
    with Connection(AMQP_URL) as conn:
        for name in queues:
            Queue(name, channel=conn.channel()).delete()
        Queue(f"{env['RBM_QUEUE_PREFIX']}.notifications.tasks", channel=conn.channel()).delete()
        Exchange(env["RBM_EVENTS_EXCHANGE"], type="topic", channel=conn.channel()).delete()


def add_heads(env: dict[str, str], store, count: int = 2) -> list[str]:
    """Unit heads of the bench unit, announced as identity announces users."""
    names = [f"bench-head-{n}" for n in range(count)]
    with connect(AMQP_URL) as conn:
        producer = conn.Producer(exchange=events_exchange(env["RBM_EVENTS_EXCHANGE"]))
        for number, name in enumerate(names):
            data = {
                "user_id": str(number),
                "username": name,
                "display_name": f"ผู้อำนวยการทดสอบ {number}",
                "email": f"{name}@bench.rbm.invalid",
                "active": True,
                "memberships": [{"unit": UNIT, "role": "unit_head"}],
            }
            envelope = Envelope(
                str(uuid.uuid4()),
                "identity.user.changed",
                datetime.now(UTC).isoformat(),
                "bench",
                data,
                1,
            )
            producer.publish(envelope.to_json(), routing_key=envelope.type, retry=True)
    deadline = time.monotonic() + 30
    while not all(_get(store, Person, n) for n in names):
        if time.monotonic() > deadline:
            raise RuntimeError("the bench heads never reached the notifications service")
        time.sleep(0.1)
    return names


def _get(factory, model, key):
    with unit_of_work(factory) as session:
        return session.get(model, key)


def commit_burst(workflow_factory, count: int) -> dict[str, datetime]:
    """`count` transactions, each recording one submission as a transition does."""
    committed = {}
    for n in range(count):
        report_id = str(uuid.uuid4())
        event = ReportSubmitted(
            report_id=report_id,
            year=2547,
            kpi="2.1",
            unit=UNIT,
            period=f"M{n % 12 + 1:02d}",
            state="submitted",
            reporter="bench-reporter",
            actor="bench-reporter",
            on_behalf_of=None,
            comment="",
        )
        with unit_of_work(workflow_factory) as session:
            record_event(session, WorkflowOutbox, event, "bench-reporter")
        committed[report_id] = datetime.now(UTC)
    return committed


def arrivals(factory, head: str, expected: int, timeout: float = 120) -> dict[str, datetime]:
    """When each report's notification reached the head's inbox."""
    deadline = time.monotonic() + timeout
    query = select(Notification.report_id, Notification.created_at).where(
        Notification.recipient == head
    )
    while True:
        with unit_of_work(factory) as session:
            rows = dict(session.execute(query).all())
        if len(rows) >= expected or time.monotonic() > deadline:
            return rows
        time.sleep(0.2)


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]


class Relay:
    """Workflow's outbox relay in a thread of its own, to start and stop between phases."""

    def __init__(self, factory, env: dict[str, str]):
        self.factory, self.env = factory, env
        self.stop_event = threading.Event()
        self.thread: threading.Thread | None = None

    def start(self) -> None:
        relay = OutboxRelay(self.factory, WorkflowOutbox, AMQP_URL, self.env["RBM_EVENTS_EXCHANGE"])
        self.stop_event = threading.Event()
        self.thread = threading.Thread(target=relay.run, args=(self.stop_event,), daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.stop_event.set()
        if self.thread is not None:
            self.thread.join(10)


@contextmanager
def running(runtime, env: dict[str, str]) -> Iterator[tuple[sessionmaker, Relay, list[str]]]:
    """The service's workers in threads of their own, the workflow's database and its outbox
    relay (not started yet); at the end all stopped and the broker's queues of the run (the
    list yielded, which the caller may add to) removed."""
    workflow_engine = make_engine(from_env("workflow", env))
    migrate(workflow_engine, Path(workflow_package.__file__).parent / "migrations")
    workflow_factory = make_session_factory(workflow_engine)
    relay = Relay(workflow_factory, env)
    stop = threading.Event()
    threads = [
        threading.Thread(target=worker.run, args=(stop,), daemon=True) for worker in runtime.workers
    ]
    for thread in threads:
        thread.start()
    queues = sorted({q.name for w in runtime.workers for q in getattr(w, "all_queues", ())})
    try:
        yield workflow_factory, relay, queues
    finally:
        relay.stop()
        stop.set()
        for thread in threads:
            thread.join(10)
        runtime.engine.dispose()
        workflow_engine.dispose()
        remove_broker_objects(env, queues)


def main() -> int:
    with bench_env() as env:
        migrate_all(["notifications"], env)
        runtime = runtime_of(create_service("notifications", env))
        with running(runtime, env) as (workflow_factory, relay, _queues):
            heads = add_heads(env, runtime.session_factory)
            # 1. A burst committed while the relay runs: latency from each commit.
            relay.start()
            started = time.monotonic()
            committed = commit_burst(workflow_factory, BURST)
            commit_seconds = time.monotonic() - started
            arrived = arrivals(runtime.session_factory, heads[0], BURST)
            # 2. A backlog released at once: how many events per second the path carries.
            relay.stop()
            backlog = commit_burst(workflow_factory, BURST)
            released = time.monotonic()
            relay.start()
            drained = arrivals(runtime.session_factory, heads[0], 2 * BURST)
            drain_seconds = time.monotonic() - released

    missing = BURST - len(arrived) + sum(1 for r in backlog if r not in drained)
    latencies = sorted(
        (arrived[r] - committed[r]).total_seconds() for r in committed if r in arrived
    )
    print(
        f"burst: {BURST} transitions committed in {commit_seconds:.2f} s "
        f"({BURST / commit_seconds:.0f} commits/s), {len(heads)} unit heads told of each"
    )
    print(
        f"commit -> inbox row: p50 {statistics.median(latencies):.3f} s, "
        f"p95 {p95(latencies):.3f} s, max {latencies[-1]:.3f} s (target p95 < {TARGET_P95_S} s)"
    )
    print(
        f"backlog: {BURST} events relayed and handled in {drain_seconds:.2f} s = "
        f"{BURST / drain_seconds:.0f} events/s ({2 * BURST / drain_seconds:.0f} inbox rows/s); "
        f"missing: {missing}"
    )
    return int(missing > 0 or p95(latencies) >= TARGET_P95_S)


if __name__ == "__main__":
    raise SystemExit(main())
