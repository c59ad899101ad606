"""Celery apps of the services: on the events' broker, one task queue per service."""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from celery import Celery
from celery.signals import beat_embedded_init
from kombu import Exchange, Queue

from common import task_metrics
from common.config import Settings, from_env
from common.lifecycle import die_with_parent
from common.messaging import connect, is_amqp

WORKER_ARGS = ["--without-gossip", "--without-mingle", "--without-heartbeat"]
D = TypeVar("D")


def task_queue(settings: Settings) -> str:
    return f"{settings.queue_prefix}.{settings.service}.tasks"


def create_task_app(settings: Settings) -> Celery:
    """A Celery app of the service whose tasks ack late and go through one queue of its own."""
    app = Celery(f"rbm.{settings.service}")
    broker = connect(settings.broker_url)
    queue = task_queue(settings)
    options: dict[str, Any] = dict(broker.transport_options or {})
    # Tasks are published without waiting for confirms: each task's row in the service's
    # database is the truth, and a task the broker lost is sent again from there.
    options.pop("confirm_publish", None)
    # On RabbitMQ a quorum queue, like the event queues: replicated in a cluster, and Celery
    # then takes its prefetch per consumer (quorum queues refuse a global one).
    quorum = {"x-queue-type": "quorum"} if is_amqp(settings.broker_url) else None
    if not is_amqp(settings.broker_url):
        options["polling_interval"] = 0.2  # the filesystem transport polls its folder
    app.conf.update(
        broker_url=broker.as_uri(include_password=True),
        broker_transport_options=options,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_default_queue=queue,
        # Through the broker's default exchange: the queue is all there is to declare (and remove).
        task_default_exchange="",
        task_default_routing_key=queue,
        task_queues=[
            Queue(queue, Exchange(""), routing_key=queue, durable=True, queue_arguments=quorum)
        ],
        task_ignore_result=True,
        worker_hijack_root_logger=False,
        # No pidbox queues outside the service's own prefix; /readyz is the health check.
        worker_enable_remote_control=False,
        broker_connection_retry_on_startup=True,
    )
    app.conf.rbm_settings = settings
    return app


class WorkerRoot(Generic[D]):
    """The composition root of a service's Celery processes, as `create_app` is of its web
    process: what the tasks use, built by `build(settings, app)` once per process, on first use
    (a prefork child builds its own, never inheriting a parent's connections)."""

    def __init__(self, app: Celery, settings: Settings, build: Callable[[Settings, Celery], D]):
        self.app = app
        self.settings = settings
        self._build = build
        self._lock = threading.Lock()
        self._dependencies: D | None = None

    def dependencies(self) -> D:
        with self._lock:
            if self._dependencies is None:
                self._dependencies = self._build(self.settings, self.app)
            return self._dependencies


def create_worker_app(settings: Settings, build: Callable[[Settings, Celery], D]) -> Celery:
    """A service's Celery app (worker and beat) whose tasks reach what `build` makes through
    `worker_dependencies`: tasks call use cases with it, never open sessions or clients."""
    app = create_task_app(settings)
    app.conf.rbm_root = WorkerRoot(app, settings, build)
    return app


def worker_dependencies(app: Celery, kind: type[D]) -> D:
    """The typed dependencies the service's worker root built for this process."""
    deps = app.conf.rbm_root.dependencies()
    if not isinstance(deps, kind):
        raise TypeError(f"The Celery app holds no {kind.__name__}.")
    return deps


def _die_with_worker(**_) -> None:
    die_with_parent()


def run_worker(
    service: str, create: Callable[[Settings], Celery], argv: list[str] | None, default: list[str]
) -> None:
    """A service's Celery command line: its app made by `create` from the environment's settings
    (its data folder made first), run with `argv` (the process's arguments when None; `default`
    when there are none). A worker also gets WORKER_ARGS and serves its metrics."""
    settings = from_env(service)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    app = create(settings)
    argv = list(sys.argv[1:] if argv is None else argv) or default
    if argv[0] == "worker":
        argv = argv + [a for a in WORKER_ARGS if a not in argv]
        # `worker --beat` runs beat in a child process: it goes when the worker goes, even killed.
        beat_embedded_init.connect(_die_with_worker, sender=None, weak=False)
        task_metrics.serve(app, settings.celery_metrics_port)
    app.start(argv)
