"""The outbox relay: a service's outbox rows published with confirms, then marked sent; and the
numbered feed read from the same rows."""

from __future__ import annotations

import contextlib
import json
import threading
import time
from datetime import timedelta
from typing import Any, cast

import structlog
from kombu import Connection
from sqlalchemy import delete, func, select, text
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import Session, sessionmaker

from common.db import read_only, unit_of_work
from common.events import utcnow
from common.messaging.broker import connect, events_exchange

log = structlog.get_logger("rbm.messaging")


@read_only
def read_feed(session: Session, outbox: type[Any], after: int, limit: int) -> dict[str, Any]:
    """Numbered events after `after`, in order, and the highest number given so far."""
    rows = session.scalars(
        select(outbox).where(outbox.seq > after).order_by(outbox.seq).limit(limit)
    ).all()
    head = session.scalar(select(func.max(outbox.seq))) or 0
    events = [{**json.loads(row.body), "seq": row.seq} for row in rows]
    return {"events": events, "head": head}


class OutboxRelay:
    """Publishes a service's outbox rows with confirms, then marks them sent."""

    def __init__(
        self,
        session_factory: sessionmaker[Session],
        outbox_model: type[Any],
        broker_url: str,
        exchange: str,
        batch: int = 200,
        retention: timedelta = timedelta(days=28),
    ):
        self.session_factory = session_factory
        self.outbox = outbox_model
        self.broker_url = broker_url
        self.exchange = events_exchange(exchange)
        self.batch = batch
        self.retention = retention
        self.connection: Connection | None = None
        self.pruned_at = 0.0

    def number_pending(self) -> int:
        """Number the committed rows that have no number yet, after the highest one.

        Only committed rows are seen and numbering is serialised, so numbers become visible
        in order: a feed reader that has seen N never later finds a new number below N.
        """
        with unit_of_work(self.session_factory) as session:
            if session.get_bind().dialect.name == "postgresql":
                key = "SELECT pg_advisory_xact_lock(hashtext(current_schema() || '.outbox.seq'))"
                session.execute(text(key))
            query = (
                select(self.outbox)
                .where(self.outbox.seq.is_(None))
                .order_by(self.outbox.created_at, self.outbox.id)
                .limit(self.batch)
            )
            rows = session.scalars(query).all()
            last = session.scalar(select(func.max(self.outbox.seq))) or 0
            for number, row in enumerate(rows, start=last + 1):
                row.seq = number
        return len(rows)

    def prune(self) -> int:
        """Forget published events older than the retention; the newest stays (numbering
        continues after it)."""
        cutoff = utcnow() - self.retention
        with unit_of_work(self.session_factory) as session:
            newest = session.scalar(select(func.max(self.outbox.seq)))
            if newest is None:
                return 0
            result = session.execute(
                delete(self.outbox).where(self.outbox.sent_at < cutoff, self.outbox.seq < newest)
            )
        return cast(CursorResult, result).rowcount

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
                if time.monotonic() - self.pruned_at > 3600:
                    self.prune()
                    self.pruned_at = time.monotonic()
                self.number_pending()
                busy = self.publish_pending()
            except Exception as exc:  # noqa: BLE001 - a relay must outlive any fault
                log.warning("outbox_relay_error", error=f"{type(exc).__name__}: {exc}")
                self.reset()
                busy = 0
                stop.wait(1.0)
            if not busy:
                stop.wait(interval)
        self.reset()
