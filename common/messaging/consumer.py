"""The idempotent event consumer: an event id handled at most once, acked after commit, poison
dead-lettered; the producers' feeds read for whatever the broker did not bring."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from typing import Any, Protocol, Self

import structlog
from kombu import Connection, Queue
from kombu import Consumer as KombuConsumer
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from common.config import Settings
from common.db import unit_of_work
from common.events import Envelope, utcnow
from common.logging import bind_request_id
from common.messaging.broker import TRIES_HEADER, connect, events_exchange, is_amqp, topic_matches

log = structlog.get_logger("rbm.messaging")


Handler = Callable[[Session, Envelope], None]
FEED_PREFIX = "feed:"  # inbox rows `feed:<producer>` hold a consumer's place in that feed


class Feed(Protocol):
    """A producer's numbered events: `{"events": [...], "head": n}`, events after `after`."""

    def page(self, producer: str, after: int, limit: int) -> dict[str, Any]: ...


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


class EventConsumer:
    """Handles events at most once per event id, acks after commit, dead-letters poison."""

    # Unacknowledged messages the broker may hand over at once, and how long `run` waits for
    # one before calling `on_idle` (subclasses that gather messages into batches tune both).
    prefetch = 20
    idle_timeout = 0.5
    # While idle, how often the producers' feeds are asked for what the broker did not bring,
    # and how many events a page of a feed holds.
    catch_up_every = 5.0
    feed_page = 100

    def __init__(
        self,
        name: str,
        session_factory: sessionmaker[Session],
        inbox_model: type[Any],
        handler: Handler,
        broker_url: str,
        exchange: str,
        queue_prefix: str,
        bindings: Iterable[str],
        max_tries: int = 5,
        feed: Feed | None = None,
    ):
        self.name = name
        self.session_factory = session_factory
        self.inbox = inbox_model
        self.handler = handler
        self.broker_url = broker_url
        self.exchange = events_exchange(exchange)
        self.max_tries = max_tries
        self.bindings = list(bindings)
        # Without a feed the broker is the only path (a consumer tested on its own, say).
        self.feed = feed
        self.caught_up_at = 0.0
        self.lag: dict[str, int] = {}
        self.lags_seen: dict[str, list[int]] = {}
        self.feed_failures: dict[tuple[str, int], int] = {}
        self.feed_down = False
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

    @classmethod
    def of(
        cls,
        settings: Settings,
        name: str,
        session_factory: sessionmaker[Session],
        inbox_model: type[Any],
        bindings: Iterable[str],
        **handler: Any,
    ) -> Self:
        """A consumer on the service's own broker, events exchange and queue prefix; `handler`
        names its `handler` (a batch consumer's `batch_handler`)."""
        return cls(
            name,
            session_factory=session_factory,
            inbox_model=inbox_model,
            broker_url=settings.broker_url,
            exchange=settings.events_exchange,
            queue_prefix=settings.queue_prefix,
            bindings=bindings,
            **handler,
        )

    @property
    def all_queues(self) -> list[Queue]:
        """The consumer's queue (once, whatever its bindings) and its dead-letter queue."""
        return [*self.queues[:1], self.dead_letters]

    def declare(self, connection: Connection) -> None:
        channel = connection.default_channel
        for queue in [*self.queues, self.dead_letters]:
            queue(channel).declare()

    def apply(self, session: Session, envelopes: list[Envelope]) -> list[Envelope]:
        """Handle in `session` the events not handled before, recording them in the inbox;
        returns those it handled."""
        ids = {e.id for e in envelopes}
        if not ids:
            return []
        seen = set(
            session.scalars(
                select(self.inbox.event_id).where(
                    self.inbox.consumer == self.name, self.inbox.event_id.in_(ids)
                )
            )
        )
        fresh = list({e.id: e for e in envelopes if e.id not in seen}.values())
        if fresh:
            self.handle_fresh(session, fresh)
            session.add_all(self.inbox(event_id=e.id, consumer=self.name) for e in fresh)
        return fresh

    def handle_fresh(self, session: Session, envelopes: list[Envelope]) -> None:
        for envelope in envelopes:
            bind_request_id(envelope.correlation_id)
            self.handler(session, envelope)

    def handle(self, envelope: Envelope) -> bool:
        """Apply the handler once for this event id; returns False if it was already handled."""
        with unit_of_work(self.session_factory) as session:
            return bool(self.apply(session, [envelope]))

    @property
    def producers(self) -> list[str]:
        """The services whose feeds this consumer reads: the first word of its bindings."""
        return sorted({key.split(".", 1)[0] for key in self.bindings} - {"*", "#"})

    def binds(self, routing_key: str) -> bool:
        return any(topic_matches(key, routing_key) for key in self.bindings)

    def position(self, producer: str) -> int:
        """The number of the last event read in `producer`'s feed (0: none yet)."""
        with unit_of_work(self.session_factory) as session:
            row = session.get(self.inbox, (FEED_PREFIX + producer, self.name))
            return (row.seq or 0) if row is not None else 0

    def _move(self, session: Session, producer: str, seq: int) -> None:
        row = session.get(self.inbox, (FEED_PREFIX + producer, self.name))
        if row is None:
            session.add(self.inbox(event_id=FEED_PREFIX + producer, consumer=self.name, seq=seq))
        elif (row.seq or 0) < seq:
            row.seq, row.handled_at = seq, utcnow()

    def catch_up(self) -> int:
        """Handle what the producers' feeds hold that the broker did not bring (a crash of the
        filesystem broker, a purged queue, a consumer down for long); returns how many."""
        handled = 0
        for producer in self.producers if self.feed is not None else ():
            try:
                handled += self._catch_up_with(producer)
            except Exception as exc:  # noqa: BLE001 - the next pass asks again
                if not self.feed_down:
                    log.warning(
                        "feed_catch_up_failed",
                        consumer=self.name,
                        producer=producer,
                        error=f"{type(exc).__name__}: {exc}"[:500],
                    )
                self.feed_down = True
            else:
                self.feed_down = False
        self.caught_up_at = time.monotonic()
        if handled:
            log.info("feed_caught_up", consumer=self.name, handled=handled)
        return handled

    def _catch_up_with(self, producer: str) -> int:
        assert self.feed is not None, "catch-up needs a feed"
        handled = 0
        while True:
            after = self.position(producer)
            page = self.feed.page(producer, after, self.feed_page)
            events = page["events"]
            self._watch_lag(producer, page["head"] - after)
            if not events:
                return handled
            if events[0]["seq"] > after + 1:
                log.error(
                    "feed_events_expired",
                    consumer=self.name,
                    producer=producer,
                    missed=f"{after + 1}..{events[0]['seq'] - 1}",
                )
            handled += self._apply_page(producer, events)
            self._watch_lag(producer, page["head"] - events[-1]["seq"])
            if len(events) < self.feed_page:
                return handled

    def _apply_page(self, producer: str, events: list[dict]) -> int:
        """The page in one transaction with the new position; if that fails, one by one."""
        pairs = [(int(e["seq"]), Envelope.parse(e)) for e in events]
        try:
            with unit_of_work(self.session_factory) as session:
                fresh = self.apply(session, [e for _, e in pairs if self.binds(e.type)])
                self._move(session, producer, pairs[-1][0])
            return len(fresh)
        except Exception:  # noqa: BLE001 - each event on its own below finds the one that fails
            pass
        handled = 0
        for seq, envelope in pairs:
            try:
                with unit_of_work(self.session_factory) as session:
                    if self.binds(envelope.type):
                        handled += len(self.apply(session, [envelope]))
                    self._move(session, producer, seq)
            except Exception as exc:
                tries = self.feed_failures[(producer, seq)] = (
                    self.feed_failures.get((producer, seq), 0) + 1
                )
                if tries < self.max_tries:
                    raise
                # Given up on, as the broker path dead-letters it: the feed moves on.
                log.error(
                    "feed_event_skipped",
                    consumer=self.name,
                    event_id=envelope.id,
                    error=f"{type(exc).__name__}: {exc}"[:500],
                )
                with unit_of_work(self.session_factory) as session:
                    self._move(session, producer, seq)
        return handled

    def _watch_lag(self, producer: str, lag: int) -> None:
        """Keep the lag for /readyz; warn when it grew at each of the last three looks."""
        self.lag[producer] = max(lag, 0)
        seen = self.lags_seen.setdefault(producer, [])
        seen[:] = [*seen[-3:], self.lag[producer]]
        if len(seen) == 4 and seen[0] < seen[1] < seen[2] < seen[3]:
            log.warning("consumer_lag_growing", consumer=self.name, producer=producer, lag=seen)

    def catch_up_if_due(self) -> None:
        if self.feed is not None and time.monotonic() - self.caught_up_at >= self.catch_up_every:
            self.catch_up()

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
                                self.catch_up_if_due()
            except Exception as exc:  # noqa: BLE001 - reconnect after any broker fault
                log.warning(
                    "event_consumer_error", consumer=self.name, error=f"{type(exc).__name__}: {exc}"
                )
                self.catch_up_if_due()  # with the broker down, the feeds still bring events
                stop.wait(1.0)
            finally:
                self.connection = None


def replay(
    consumer: EventConsumer,
    session: Session,
    apply: Callable[[Session, list[Envelope]], None],
    page: int = 500,
) -> int:
    """Apply to `session` every event the consumer's producers still keep that it binds,
    oldest first, leaving its inbox and places alone: a read model rebuilt from the producers'
    histories. Returns how many events were applied."""
    assert consumer.feed is not None, "a rebuild reads the producers' feeds"
    applied = 0
    for producer in consumer.producers:
        after = 0
        while True:
            events = consumer.feed.page(producer, after, page)["events"]
            wanted = [Envelope.parse(e) for e in events]
            wanted = [e for e in wanted if consumer.binds(e.type)]
            if wanted:
                apply(session, wanted)
                applied += len(wanted)
            if len(events) < page:
                break
            after = int(events[-1]["seq"])
    return applied
