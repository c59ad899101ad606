"""Events between services on kombu (RabbitMQ or filesystem): the broker's helpers, the outbox
relay, the idempotent consumer and its batch sibling."""

from common.messaging.batch import BatchConsumer, BatchHandler
from common.messaging.broker import (
    TRIES_HEADER,
    connect,
    events_exchange,
    is_amqp,
    ping,
    topic_matches,
)
from common.messaging.consumer import (
    FEED_PREFIX,
    EventConsumer,
    Feed,
    Handler,
    declare_queues,
    replay,
)
from common.messaging.relay import OutboxRelay, read_feed

__all__ = [
    "FEED_PREFIX",
    "TRIES_HEADER",
    "BatchConsumer",
    "BatchHandler",
    "EventConsumer",
    "Feed",
    "Handler",
    "OutboxRelay",
    "connect",
    "declare_queues",
    "events_exchange",
    "is_amqp",
    "ping",
    "read_feed",
    "replay",
    "topic_matches",
]
