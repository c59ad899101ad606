"""The shape every service app shares: errors, logs, health, OpenAPI, database, outbox relay."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, is_dataclass
from dataclasses import fields as dataclass_fields
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import Any, Protocol, TypeVar

import requests
from flask import Flask, current_app, jsonify, request
from flask_smorest import Api, Blueprint
from marshmallow import INCLUDE, Schema, fields
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker
from werkzeug.routing import BaseConverter, IntegerConverter

from common import errors, logging, metrics
from common.auth import Revocations, TokenVerifier
from common.clients import ServiceClient
from common.config import Settings
from common.db import make_session_factory, open_store, ping
from common.feed import HttpFeed, feed_blueprint
from common.fields import MAX_ID, MAX_YEAR, MIN_YEAR
from common.messaging import EventConsumer, OutboxRelay, declare_queues
from common.messaging import ping as broker_ping


class Worker(Protocol):
    """A long-running loop (outbox relay, event consumer) that stops when `stop` is set."""

    def run(self, stop: Any) -> None: ...


@dataclass
class Runtime:
    """What a service app was built with, kept in `app.extensions["rbm"]`."""

    settings: Settings
    engine: Engine | None
    session_factory: sessionmaker[Session] | None
    verifier: TokenVerifier
    workers: list[Worker] = field(default_factory=list)
    checks: dict[str, Callable[[], None]] = field(default_factory=dict)
    # The service's outbox table, whose backlog /metrics reports (None: it publishes nothing).
    outbox_model: type | None = None
    # The service's own dependencies (clients, stores) as one typed object, set by its
    # composition root and read back with `dependencies_of`.
    deps: Any = None
    # Read when /metrics is scraped: callables yielding Prometheus metric families.
    collectors: list[Callable[[], Iterable[Any]]] = field(default_factory=list)
    # Counters and histograms of this app (`metrics.counted`), served by its /metrics.
    counted: list[Any] = field(default_factory=list)


class ProblemSchema(Schema):
    """RFC 9457 problem details: the body of every error answer."""

    class Meta:
        unknown = INCLUDE

    type = fields.String()
    title = fields.String()
    status = fields.Integer()
    detail = fields.String()
    errors = fields.Dict(metadata={"description": "what is wrong, by field"})


class ServiceApi(Api):
    """flask-smorest's Api documenting every error as application/problem+json."""

    ERROR_SCHEMA = ProblemSchema

    def _register_responses(self):
        success_type = self.DEFAULT_RESPONSE_CONTENT_TYPE
        self.DEFAULT_RESPONSE_CONTENT_TYPE = errors.PROBLEM
        try:
            super()._register_responses()
        finally:
            self.DEFAULT_RESPONSE_CONTENT_TYPE = success_type


class BoundedInt(IntegerConverter):
    """`<int:name>` held to a documented range (`<int(max=9):name>` narrows it).

    A number outside is a 422 naming the parameter (see `_check_path_ranges`), not a 404 nor
    an overflow in the database.
    """

    def __init__(self, map, fixed_digits=0, min=0, max=MAX_ID, signed=False):  # noqa: A002
        super().__init__(map, fixed_digits, min, max, signed)

    def to_python(self, value: str) -> int:
        return int(value)


class YearConverter(BoundedInt):
    """`<year:year>`: a Buddhist Era fiscal year."""

    def __init__(self, map):  # noqa: A002
        super().__init__(map, min=MIN_YEAR, max=MAX_YEAR)


class KpiCodeConverter(BaseConverter):
    """`<kpi:code>`: a KPI code such as 4.1; any other text names nothing here (404)."""

    regex = r"\d{1,2}\.\d{1,2}"


def require_json_body() -> None:
    """Refuse a body that is missing, not JSON or not UTF-8 before anything parses it."""
    if not request.is_json:
        raise errors.UnsupportedMediaType(
            "Send the body as JSON.", {"body": ["Content-Type must be application/json."]}
        )
    data = request.get_data(cache=True)
    if not data:
        raise errors.Invalid("Send a body.", {"body": ["Required."]})
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise errors.DomainError("The body is not UTF-8 text.", {"body": ["Not UTF-8."]}) from exc


def _check_path_ranges(endpoint: str | None, values: dict[str, Any] | None) -> None:
    converters = getattr(request.url_rule, "_converters", {})
    given = values or {}
    bad = {
        name: [f"Must be between {conv.min} and {conv.max}."]
        for name, conv in converters.items()
        if isinstance(conv, BoundedInt)
        and isinstance(given.get(name), int)
        and not conv.min <= given[name] <= conv.max
    }
    if bad:
        raise errors.Invalid("Out of range: " + ", ".join(sorted(bad)), bad)


def create_service_app(
    settings: Settings,
    *,
    title: str,
    migrations_dir: Path | None,
    blueprints: Iterable[Blueprint],
    outbox_model: type | None = None,
    mount: str | None = None,
) -> Flask:
    """Build a service app: the composition root shared by every service's create_app.

    A service without `migrations_dir` keeps no database of its own (the portal). `mount` is
    where the one origin serves it: `/api/<service>` unless said otherwise.
    """
    app = Flask(f"rbm.{settings.service}")
    app.config.update(
        MAX_CONTENT_LENGTH=settings.max_json_bytes,
        API_TITLE=f"rbm {title}",
        API_VERSION="1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/",
        OPENAPI_JSON_PATH="openapi.json",
        JSON_SORT_KEYS=False,
    )
    app.json.ensure_ascii = False  # type: ignore[attr-defined]  # the default provider has it
    logging.configure(settings.log_level or None)
    logging.init_app(app, settings.service)

    # The store must be migrated already: starting changes no schema (see common.db.open_store).
    engine = open_store(settings, migrations_dir) if migrations_dir else None
    runtime = Runtime(
        settings=settings,
        engine=engine,
        session_factory=make_session_factory(engine) if engine else None,
        verifier=TokenVerifier(
            f"{settings.service_url('identity')}/jwks.json",
            settings.http_timeout,
            # Read on this service's own account: identity serves them to service accounts only.
            revocations=Revocations(
                partial(ServiceClient(settings, "identity").get, "/revocations")
            ),
        ),
    )
    if engine is not None:
        runtime.checks["database"] = lambda: ping(engine)
    runtime.checks["broker"] = lambda: broker_ping(settings.broker_url)
    if outbox_model is not None and runtime.session_factory is not None:
        runtime.outbox_model = outbox_model
        runtime.workers.append(
            OutboxRelay(
                runtime.session_factory,
                outbox_model,
                settings.broker_url,
                settings.events_exchange,
                retention=timedelta(days=settings.events_retention_days),
            )
        )
    app.extensions["rbm"] = runtime

    mount = mount or f"/api/{settings.service}"
    app.url_map.converters.update(int=BoundedInt, year=YearConverter, kpi=KpiCodeConverter)
    app.url_value_preprocessor(_check_path_ranges)
    api = ServiceApi(app, spec_kwargs={"servers": [{"url": mount}]})
    api.register_converter(
        KpiCodeConverter, lambda conv: {"type": "string", "pattern": f"^{conv.regex}$"}
    )
    api.spec.components.security_scheme(
        "bearer", {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
    )
    api.spec.options["security"] = [{"bearer": []}]
    errors.init_app(app)  # after Api(), whose own HTTP error handler it replaces
    _add_health(app, runtime)
    metrics.init_app(app, runtime)
    for blueprint in blueprints:
        api.register_blueprint(blueprint)
    if outbox_model is not None:
        api.register_blueprint(feed_blueprint(outbox_model))
    return app


def add_consumers(app: Flask, consumers: Iterable[EventConsumer]) -> None:
    """Run these event consumers with the service, their queues bound before it serves; each
    also reads its producers' feeds for what the broker did not bring."""
    runtime = runtime_of(app)
    consumers = list(consumers)
    for consumer in consumers:
        consumer.feed = consumer.feed or HttpFeed(runtime.settings)
    declare_queues(runtime.settings.broker_url, consumers)
    runtime.workers.extend(consumers)


def consumer_lag(runtime: Runtime) -> dict[str, dict[str, int]]:
    """Per consumer and producer: events in the producer's feed not yet read, at last look."""
    lag: dict[str, dict[str, int]] = {}
    for worker in runtime.workers:
        if isinstance(worker, EventConsumer):
            mine = lag.setdefault(worker.name, {})
            for producer, behind in worker.lag.items():
                mine[producer] = max(mine.get(producer, 0), behind)
    return lag


def runtime_of(app: Flask) -> Runtime:
    return app.extensions["rbm"]


def current_runtime() -> Runtime:
    """The runtime of the app answering this request."""
    return runtime_of(current_app)


def current_sessions() -> sessionmaker[Session]:
    """The session factory each use case of this request opens its unit of work from."""
    factory = current_runtime().session_factory
    if factory is None:
        raise TypeError("The app has no database.")
    return factory


D = TypeVar("D")


def dependencies_of(app: Flask, kind: type[D]) -> D:
    """The typed dependencies the service's composition root gave its app."""
    deps = runtime_of(app).deps
    if not isinstance(deps, kind):
        raise TypeError(f"The app holds no {kind.__name__}.")
    return deps


def _add_health(app: Flask, runtime: Runtime) -> None:
    @app.get("/healthz")
    def healthz():
        return jsonify(status="ok", service=runtime.settings.service)

    @app.get("/readyz")
    def readyz():
        down = {}
        for name, check in runtime.checks.items():
            try:
                check()
            except Exception as exc:  # noqa: BLE001 - any failure means "not ready"
                down[name] = type(exc).__name__
        if down:
            return errors.problem(
                503, "Not ready", "Down: " + ", ".join(sorted(down)), down=sorted(down)
            )
        # Another service down does not make this one unready (that would take every caller out
        # of the gateway with it): its name is given, and what needs it answers 503 meanwhile.
        return jsonify(
            status="ready",
            service=runtime.settings.service,
            checks=sorted(runtime.checks),
            lag=consumer_lag(runtime),
            unanswered=_unanswered(runtime),
        )


def _unanswered(runtime: Runtime) -> list[str]:
    """The services this one calls (its ServiceClients) whose /healthz does not answer now."""
    deps = runtime.deps
    held = [getattr(deps, f.name) for f in dataclass_fields(deps)] if is_dataclass(deps) else []
    called = sorted({c.service for c in held if isinstance(c, ServiceClient)})

    def answers(service: str) -> bool:
        try:
            return requests.get(f"{runtime.settings.service_url(service)}/healthz", timeout=2).ok
        except requests.RequestException:
            return False

    if not called:
        return []
    # All at once: a probe's timeout must hold however many services are down.
    with ThreadPoolExecutor(len(called)) as pool:
        found = pool.map(answers, called)
        return [name for name, ok in zip(called, found, strict=True) if not ok]
