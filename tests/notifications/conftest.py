"""Fixtures of the notifications tests: people, events on the session's exchange, Celery
workers as subprocesses, and an SMTP server that answers 4xx, 5xx or not at all."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from common.db import unit_of_work
from common.events import Envelope
from common.messaging import connect, events_exchange
from deploy.seaweedfs import free_port
from services.identity.service import NewUser, add_user
from services.notifications.models import Email, Notification, Person
from tests.waiting import eventually

PASSWORD = "nt-password-1"


def new_unit() -> str:
    return f"NT{uuid.uuid4().hex[:6].upper()}"


class Store:
    """Reads the notifications service's tables of the live system."""

    def __init__(self, app):
        self.factory = app.extensions["rbm"].session_factory

    def notifications(self, **where) -> list[Notification]:
        query = select(Notification).order_by(Notification.created_at)
        for name, value in where.items():
            query = query.where(getattr(Notification, name) == value)
        with unit_of_work(self.factory) as session:
            return list(session.scalars(query))

    def recipients(self, source: str) -> list[str]:
        return sorted(n.recipient for n in self.notifications(source=source))

    def emails(self, **where) -> list[Email]:
        query = select(Email).order_by(Email.created_at)
        for name, value in where.items():
            query = query.where(getattr(Email, name) == value)
        with unit_of_work(self.factory) as session:
            return list(session.scalars(query))

    def email_of(self, notification: Notification) -> Email | None:
        found = self.emails(key=f"n:{notification.id}")
        return found[0] if found else None

    def person(self, username: str) -> Person | None:
        return self.get(Person, username)

    def get(self, model: type, key):
        with unit_of_work(self.factory) as session:
            return session.get(model, key)


@pytest.fixture(scope="session")
def store(live) -> Store:
    return Store(live.app("notifications"))


@pytest.fixture
def people(live, store):
    """`people((unit, role), ...)` creates one identity user per holding and waits until the
    notifications service has their `identity.user.changed` event; returns the usernames."""
    factory = live.app("identity").extensions["rbm"].session_factory

    def make(*holdings, email: bool = True) -> list[str]:
        names = []
        with unit_of_work(factory) as session:
            for holding in holdings:
                pairs = holding if isinstance(holding[0], tuple) else (holding,)
                username = f"nt-{uuid.uuid4().hex[:10]}"
                address = f"{username}@nt.rbm.invalid" if email else ""
                new = NewUser(username, f"ผู้ทดสอบ {username}", PASSWORD, address, tuple(pairs))
                add_user(session, "nt-tests", new)
                names.append(username)
        for name in names:
            eventually(lambda n=name: store.person(n), what=f"{name} known to notifications")
        return names

    return make


class Publisher:
    """Publishes envelopes straight to the session's exchange, as an owner's relay would."""

    def __init__(self, url: str, exchange: str):
        self.connection = connect(url)
        self.producer = self.connection.Producer(exchange=events_exchange(exchange))

    def envelope(self, routing_key: str, data: dict, actor: str | None = None, **fields):
        return Envelope(
            id=fields.get("id") or str(uuid.uuid4()),
            type=routing_key,
            occurred_at=fields.get("occurred_at") or datetime.now(UTC).isoformat(),
            actor=actor,
            data=data,
            schema_version=1,
        )

    def send(self, envelope: Envelope) -> str:
        self.raw(envelope.type, envelope.to_json(), envelope.id)
        return envelope.id

    def event(self, routing_key: str, data: dict, actor: str | None = None, **fields) -> str:
        return self.send(self.envelope(routing_key, data, actor, **fields))

    def raw(self, routing_key: str, body: str | bytes, message_id: str | None = None) -> None:
        self.producer.publish(
            body,
            routing_key=routing_key,
            content_type="application/json",
            content_encoding="utf-8",
            delivery_mode=2,
            message_id=message_id or str(uuid.uuid4()),
            retry=True,
        )

    def close(self) -> None:
        self.connection.release()


@pytest.fixture(scope="session")
def publisher(live, rabbitmq) -> Iterator[Publisher]:
    pub = Publisher(rabbitmq.url, live.env["RBM_EVENTS_EXCHANGE"])
    yield pub
    pub.close()


def report_data(unit: str, state: str, reporter: str | None, actor: str | None, **more) -> dict:
    """The data of a `workflow.report.<verb>` event (a KPI, period and report id of its own)."""
    return {
        "report_id": more.pop("report_id", str(uuid.uuid4())),
        "year": more.pop("year", 2547),
        "kpi": more.pop("kpi", "2.1"),
        "unit": unit,
        "period": more.pop("period", "M01"),
        "state": state,
        "reporter": reporter,
        "actor": actor,
        "on_behalf_of": more.pop("on_behalf_of", None),
        "comment": more.pop("comment", None),
        **more,
    }


# --- Celery workers ----------------------------------------------------------------------------


@dataclass
class WorkerProcess:
    """`python -m services.notifications.worker worker` on the session's RabbitMQ."""

    env: dict[str, str]
    concurrency: int = 2
    pool: str = "threads"
    proc: subprocess.Popen | None = None
    log: list[str] = field(default_factory=list)

    @property
    def queue(self) -> str:
        return f"{self.env['RBM_QUEUE_PREFIX']}.notifications.tasks"

    def start(self) -> WorkerProcess:
        args = [sys.executable, "-m", "services.notifications.worker", "worker"]
        args += [f"--pool={self.pool}", f"--concurrency={self.concurrency}", "--loglevel=WARNING"]
        args += [f"--hostname=nt-{uuid.uuid4().hex[:6]}@%h"]
        self.proc = subprocess.Popen(args, env=self.env, start_new_session=True)
        return self

    def kill(self) -> None:
        """SIGKILL: no chance to finish, ack or say goodbye."""
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        """Ask for a warm shutdown, then kill: a task in hand is not acked, the broker keeps it.

        (Celery's event loop notices a signal only at its next timer, up to ~10 s later.)
        """
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(2)
            except subprocess.TimeoutExpired:
                self.kill()


def worker_env(live, **overrides: str) -> dict[str, str]:
    return {**live.env, "RBM_EMAIL_RETRY_SECONDS": "0.5", **overrides}


@pytest.fixture(scope="session")
def celery_worker(live) -> Iterator[WorkerProcess]:
    """The worker that sends the live system's emails (to the `smtp` fixture)."""
    worker = WorkerProcess(worker_env(live)).start()
    yield worker
    worker.stop()


class FlakySmtp:
    """A real SMTP server (aiosmtpd) that refuses some recipients: those in `bounce` for good
    (550), those in `busy` for their first tries (451); it can be switched off and on."""

    def __init__(self):
        self.port = free_port()
        self.bounce: set[str] = set()
        self.busy: dict[str, int] = {}
        self.messages: list[dict] = []
        self.controller: Controller | None = None

    async def handle_RCPT(self, server, session, envelope, address, options):  # noqa: N802
        if address in self.bounce:
            return "550 5.1.1 No such mailbox here"
        if self.busy.get(address, 0) > 0:
            self.busy[address] -= 1
            return "451 4.3.2 Mailbox busy, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        self.messages.append({"to": list(envelope.rcpt_tos), "data": envelope.content})
        return "250 Message accepted"

    def start(self) -> FlakySmtp:
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def to(self, address: str) -> list[dict]:
        return [m for m in self.messages if address in m["to"]]


@pytest.fixture(scope="module")
def flaky_smtp() -> Iterator[FlakySmtp]:
    server = FlakySmtp().start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def flaky_worker(live, flaky_smtp) -> Iterator[WorkerProcess]:
    """A worker of its own queue whose SMTP server is the flaky one."""
    env = worker_env(
        live,
        RBM_SMTP_PORT=str(flaky_smtp.port),
        RBM_QUEUE_PREFIX=f"{live.env['RBM_QUEUE_PREFIX']}.flaky",
    )
    worker = WorkerProcess(env).start()
    yield worker
    worker.stop()
