"""Composition root of the catalogue service."""

from pathlib import Path

import structlog
from flask import Flask
from sqlalchemy.orm import Session, sessionmaker

from common.config import Settings, from_env
from common.db import unit_of_work
from common.web import create_service_app
from services.catalogue.api import blp
from services.catalogue.loading import load_catalogue, load_demo
from services.catalogue.models import Outbox

log = structlog.get_logger("rbm.catalogue")


def create_app(settings: Settings | None = None) -> Flask:
    settings = settings or from_env("catalogue")
    app = create_service_app(
        settings,
        title="catalogue",
        migrations_dir=Path(__file__).parent / "migrations",
        blueprints=[blp],
        outbox_model=Outbox,
    )
    return app


def seed(settings: Settings, sessions: sessionmaker[Session]) -> None:
    """The 2547 catalogue and the organisation skeleton, once; the demo's units with RBM_DEMO=1."""
    with unit_of_work(sessions) as session:
        added = load_catalogue(session)
    if any(added.values()):
        log.info("catalogue_loaded", **added)
    if settings.demo:
        with unit_of_work(sessions) as session:
            added = load_demo(session)
        log.warning("demo_catalogue_loaded", note="RBM_DEMO=1: sample units exist", **added)
