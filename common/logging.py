"""Structured JSON logs with a request id that follows a request across services and events."""

from __future__ import annotations

import logging
import os
import sys
import time
import uuid
from contextvars import ContextVar

import structlog
from flask import Flask, g, request

REQUEST_ID_HEADER = "X-Request-ID"
_request_id: ContextVar[str | None] = ContextVar("rbm_request_id", default=None)


def current_request_id() -> str | None:
    return _request_id.get()


def bind_request_id(value: str | None) -> None:
    """Set the id for this context (a request, or an event being handled)."""
    _request_id.set(value)
    structlog.contextvars.bind_contextvars(request_id=value)


def configure(level: str | None = None) -> None:
    """Configure structlog and stdlib logging to print one JSON object per line."""
    level = level or os.environ.get("RBM_LOG_LEVEL", "INFO")
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
            structlog.processors.JSONRenderer(ensure_ascii=False),
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level)),
        logger_factory=structlog.PrintLoggerFactory(sys.stderr),
        cache_logger_on_first_use=True,
    )
    logging.basicConfig(level=level, stream=sys.stderr, format="%(message)s")


def _safe_request_id(raw: str | None) -> str:
    # An incoming id is kept only if it is short and printable: it ends up in every log line.
    if raw and len(raw) <= 100 and raw.isprintable() and raw.isascii():
        return raw
    return uuid.uuid4().hex


def init_app(app: Flask, service: str) -> None:
    log = structlog.get_logger(f"rbm.{service}")

    @app.before_request
    def _start() -> None:
        g.started = time.perf_counter()
        bind_request_id(_safe_request_id(request.headers.get(REQUEST_ID_HEADER)))
        structlog.contextvars.bind_contextvars(service=service)

    @app.after_request
    def _finish(response):
        rid = current_request_id()
        if rid:
            response.headers[REQUEST_ID_HEADER] = rid
        elapsed = (time.perf_counter() - g.get("started", time.perf_counter())) * 1000
        log.info(
            "request",
            method=request.method,
            path=request.path,
            status=response.status_code,
            ms=round(elapsed, 1),
        )
        return response

    @app.teardown_request
    def _clear(_exc) -> None:
        structlog.contextvars.clear_contextvars()
        _request_id.set(None)
