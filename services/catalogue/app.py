"""Composition root of the catalogue service."""

from pathlib import Path

from flask import Flask

from common.config import Settings, from_env
from common.web import create_service_app
from services.catalogue.api import blp
from services.catalogue.models import Outbox


def create_app(settings: Settings | None = None) -> Flask:
    settings = settings or from_env("catalogue")
    return create_service_app(
        settings,
        title="catalogue",
        migrations_dir=Path(__file__).parent / "migrations",
        blueprints=[blp],
        outbox_model=Outbox,
    )
