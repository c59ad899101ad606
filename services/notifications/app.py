"""Composition root of the notifications service."""

from pathlib import Path

from flask import Flask

from common.config import Settings, from_env
from common.web import create_service_app
from services.notifications.api import blp
from services.notifications.models import Outbox


def create_app(settings: Settings | None = None) -> Flask:
    settings = settings or from_env("notifications")
    return create_service_app(
        settings,
        title="notifications",
        migrations_dir=Path(__file__).parent / "migrations",
        blueprints=[blp],
        outbox_model=Outbox,
    )
