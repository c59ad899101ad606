"""Integration events: the envelope, the outbox and inbox tables, and recording an event."""

from __future__ import annotations

import dataclasses
import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import BigInteger, DateTime, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, Session, declared_attr, mapped_column

from common.logging import current_request_id


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Event:
    """Base of every integration event; subclasses name their routing key once."""

    routing_key: ClassVar[str]
    schema_version: ClassVar[int] = 1

    def data(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class Envelope:
    """What travels on the wire: ids and facts, never file bytes."""

    id: str
    type: str
    occurred_at: str
    actor: str | None
    data: dict[str, Any]
    schema_version: int
    correlation_id: str | None = None

    @classmethod
    def wrap(cls, event: Event, actor: str | None) -> Envelope:
        return cls(
            id=str(uuid.uuid4()),
            type=event.routing_key,
            occurred_at=utcnow().isoformat(),
            actor=actor,
            data=event.data(),
            schema_version=event.schema_version,
            correlation_id=current_request_id(),
        )

    @classmethod
    def parse(cls, body: Any) -> Envelope:
        """Read an envelope from a message body; raise ValueError when it is not one."""
        if isinstance(body, bytes | str):
            body = json.loads(body)
        if not isinstance(body, dict):
            raise ValueError("event body is not an object")
        try:
            fields: dict[str, Any] = {f.name: body.get(f.name) for f in dataclasses.fields(cls)}
            env = cls(**fields)
            uuid.UUID(str(env.id))
        except (TypeError, ValueError) as exc:
            raise ValueError(f"malformed envelope: {exc}") from exc
        if not isinstance(env.type, str) or not isinstance(env.data, dict):
            raise ValueError("malformed envelope: type or data missing")
        return env

    def to_json(self) -> str:
        return json.dumps(dataclasses.asdict(self), ensure_ascii=False)


class OutboxMixin:
    """Columns of a service's outbox table; rows are written in the business transaction.

    The relay numbers rows in the order they were committed (`seq`, once, never reused) and
    keeps them for a retention period: the producer's feed (`GET /events?after=`) serves them
    in that order to consumers that missed what the broker carried.
    """

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    routing_key: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    seq: Mapped[int | None] = mapped_column(BigInteger, nullable=True)

    @declared_attr.directive
    def __table_args__(cls):  # noqa: N805
        return (
            Index(f"ix_{cls.__tablename__}_pending", "sent_at", "created_at"),
            Index(f"ix_{cls.__tablename__}_seq", "seq", unique=True),
        )


class InboxMixin:
    """Event ids a consumer has handled, written in the same transaction as the effect.

    A row whose id is `feed:<producer>` is the consumer's place in that producer's feed: `seq`
    is the number of the last event it has read there (handled, or not meant for it).
    """

    event_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    consumer: Mapped[str] = mapped_column(String(100), primary_key=True)
    handled_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    seq: Mapped[int | None] = mapped_column(BigInteger, nullable=True)


def record_event(session: Session, outbox_model: type, event: Event, actor: str | None) -> Envelope:
    """Add the event to the outbox in the caller's transaction; the relay publishes it later."""
    envelope = Envelope.wrap(event, actor)
    session.add(
        outbox_model(id=envelope.id, routing_key=envelope.type, body=envelope.to_json(), attempts=0)
    )
    return envelope
