"""What notifications' routes are given besides its database, built by its composition root."""

from __future__ import annotations

from dataclasses import dataclass

from celery import Celery

from common.messaging import EventConsumer
from services.notifications.service import Context


@dataclass(frozen=True)
class Dependencies:
    """The Celery app emails, digests and reminders are sent through, what a notification is
    written with (the portal's address, the delivery policy), and the event consumers, the
    directory's first and then the report events' (their dead letters are redriven by admins)."""

    celery: Celery
    context: Context
    consumers: tuple[EventConsumer, ...]
