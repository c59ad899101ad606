"""The outbox relay and the idempotent event consumer, on kombu (RabbitMQ or filesystem)."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import structlog
from kombu import Connection, Exchange, Queue
from kombu import Consumer as KombuConsumer
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from common.db import unit_of_work
from common.events import Envelope, utcnow
from common.logging import bind_request_id

log = structlog.get_logger("rbm.messaging")
TRIES_HEADER = "x-rbm-tries"
Handler = Callable[[Session, Envelope], None]


def connect(broker_url: str) -> Connection:
    """A kombu connection; publisher confirms on AMQP, shared folders on the filesystem."""
    if broker_url.startswith("filesystem://"):
        root = Path(broker_url.removeprefix("filesystem://"))
        folders = {"data_folder_in": root / "data", "data_folder_out": root / "data"}
        folders["control_folder"] = root / "control"
        for folder in folders.values():
            folder.mkdir(parents=True, exist_ok=True)
        options = {k: str(v) for k, v in folders.items()}
        return Connection("filesystem://", transport_options=options)
    return Connection(broker_url, transport_options={"confirm_publish": True}, heartbeat=0)


def is_amqp(broker_url: str) -> bool:
    return broker_url.startswith(("amqp://", "pyamqp://", "amqps://"))


def events_exchange(name: str) -> Exchange:
    return Exchange(name, type="topic", durable=True)


def ping(broker_url: str, timeout: float = 3.0) -> None:
    with connect(broker_url) as conn:
        conn.ensure_connection(max_retries=1, timeout=timeout)


def declare_queues(broker_url: str, consumers: Iterable[EventConsumer]) -> None:
    """Bind the consumers' queues now, before any relay runs: an event published to the
    exchange while no queue is bound to it is dropped (a system's very first start, say)."""
    try:
        with connect(broker_url) as conn:
            conn.ensure_connection(max_retries=3)
            for consumer in consumers:
                consumer.declare(conn)
    except Exception as exc:  # noqa: BLE001 - each consumer declares its queue again as it starts
        log.warning("queues_not_declared", error=f"{type(exc).__name__}: {exc}")


class OutboxRelay:
    """Publishes a service's outbox rows with confirms, then marks them sent."""

    def __init__(
        self,
        session_factory: sessionmaker[Session],
        outbox_model: type[Any],
        broker_url: str,
        exchange: str,
        batch: int = 200,
    ):
        self.session_factory = session_factory
        self.outbox = outbox_model
        self.broker_url = broker_url
        self.exchange = events_exchange(exchange)
        self.batch = batch
        self.connection: Connection | None = None

    def _producer(self):
        if self.connection is None:
            self.connection = connect(self.broker_url)
            self.connection.ensure_connection(max_retries=3)
        channel = self.connection.default_channel
        self.exchange(channel).declare()
        return self.connection.Producer(channel, exchange=self.exchange)

    def reset(self) -> None:
        """Drop the broker connection; the next pass opens a new one."""
        if self.connection is not None:
            with contextlib.suppress(Exception):  # the connection is being thrown away
                self.connection.release()
        self.connection = None

    def publish_pending(self) -> int:
        """Publish one batch of unsent events; returns how many were confirmed."""
        sent = 0
        with unit_of_work(self.session_factory) as session:
            query = (
                select(self.outbox)
                .where(self.outbox.sent_at.is_(None))
                .order_by(self.outbox.created_at)
                .limit(self.batch)
                .with_for_update(skip_locked=True)
            )
            rows = session.scalars(query).all()
            if not rows:
                return 0
            producer = self._producer()
            for row in rows:
                try:
                    producer.publish(
                        row.body,
                        routing_key=row.routing_key,
                        content_type="application/json",
                        content_encoding="utf-8",
                        delivery_mode=2,
                        message_id=row.id,
                        retry=False,
                    )
                except Exception as exc:
                    # Confirmed rows stay marked; this one and the rest wait for the next pass.
                    row.attempts += 1
                    row.last_error = f"{type(exc).__name__}: {exc}"[:500]
                    log.warning("outbox_publish_failed", event_id=row.id, error=row.last_error)
                    self.reset()
                    break
                row.sent_at = utcnow()
                row.attempts += 1
                sent += 1
        return sent

    def run(self, stop: threading.Event, interval: float = 0.2) -> None:
        """Relay until `stop` is set; broker or database faults are retried, never fatal."""
        while not stop.is_set():
            try:
                busy = self.publish_pending()
            except Exception as exc:  # noqa: BLE001 - a relay must outlive any fault
                log.warning("outbox_relay_error", error=f"{type(exc).__name__}: {exc}")
                self.reset()
                busy = 0
                stop.wait(1.0)
            if not busy:
                stop.wait(interval)
        self.reset()


class EventConsumer:
    """Handles events at most once per event id, acks after commit, dead-letters poison."""

    # Unacknowledged messages the broker may hand over at once, and how long `run` waits for
    # one before calling `on_idle` (subclasses that gather messages into batches tune both).
    prefetch = 20
    idle_timeout = 0.5

    def __init__(
        self,
        name: str,
        session_factory: sessionmaker[Session],
        inbox_model: type,
        handler: Handler,
        broker_url: str,
        exchange: str,
        queue_prefix: str,
        bindings: Iterable[str],
        max_tries: int = 5,
    ):
        self.name = name
        self.session_factory = session_factory
        self.inbox = inbox_model
        self.handler = handler
        self.broker_url = broker_url
        self.exchange = events_exchange(exchange)
        self.max_tries = max_tries
        self.queue_name = f"{queue_prefix}.{name}"
        arguments = {"x-queue-type": "quorum"} if is_amqp(broker_url) else None
        self.queues = [
            Queue(
                self.queue_name,
                self.exchange,
                routing_key=key,
                durable=True,
                queue_arguments=arguments,
            )
            for key in bindings
        ]
        self.dead_letters = Queue(f"{self.queue_name}.dlq", durable=True, queue_arguments=arguments)
        self.connection: Connection | None = None

    @property
    def all_queues(self) -> list[Queue]:
        """The consumer's queue (once, whatever its bindings) and its dead-letter queue."""
        return [*self.queues[:1], self.dead_letters]

    def declare(self, connection: Connection) -> None:
        channel = connection.default_channel
        for queue in [*self.queues, self.dead_letters]:
            queue(channel).declare()

    def handle(self, envelope: Envelope) -> bool:
        """Apply the handler once for this event id; returns False if it was already handled."""
        with unit_of_work(self.session_factory) as session:
            if session.get(self.inbox, (envelope.id, self.name)) is not None:
                return False
            bind_request_id(envelope.correlation_id)
            self.handler(session, envelope)
            session.add(self.inbox(event_id=envelope.id, consumer=self.name))
        return True

    def on_message(self, message) -> None:
        """Raw kombu message in: nothing is decoded before it is checked."""
        tries = int((message.headers or {}).get(TRIES_HEADER, 0)) + 1
        try:
            envelope = Envelope.parse(message.body)
        except ValueError as exc:
            self._dead_letter(message, f"malformed: {exc}")
            return
        try:
            self.handle(envelope)
        except Exception as exc:  # noqa: BLE001 - any failure is counted, then retried or parked
            error = f"{type(exc).__name__}: {exc}"[:500]
            log.warning(
                "event_handler_failed",
                consumer=self.name,
                event_id=envelope.id,
                tries=tries,
                error=error,
            )
            if tries >= self.max_tries:
                self._dead_letter(message, error)
            else:
                self._republish(message, self.queue_name, {TRIES_HEADER: tries})
            return
        message.ack()

    def _republish(self, message, routing_key: str, headers: dict) -> None:
        # Publish the copy before acking the original: a crash in between duplicates, never loses.
        connection = self.connection
        assert connection is not None, "called while consuming, on the consumer's connection"
        producer = connection.Producer(connection.default_channel)
        producer.publish(
            message.body,
            exchange="",
            routing_key=routing_key,
            content_type=message.content_type,
            content_encoding=message.content_encoding,
            headers={**(message.headers or {}), **headers},
            delivery_mode=2,
            retry=True,
        )
        message.ack()

    def _dead_letter(self, message, reason: str) -> None:
        log.error("event_dead_lettered", consumer=self.name, reason=reason)
        self._republish(message, self.dead_letters.name, {"x-rbm-error": reason})

    def on_idle(self) -> None:
        """Called when no message arrived for `idle_timeout` seconds; nothing to do here."""

    def run(self, stop: threading.Event, ready: threading.Event | None = None) -> None:
        """Consume until `stop` is set, reconnecting after broker faults."""
        while not stop.is_set():
            try:
                with connect(self.broker_url) as conn:
                    self.connection = conn
                    conn.ensure_connection(max_retries=3)
                    self.declare(conn)
                    channel = conn.default_channel
                    with KombuConsumer(
                        channel,
                        queues=self.queues,
                        on_message=self.on_message,
                        prefetch_count=self.prefetch,
                    ):
                        if ready is not None:
                            ready.set()
                        while not stop.is_set():
                            try:
                                conn.drain_events(timeout=self.idle_timeout)
                            except TimeoutError:
                                self.on_idle()
            except Exception as exc:  # noqa: BLE001 - reconnect after any broker fault
                log.warning(
                    "event_consumer_error", consumer=self.name, error=f"{type(exc).__name__}: {exc}"
                )
                stop.wait(1.0)
            finally:
                self.connection = None
