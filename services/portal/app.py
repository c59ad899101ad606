"""Composition root of the portal (web UI)."""

from flask import Flask

from common.config import Settings, from_env
from common.web import create_service_app
from services.portal.views import blp


def create_app(settings: Settings | None = None) -> Flask:
    settings = settings or from_env("portal")
    return create_service_app(settings, title="portal", migrations_dir=None, blueprints=[blp])
