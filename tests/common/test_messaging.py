"""Outbox relay and idempotent consumer on real brokers: nothing lost, nothing doubled."""

from __future__ import annotations

import threading
import time
import uuid
from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import Integer, String, func, select
from sqlalchemy.orm import Mapped, mapped_column

from common import messaging
from common.config import Settings
from common.db import make_engine, make_session_factory, new_base, unit_of_work
from common.events import Envelope, Event, InboxMixin, OutboxMixin, record_event
from common.messaging import EventConsumer, OutboxRelay, connect, read_feed
from tests.waiting import eventually

Base = new_base()


class Outbox(OutboxMixin, Base):
    __tablename__ = "outbox"


class Inbox(InboxMixin, Base):
    __tablename__ = "inbox"


class Effect(Base):
    """One row per handled event: what "an effect" means in these tests."""

    __tablename__ = "effects"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    event_id: Mapped[str] = mapped_column(String(36))
    label: Mapped[str] = mapped_column(String(50))


@dataclass(frozen=True)
class Pinged(Event):
    routing_key = "test.thing.pinged"
    label: str


@pytest.fixture(params=["rabbitmq", "filesystem"])
def bus(request, tmp_path, postgres_url, rabbitmq):
    """A database schema and a broker of this test's own, on RabbitMQ and on the filesystem."""
    yield from open_bus(request.param, tmp_path, postgres_url, rabbitmq)


@pytest.fixture
def amqp_bus(tmp_path, postgres_url, rabbitmq):
    yield from open_bus("rabbitmq", tmp_path, postgres_url, rabbitmq)


def open_bus(kind, tmp_path, postgres_url, rabbitmq):
    tag = uuid.uuid4().hex[:8]
    if kind == "rabbitmq":
        broker_url, prefix = rabbitmq.url, f"{rabbitmq.queue_prefix}.{tag}"
    else:
        broker_url, prefix = f"filesystem://{tmp_path}/broker", "rbm"
    settings = Settings(
        service=f"t_msg_{tag}",
        data_dir=tmp_path,
        database_url=postgres_url,
        broker_url=broker_url,
        events_exchange=f"{rabbitmq.exchange}.{tag}",
        queue_prefix=prefix,
    )
    engine = make_engine(settings)
    Base.metadata.create_all(engine)
    bus = Bus(settings, make_session_factory(engine), kind)
    yield bus
    bus.stop.set()
    for thread in bus.threads:
        thread.join(10)
    engine.dispose()


class CountingConsumer(EventConsumer):
    def __init__(self, arrivals: list[str], *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.arrivals = arrivals

    def on_message(self, message) -> None:
        self.arrivals.append(message.properties.get("message_id") or "")
        super().on_message(message)


class Bus:
    def __init__(self, settings, session_factory, kind):
        self.settings, self.session_factory, self.kind = settings, session_factory, kind
        self.stop = threading.Event()
        self.threads: list[threading.Thread] = []
        self.consumers: list[EventConsumer] = []
        self.deliveries: list[str] = []  # handler calls
        self.arrivals: list[str] = []  # messages the consumer received, handled or skipped

    def emit(self, label: str) -> str:
        """A business transaction that records an event in the outbox."""
        with unit_of_work(self.session_factory) as session:
            return record_event(session, Outbox, Pinged(label=label), actor="tester").id

    def relay(self) -> OutboxRelay:
        s = self.settings
        return OutboxRelay(self.session_factory, Outbox, s.broker_url, s.events_exchange)

    def consumer(self, fail_on: str | None = None, max_tries: int = 3) -> EventConsumer:
        def handler(session, envelope: Envelope) -> None:
            self.deliveries.append(envelope.id)
            if envelope.data.get("label") == fail_on:
                raise RuntimeError("this message always fails")
            session.add(Effect(event_id=envelope.id, label=envelope.data["label"]))

        s = self.settings
        consumer = CountingConsumer(
            self.arrivals,
            "effects",
            self.session_factory,
            Inbox,
            handler,
            s.broker_url,
            s.events_exchange,
            s.queue_prefix,
            ["test.#"],
            max_tries=max_tries,
        )
        self.consumers.append(consumer)
        return consumer

    def run(self, worker) -> None:
        ready = threading.Event()
        args = (self.stop, ready) if isinstance(worker, EventConsumer) else (self.stop,)
        thread = threading.Thread(target=worker.run, args=args, daemon=True)
        thread.start()
        self.threads.append(thread)
        if isinstance(worker, EventConsumer):
            assert ready.wait(20), "consumer did not start"

    def effects(self, label: str | None = None) -> int:
        with unit_of_work(self.session_factory) as session:
            query = select(func.count(Effect.id))
            if label:
                query = query.where(Effect.label == label)
            return session.scalar(query)

    def unsent(self) -> int:
        with unit_of_work(self.session_factory) as session:
            return session.scalar(select(func.count()).where(Outbox.sent_at.is_(None)))


def test_an_event_committed_while_no_relay_runs_arrives_once_the_relay_starts(bus):
    bus.run(bus.consumer())
    bus.emit("late")
    time.sleep(0.5)
    assert bus.effects("late") == 0
    bus.run(bus.relay())
    assert eventually(lambda: bus.effects("late") == 1)


class CrashAfterPublish(OutboxRelay):
    """A relay that dies after the broker confirmed but before it marks the rows sent."""

    def publish_pending(self) -> int:
        with unit_of_work(self.session_factory) as session:
            rows = session.scalars(select(self.outbox).where(self.outbox.sent_at.is_(None))).all()
            producer = self._producer()
            for row in rows:
                producer.publish(
                    row.body,
                    routing_key=row.routing_key,
                    message_id=row.id,
                    content_type="application/json",
                    delivery_mode=2,
                )
            raise KeyboardInterrupt("killed between publish and commit")


def test_a_relay_killed_between_publish_and_commit_delivers_the_event_exactly_once(bus):
    bus.run(bus.consumer())
    event_id = bus.emit("crash")
    with pytest.raises(KeyboardInterrupt):
        CrashAfterPublish(
            bus.session_factory, Outbox, bus.settings.broker_url, bus.settings.events_exchange
        ).publish_pending()
    assert bus.unsent() == 1  # the mark never committed
    bus.run(bus.relay())  # the restarted relay publishes it again
    assert eventually(lambda: bus.unsent() == 0)
    assert eventually(lambda: bus.arrivals.count(event_id) == 2)
    assert bus.effects("crash") == 1
    assert bus.deliveries.count(event_id) == 1


def test_the_same_event_delivered_twice_has_one_effect(bus):
    consumer = bus.consumer()
    bus.run(consumer)
    envelope = Envelope.wrap(Pinged(label="twice"), actor="tester")
    with connect(bus.settings.broker_url) as conn:
        producer = conn.Producer(conn.default_channel)
        for _ in range(2):
            producer.publish(
                envelope.to_json(),
                exchange=consumer.exchange,
                routing_key=envelope.type,
                content_type="application/json",
                declare=[consumer.exchange],
            )
    assert eventually(lambda: bus.deliveries.count(envelope.id) >= 1)
    time.sleep(1.0)
    assert bus.effects("twice") == 1


def test_a_message_that_always_fails_ends_in_the_dead_letter_queue_and_others_flow(bus):
    consumer = bus.consumer(fail_on="poison", max_tries=3)
    bus.run(consumer)
    bus.run(bus.relay())
    poison = bus.emit("poison")
    bus.emit("healthy")
    assert eventually(lambda: bus.effects("healthy") == 1)
    assert eventually(lambda: bus.deliveries.count(poison) == 3)
    with connect(bus.settings.broker_url) as conn:
        parked = eventually(lambda: consumer.dead_letters(conn.default_channel).get() is not None)
    assert parked
    assert bus.effects("poison") == 0


def test_a_malformed_message_is_dead_lettered_without_reaching_the_handler(bus):
    consumer = bus.consumer()
    bus.run(consumer)
    with connect(bus.settings.broker_url) as conn:
        producer = conn.Producer(conn.default_channel)
        producer.publish(
            b"{not json",
            exchange=consumer.exchange,
            routing_key="test.bad.thing",
            content_type="application/json",
            content_encoding="binary",
            declare=[consumer.exchange],
        )
        message = None

        def parked():
            nonlocal message
            message = consumer.dead_letters(conn.default_channel).get()
            return message is not None

        assert eventually(parked)
    assert message.headers["x-rbm-error"].startswith("malformed")
    assert bus.deliveries == []


def test_the_relay_reconnects_after_its_broker_connection_is_closed_and_sends_the_backlog(
    amqp_bus,
):
    bus = amqp_bus
    bus.run(bus.consumer())
    relay = bus.relay()
    bus.run(relay)
    bus.emit("before")
    assert eventually(lambda: bus.effects("before") == 1)
    relay.connection.connection.sock.close()  # the broker connection drops under the relay
    for i in range(20):
        bus.emit(f"after-{i}")
    assert eventually(lambda: bus.effects() == 21)
    assert bus.unsent() == 0


class LocalFeed:
    """The producer's feed read straight from its outbox (over HTTP in a running system)."""

    def __init__(self, bus):
        self.bus = bus
        self.pages = 0

    def page(self, producer: str, after: int, limit: int) -> dict:
        assert producer == "test"
        self.pages += 1
        return read_feed(self.bus.session_factory, Outbox, after, limit)


def test_events_are_numbered_in_commit_order_and_served_after_a_number(bus):
    ids = [bus.emit(f"n{i}") for i in range(5)]
    relay = bus.relay()
    assert relay.number_pending() == 5
    assert relay.number_pending() == 0  # numbered once
    feed = LocalFeed(bus)
    page = feed.page("test", 0, 3)
    assert [e["seq"] for e in page["events"]] == [1, 2, 3]
    assert [e["id"] for e in page["events"]] == ids[:3]
    assert page["head"] == 5
    assert [e["id"] for e in feed.page("test", 3, 100)["events"]] == ids[3:]


def test_pruning_forgets_old_published_events_but_never_the_newest_number(bus):
    relay = bus.relay()
    for i in range(3):
        bus.emit(f"old{i}")
    relay.number_pending()
    relay.publish_pending()
    relay.retention = timedelta(seconds=-1)  # everything published is past its retention
    assert relay.prune() == 2
    bus.emit("new")
    relay.number_pending()
    assert [e["seq"] for e in LocalFeed(bus).page("test", 0, 10)["events"]] == [3, 4]


def test_a_consumer_catches_up_from_the_feed_what_the_broker_never_brought(bus):
    consumer = bus.consumer()
    consumer.feed, consumer.catch_up_every = LocalFeed(bus), 0.2
    bus.run(consumer)
    lost = [bus.emit(f"lost{i}") for i in range(3)]
    bus.relay().number_pending()  # numbered, never published: as if the broker dropped them
    assert eventually(lambda: bus.effects() == 3)
    assert sorted(bus.deliveries) == sorted(lost)
    bus.run(bus.relay())  # both paths bring the next ones: each is handled once
    for i in range(5):
        bus.emit(f"both{i}")
    assert eventually(lambda: bus.effects() == 8 and consumer.position("test") == 8)
    time.sleep(0.5)
    assert bus.effects() == 8 and len(bus.deliveries) == 8
    assert consumer.lag == {"test": 0}


def test_a_consumer_stopped_while_its_queue_was_purged_catches_up_from_the_feed(amqp_bus):
    bus = amqp_bus
    consumer = bus.consumer()
    consumer.feed = LocalFeed(bus)
    bus.run(bus.relay())
    own_stop = threading.Event()
    thread = threading.Thread(target=consumer.run, args=(own_stop,), daemon=True)
    thread.start()
    bus.emit("seen")
    assert eventually(lambda: bus.effects("seen") == 1)
    own_stop.set()
    thread.join(10)
    for i in range(4):
        bus.emit(f"purged{i}")
    assert eventually(lambda: bus.unsent() == 0)
    with connect(bus.settings.broker_url) as conn:
        consumer.queues[0](conn.default_channel).purge()
    bus.run(consumer)  # started again: asks the feed before anything else
    assert eventually(lambda: bus.effects() == 5)
    assert len(bus.deliveries) == 5


def test_a_lag_that_grows_at_every_look_is_logged_as_a_warning(tmp_path, monkeypatch):
    warnings: list[dict] = []

    class Recorder:
        def warning(self, event: str, **fields) -> None:
            warnings.append({"event": event, **fields})

    monkeypatch.setattr(messaging.consumer, "log", Recorder())
    consumer = EventConsumer(
        "lagging", None, Inbox, print, f"filesystem://{tmp_path}", "x", "rbm", ["test.#"]
    )
    for lag in (1, 2, 2, 3, 4, 5):
        consumer._watch_lag("test", lag)
    assert warnings == [
        {
            "event": "consumer_lag_growing",
            "consumer": "lagging",
            "producer": "test",
            "lag": [2, 3, 4, 5],
        }
    ]
    assert consumer.lag == {"test": 5}
