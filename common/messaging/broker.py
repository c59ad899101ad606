"""The broker: kombu connections (RabbitMQ or filesystem), the events exchange, topic matching."""

from __future__ import annotations

from pathlib import Path

from kombu import Connection, Exchange
from kombu.transport.virtual.exchange import TopicExchange

# A delivery's tries so far, carried in a header across redeliveries (dead-lettered at a bound).
TRIES_HEADER = "x-rbm-tries"
_TOPICS = TopicExchange(None)


def topic_matches(binding: str, routing_key: str) -> bool:
    """Whether a queue bound with `binding` gets `routing_key` (kombu's own topic matching)."""
    return _TOPICS._match(_TOPICS.key_to_pattern(binding), routing_key) is not None


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
