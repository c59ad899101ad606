"""Domain errors and the one handler that turns every error into application/problem+json."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import structlog
from flask import Flask, Response, json
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException

PROBLEM = "application/problem+json"
log = structlog.get_logger("rbm.errors")


class DomainError(Exception):
    """Base of the errors that domain code raises; each maps to one HTTP status."""

    status = 400
    title = "Bad request"

    def __init__(self, detail: str = "", errors: Mapping[str, Any] | None = None, **extra: Any):
        super().__init__(detail or self.title)
        self.detail = detail or self.title
        self.errors = dict(errors) if errors else None
        self.extra = extra


class Invalid(DomainError):
    status, title = 422, "Invalid input"


class Unauthorized(DomainError):
    status, title = 401, "Authentication required"


class Forbidden(DomainError):
    status, title = 403, "Forbidden"


class NotFound(DomainError):
    status, title = 404, "Not found"


class Conflict(DomainError):
    status, title = 409, "Conflict"


class PayloadTooLarge(DomainError):
    status, title = 413, "Payload too large"


class UnsupportedMediaType(DomainError):
    status, title = 415, "Unsupported media type"


class Unavailable(DomainError):
    status, title = 503, "Service unavailable"


def problem(
    status: int, title: str, detail: str, errors: Mapping[str, Any] | None = None, **extra: Any
) -> Response:
    """Build an RFC 9457 problem response."""
    body: dict[str, Any] = {
        "type": f"https://rbm.example/problems/{status}",
        "title": title,
        "status": status,
        "detail": detail,
    }
    if errors:
        # A field is named by what the client sent: a name that did not decode is None, which
        # JSON (and sorting beside the others) cannot take; it is told as "".
        body["errors"] = {("" if name is None else str(name)): why for name, why in errors.items()}
    body.update(extra)
    resp = Response(json.dumps(body, ensure_ascii=False), status=status, mimetype=PROBLEM)
    if status == 401:
        resp.headers["WWW-Authenticate"] = 'Bearer realm="rbm"'
    return resp


def _from_http(exc: HTTPException) -> Response:
    data = getattr(exc, "data", None) or {}
    errors: dict[str, Any] | None = None
    messages = data.get("messages") if isinstance(data, dict) else None
    if messages:
        # webargs nests messages by location ({"json": {...}}); callers want them by field.
        errors = {}
        for located in messages.values():
            errors.update(located if isinstance(located, dict) else {"_schema": located})
    detail = (data.get("message") if isinstance(data, dict) else None) or exc.description
    status = exc.code or 500
    if status == 422 and errors:
        # A list body (Schema(many=True)) reports its rows by int index.
        detail = "Some fields are not valid: " + ", ".join(sorted(map(str, errors)))
    elif status == 400 and errors and isinstance(errors.get("_schema"), list):
        # webargs says why a body could not be read ("Invalid JSON body.") only in its messages.
        detail = " ".join(str(message) for message in errors["_schema"])
    resp = problem(status, exc.name, str(detail), errors)
    for name, value in exc.get_headers() if status == 405 else []:
        if name.lower() == "allow":
            resp.headers["Allow"] = value
    return resp


def init_app(app: Flask) -> None:
    """Register the single error handler of a service."""

    @app.errorhandler(DomainError)
    def _domain(exc: DomainError) -> Response:
        return problem(exc.status, exc.title, exc.detail, exc.errors, **exc.extra)

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException) -> Response:
        return _from_http(exc)

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    def _database_down(exc: DBAPIError) -> Response:
        # A connection lost or refused (database restarted, connections terminated): the unit
        # of work rolled back, and the client may send the request again.
        log.warning("database_unavailable", error=type(exc.orig).__name__)
        resp = problem(
            503, "Service unavailable", "The database did not answer: try again.", down="database"
        )
        resp.headers["Retry-After"] = "1"
        return resp

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Response:
        log.exception("unhandled_error", error=type(exc).__name__)
        return problem(500, "Internal error", "The server could not complete the request.")
