"""Composition root of the workflow service."""

from pathlib import Path

from flask import Flask

from common.clients import ServiceClient
from common.config import Settings, from_env, typed
from common.messaging import EventConsumer
from common.web import add_consumers, create_service_app, runtime_of
from services.workflow.anchors import AnchorSettings, AnchorStore, AnchorWriter
from services.workflow.api import blp
from services.workflow.catalogue_copy import BINDINGS, on_catalogue_change
from services.workflow.delegations import IDENTITY_BINDINGS, on_user_changed
from services.workflow.dependencies import Dependencies
from services.workflow.models import Inbox, Outbox


def create_app(settings: Settings | None = None) -> Flask:
    settings = settings or from_env("workflow")
    app = create_service_app(
        settings,
        title="workflow",
        migrations_dir=Path(__file__).parent / "migrations",
        blueprints=[blp],
        outbox_model=Outbox,
    )
    runtime = runtime_of(app)
    store = AnchorStore.from_settings(settings) if settings.s3_endpoint else None
    runtime.deps = Dependencies(
        catalogue=ServiceClient(settings, "catalogue"),
        evidence=ServiceClient(settings, "evidence"),
        identity=ServiceClient(settings, "identity"),
        anchors=store,
    )
    if store is not None:
        every = typed(AnchorSettings, settings.environment).every_seconds
        runtime.workers.append(AnchorWriter(runtime.session_factory, store, every))
    add_consumers(
        app,
        [
            EventConsumer.of(
                settings,
                "workflow.catalogue",
                runtime.session_factory,
                Inbox,
                BINDINGS,
                handler=on_catalogue_change,
            ),
            EventConsumer.of(
                settings,
                "workflow.identity",
                runtime.session_factory,
                Inbox,
                IDENTITY_BINDINGS,
                handler=on_user_changed,
            ),
        ],
    )
    return app
