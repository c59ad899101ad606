"""Composition root of the portal: the server-rendered web UI, Thai first, English switch."""

import secrets
from pathlib import Path

from flask import Flask, session
from flask_babel import Babel, get_locale

from common.config import Settings, from_env
from common.secrets import local_secret
from common.web import create_service_app, runtime_of
from services.portal import core, errors, history, labels, names, security
from services.portal.admin import admin
from services.portal.auditing import auditing
from services.portal.dashboard import dashboard
from services.portal.dependencies import Dependencies
from services.portal.exports import exports
from services.portal.files import files
from services.portal.imports import imports, may_import
from services.portal.inbox import inbox
from services.portal.progress import progress
from services.portal.reports import reports
from services.portal.review import review
from services.portal.settings import holds_delegable, preferences
from services.portal.views import pages

HERE = Path(__file__).parent


def _locale() -> str:
    # Thai for everyone until they choose English: the browser's language is not a choice.
    return session.get("lang", "th")


def create_app(settings: Settings | None = None) -> Flask:
    settings = settings or from_env("portal")
    app = create_service_app(
        settings, title="portal", migrations_dir=None, blueprints=[], mount="/"
    )
    app.template_folder = str(HERE / "templates")
    app.config.update(
        SECRET_KEY=local_secret(settings, "RBM_PORTAL_SECRET", "portal-secret", secrets.token_hex),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        BABEL_DEFAULT_LOCALE="th",
        BABEL_TRANSLATION_DIRECTORIES=str(HERE / "translations"),
    )
    security.init_app(app, HERE / "static", https=settings.public_url.startswith("https://"))
    Babel(app, locale_selector=_locale)
    app.jinja_env.globals["get_locale"] = get_locale
    runtime_of(app).deps = Dependencies.from_settings(settings)
    core.init_app(app)
    labels.init_app(app)
    history.init_app(app)
    names.init_app(app)
    errors.init_app(app)
    app.jinja_env.globals["holds_delegable"] = holds_delegable
    app.jinja_env.globals["may_import"] = may_import
    for blueprint in (
        pages,
        reports,
        files,
        progress,
        inbox,
        preferences,
        imports,
        dashboard,
        exports,
        review,
        auditing,
        admin,
    ):
        app.register_blueprint(blueprint)
    return app
