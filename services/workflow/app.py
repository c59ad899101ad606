"""Composition root of the workflow service."""

from pathlib import Path

from flask import Flask

from common.clients import ServiceClient
from common.config import Settings, from_env
from common.web import create_service_app, runtime_of
from services.workflow.api import blp
from services.workflow.models import Outbox


def create_app(settings: Settings | None = None) -> Flask:
    settings = settings or from_env("workflow")
    app = create_service_app(
        settings,
        title="workflow",
        migrations_dir=Path(__file__).parent / "migrations",
        blueprints=[blp],
        outbox_model=Outbox,
    )
    extras = runtime_of(app).extras
    extras["catalogue"] = ServiceClient(settings, "catalogue")
    extras["evidence"] = ServiceClient(settings, "evidence")
    return app
