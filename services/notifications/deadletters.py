"""Dead letters: events a consumer gave up on, read in place and moved back on request."""

from __future__ import annotations

import json
from collections.abc import Iterable

from amqp.exceptions import NotFound as QueueNotFound
from kombu import Queue

from common.messaging import TRIES_HEADER, EventConsumer, connect

ERROR_HEADER = "x-rbm-error"


def _describe(queue: str, message) -> dict:
    headers = message.headers or {}
    raw = message.body
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
    try:
        parsed = json.loads(text)
    except ValueError:
        parsed = None
    envelope = parsed if isinstance(parsed, dict) else {}
    return {
        "queue": queue,
        "error": str(headers.get(ERROR_HEADER, "")),
        "tries": int(headers.get(TRIES_HEADER, 0) or 0),
        "event_id": envelope.get("id"),
        "type": envelope.get("type"),
        "body": text[:4000],
    }


def _take(channel, name: str, limit: int) -> list:
    """Up to `limit` messages, unacknowledged: closing the channel puts them all back."""
    taken = []
    bound = Queue(name, no_declare=True)(channel)
    try:
        while len(taken) < limit and (message := bound.get(no_ack=False)) is not None:
            taken.append(message)
    except QueueNotFound:
        pass  # nothing was ever dead-lettered there
    return taken


def peek(broker_url: str, consumers: Iterable[EventConsumer], limit: int = 100) -> list[dict]:
    """The dead letters of these consumers, left where they are."""
    found = []
    names = sorted({c.dead_letters.name for c in consumers})
    with connect(broker_url) as conn:
        for name in names:
            channel = conn.channel()
            found += [_describe(name, m) for m in _take(channel, name, limit - len(found))]
            channel.close()
    return found


def redrive(broker_url: str, consumers: Iterable[EventConsumer], limit: int = 1000) -> int:
    """Move dead letters back to their consumer's queue with a fresh count of tries."""
    moved = 0
    targets = {c.dead_letters.name: c.queue_name for c in consumers}
    with connect(broker_url) as conn:
        for dead, live in sorted(targets.items()):
            channel = conn.channel()
            producer = conn.Producer(channel)
            for message in _take(channel, dead, limit - moved):
                headers = {
                    k: v
                    for k, v in (message.headers or {}).items()
                    if k not in (ERROR_HEADER, TRIES_HEADER)
                }
                producer.publish(
                    message.body,
                    exchange="",
                    routing_key=live,
                    headers=headers,
                    content_type=message.content_type,
                    content_encoding=message.content_encoding,
                    delivery_mode=2,
                )
                message.ack()
                moved += 1
            channel.close()
    return moved
