"""`/metrics` of every service (Prometheus text format, prometheus-client).

Counted as they happen: requests by route, method and status, with latency histograms. Read
when scraped, from where the truth is kept, so that every replica and worker process tells the
same: the outbox backlog (unsent rows), each consumer queue's depth (its lag) and dead letters,
and whatever a service adds to `Runtime.collectors` (notification emails by outcome, say).

Under gunicorn with several workers (deploy/gunicorn.conf.py) the counters use prometheus-client's
multiprocess mode (PROMETHEUS_MULTIPROC_DIR): a scrape reaching any worker sums them all.
Without it (embedded mode, one process) the default registry serves.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable
from typing import TypeVar

import structlog
from flask import Flask, Response, g, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from sqlalchemy import func, select

from common.db import unit_of_work
from common.messaging import connect

log = structlog.get_logger("rbm.metrics")

Collector = Callable[[], Iterable[Metric]]
Counted = TypeVar("Counted", Counter, Histogram)


def counted(runtime, metric: Counted) -> Counted:
    """`metric` (made with `registry=None`: nothing is registered when a module is imported)
    served by the app's `/metrics`; under gunicorn its counts go through the shared folder."""
    runtime.counted.append(metric)
    return metric


def init_app(app: Flask, runtime) -> None:
    """Count every request of `app` and serve `/metrics` from `runtime`'s state."""
    service = runtime.settings.service
    answered = counted(
        runtime,
        Counter(
            "rbm_http_requests",
            "HTTP requests answered",
            ["service", "route", "method", "status"],
            registry=None,
        ),
    )
    latency = counted(
        runtime,
        Histogram(
            "rbm_http_request_duration_seconds",
            "Time to answer an HTTP request",
            ["service", "route", "method"],
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
            registry=None,
        ),
    )

    @app.before_request
    def _start() -> None:
        g.metrics_started = time.perf_counter()

    @app.after_request
    def _count(response):
        # The route's pattern, never the path: ids would make a series per object.
        route = request.url_rule.rule if request.url_rule else "unmatched"
        elapsed = time.perf_counter() - g.get("metrics_started", time.perf_counter())
        answered.labels(service, route, request.method, str(response.status_code)).inc()
        latency.labels(service, route, request.method).observe(elapsed)
        return response

    @app.get("/metrics")
    def metrics():
        registry = _registry(runtime.counted)
        registry.register(_Scraped(runtime))
        return Response(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)


def _registry(counts: list[Counter | Histogram]) -> CollectorRegistry:
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        fresh = CollectorRegistry()
        fresh.register(_Default(counts))
        return fresh
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    return registry


class _Default:
    """The process's own figures (one process: embedded mode or a single worker): the app's
    counts and prometheus-client's process collectors."""

    def __init__(self, counts: list[Counter | Histogram]):
        self.counts = counts

    def collect(self):
        yield from REGISTRY.collect()
        for metric in self.counts:
            yield from metric.collect()


class _Scraped:
    """Gauges read at scrape time from the database and the broker."""

    def __init__(self, runtime):
        self.runtime = runtime

    def collect(self):
        collectors: list[Collector] = [self._outbox, self._queues, *self.runtime.collectors]
        for collector in collectors:
            try:
                yield from collector()
            except Exception as exc:  # noqa: BLE001 - a backend down hides its gauges, not all
                log.warning("metrics_unavailable", collector=collector.__name__, error=repr(exc))

    def _outbox(self):
        outbox = self.runtime.outbox_model
        if outbox is None:
            return
        with unit_of_work(self.runtime.session_factory, writes=False) as session:
            backlog = session.scalar(
                select(func.count()).select_from(outbox).where(outbox.sent_at.is_(None))
            )
        yield GaugeMetricFamily(
            "rbm_outbox_backlog", "Events committed but not yet published", value=backlog
        )

    def _queues(self):
        consumers = [w for w in self.runtime.workers if hasattr(w, "dead_letters")]
        if not consumers:
            return
        lag = GaugeMetricFamily(
            "rbm_consumer_lag", "Events waiting in a consumer's queue", labels=["queue"]
        )
        dead = GaugeMetricFamily(
            "rbm_dead_letters", "Events a consumer gave up on, kept for a look", labels=["queue"]
        )
        with connect(self.runtime.settings.broker_url) as conn:
            channel = conn.default_channel
            for consumer in consumers:
                for queue, family in ((consumer.queues[0], lag), (consumer.dead_letters, dead)):
                    _, count, _ = queue(channel).queue_declare(passive=True)
                    family.add_metric([consumer.queue_name], count)
        yield lag
        yield dead
