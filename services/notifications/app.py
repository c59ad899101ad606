"""Composition root of the notifications service."""

from pathlib import Path

from flask import Flask

from common.config import Settings, from_env
from common.tasks import task_queue
from common.web import add_consumers, create_service_app, runtime_of
from services.notifications.api import blp
from services.notifications.events import consumers
from services.notifications.models import Outbox
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
        outbox_model=Outbox,
    )
    runtime = runtime_of(app)
    celery = create_celery(settings)
    # Emails written by consumers and admin actions are queued for the workers after commit.
    send_after_commit(runtime.session_factory, celery)
    ctx = Context(settings.public_url, policy_of(settings))
    # The task queue is named for the test fixtures that remove what a system declared.
    runtime.extras.update(celery=celery, context=ctx, queues=[task_queue(settings)])
    runtime.extras["consumers"] = consumers(settings, runtime.session_factory, ctx)
    add_consumers(app, runtime.extras["consumers"])
    return app
