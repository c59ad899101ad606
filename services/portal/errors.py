"""The portal's own error pages: HTML in the user's language for what a browser opens.

The services under /api keep their problem+json; so do the portal's own JSON endpoints
(/healthz, /readyz, /openapi.json) and any client that asks for JSON rather than HTML.
"""

from __future__ import annotations

import structlog
from flask import Flask, Response, render_template, request
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException

from common import errors

log = structlog.get_logger("rbm.portal")

TITLES = {
    400: _l("The request could not be read"),
    403: _l("Not allowed"),
    404: _l("Page not found"),
    405: _l("Not allowed here"),
    413: _l("The file is too large"),
    500: _l("Something went wrong"),
    502: _l("A service gave an unexpected answer"),
    503: _l("A service is not answering"),
}
MESSAGES = {
    400: _l("Go back, reload the page and try again."),
    403: _l("Your roles do not allow this."),
    404: _l("There is no such page, or it belongs to a unit you may not see."),
    405: _l("Go back and use the page's buttons."),
    413: _l("Choose a smaller file."),
    500: _l("The error was logged. Try again in a moment."),
    502: _l("Try again in a moment; if it goes on, tell the system administrators."),
    503: _l("Try again in a moment; if it goes on, tell the system administrators."),
}
JSON_PATHS = ("/api/", "/healthz", "/readyz", "/openapi.json")


def _wants_html() -> bool:
    if request.path.startswith(JSON_PATHS):
        return False
    accept = request.accept_mimetypes
    return accept.best_match(["text/html", "application/json", "application/problem+json"]) in (
        "text/html",
        None,
    )


def page(status: int, message: str | None = None) -> tuple[str, int]:
    """The error page for `status`, with a message of the portal's own when it has one."""
    shown = status if status in TITLES else (500 if status >= 500 else 400)
    return (
        render_template(
            "error.html",
            status=status,
            title=TITLES[shown],
            message=message or MESSAGES[shown],
        ),
        status,
    )


def _http(exc: HTTPException) -> Response | tuple[str, int]:
    if not _wants_html():
        return errors.problem(exc.code or 500, exc.name, str(exc.description))
    # Werkzeug's stock descriptions are English; the portal's own aborts say something shown.
    own = exc.description if exc.description != type(exc).description else None
    return page(exc.code or 500, own)


def _domain(exc: errors.DomainError) -> Response | tuple[str, int]:
    if not _wants_html():
        return errors.problem(exc.status, exc.title, exc.detail, exc.errors)
    return page(exc.status)


def _unexpected(exc: Exception) -> Response | tuple[str, int]:
    log.exception("portal_error", error=type(exc).__name__, path=request.path)
    if not _wants_html():
        return errors.problem(500, "Internal error", "The server could not complete the request.")
    return page(500)


def init_app(app: Flask) -> None:
    """Replace the JSON handlers `create_service_app` put on this (the portal's) app."""
    app.register_error_handler(HTTPException, _http)
    app.register_error_handler(errors.DomainError, _domain)
    app.register_error_handler(Exception, _unexpected)
