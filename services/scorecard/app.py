"""Composition root of the scorecard service."""

from pathlib import Path

from flask import Flask

from common.clients import ServiceClient
from common.config import Settings, from_env, typed
from common.web import add_consumers, create_service_app, runtime_of
from services.scorecard.api import blp
from services.scorecard.dependencies import Dependencies
from services.scorecard.events import consumer
from services.scorecard.round_reports import RoundPolicy
from services.scorecard.round_worker import RoundWorker
from services.scorecard.year_counter import YearCounter


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
    runtime.workers.append(
        RoundWorker(
            runtime.session_factory,
            runtime.deps.catalogue,
            ServiceClient(settings, "workflow"),
            typed(RoundPolicy, settings.environment),
        )
    )
    runtime.workers.append(YearCounter(runtime.session_factory, runtime.deps.catalogue))
    return app
