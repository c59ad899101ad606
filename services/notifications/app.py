"""Composition root of the notifications service."""

from pathlib import Path

from flask import Flask
from prometheus_client.core import GaugeMetricFamily
from sqlalchemy import func, select

from common.config import Settings, from_env
from common.db import unit_of_work
from common.web import add_consumers, create_service_app, runtime_of
from services.notifications.api import blp
from services.notifications.dependencies import Dependencies
from services.notifications.events import consumers
from services.notifications.models import Email, Notification
from services.notifications.packs import pack_consumer
from services.notifications.policy import policy_of
from services.notifications.service import Context
from services.notifications.tasks import send_after_commit
from services.notifications.worker import create_celery


def create_app(settings: Settings | None = None) -> Flask:
    settings = settings or from_env("notifications")
    app = create_service_app(
        settings,
        title="notifications",
        migrations_dir=Path(__file__).parent / "migrations",
        blueprints=[blp],
    )
    runtime = runtime_of(app)
    celery = create_celery(settings)
    # Emails written by consumers and admin actions are queued for the workers after commit.
    send_after_commit(runtime.session_factory, celery)
    ctx = Context(settings.public_url, policy_of(settings))
    listening = [*consumers(settings, runtime.session_factory, ctx)]
    listening.append(pack_consumer(settings, runtime.session_factory))
    deps = Dependencies(celery, ctx, tuple(listening))
    runtime.deps = deps
    add_consumers(app, deps.consumers)
    runtime.collectors.append(lambda: delivery_metrics(runtime.session_factory))
    return app


def delivery_metrics(factory):
    """Emails by outcome (pending, sending, sent, failed) and inbox items, from the tables."""
    emails = GaugeMetricFamily("rbm_notification_emails", "Emails by outcome", labels=["status"])
    with unit_of_work(factory) as session:
        rows = session.execute(select(Email.status, func.count()).group_by(Email.status)).all()
        inbox = session.scalar(select(func.count()).select_from(Notification))
    for status, count in rows:
        emails.add_metric([status], count)
    yield emails
    yield GaugeMetricFamily("rbm_notification_inbox_items", "In-app notifications", value=inbox)
