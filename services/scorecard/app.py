"""Composition root of the scorecard service."""

import gc
from pathlib import Path

from flask import Flask

from common.clients import ServiceClient
from common.config import Settings, from_env
from common.web import add_consumers, create_service_app, runtime_of
from services.scorecard.api import blp
from services.scorecard.dependencies import Dependencies
from services.scorecard.events import consumer


def create_app(settings: Settings | None = None) -> Flask:
    settings = settings or from_env("scorecard")
    app = create_service_app(
        settings,
        title="scorecard",
        migrations_dir=Path(__file__).parent / "migrations",
        blueprints=[blp],
    )
    runtime = runtime_of(app)
    runtime.deps = Dependencies(catalogue=ServiceClient(settings, "catalogue"))
    add_consumers(app, [consumer(settings, runtime.session_factory)])
    # What starting made (modules, the app: 130,000 objects) lives as long as the process:
    # kept out of every full collection, which walked them all (~80 ms) about once in a dozen
    # reads of a region's progress (2,500 units' rows and dicts each).
    gc.freeze()
    return app
