"""Metrics of a Celery worker (Prometheus text format, prometheus-client): tasks by name and
outcome (success, failure, retry, ...) and a histogram of how long each ran.

A worker started with RBM_CELERY_METRICS_PORT set serves them at `/metrics` on that port, as
Prometheus scrapes each container; without it, none (embedded mode runs two workers on one
machine, and scrapes nothing). Under Celery's default prefork pool the tasks run in child
processes: each writes its counts to a folder of the worker's own (prometheus-client's
multiprocess mode, PROMETHEUS_MULTIPROC_DIR) and a scrape of the worker's process sums them.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time

from celery import Celery
from celery.signals import task_postrun, task_prerun, worker_shutdown

RUNTIME_BUCKETS = (0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300)


def serve(app: Celery, port: int | None) -> None:
    """Count the tasks `app`'s worker runs and serve the counts on `port` (unset: do nothing).

    Called before the worker starts: its pool's processes inherit what is set up here.
    """
    if port is None:
        return
    if "PROMETHEUS_MULTIPROC_DIR" not in os.environ:
        folder = tempfile.mkdtemp(prefix="rbm-task-metrics-")
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = folder
        worker_shutdown.connect(lambda **_: shutil.rmtree(folder, ignore_errors=True), weak=False)
    # prometheus-client takes multiprocess mode when it is first imported: only after the folder
    # is named, hence imported here.
    from prometheus_client import CollectorRegistry, Counter, Histogram, start_http_server, values
    from prometheus_client.multiprocess import MultiProcessCollector

    if values.ValueClass is values.MutexValue:
        raise RuntimeError("prometheus_client was imported before its folder was named")

    service = app.conf.rbm_settings.service
    finished = Counter(
        "rbm_celery_tasks", "Celery tasks run, by outcome", ["service", "task", "outcome"]
    )
    runtime = Histogram(
        "rbm_celery_task_duration_seconds",
        "Time a Celery task ran",
        ["service", "task"],
        buckets=RUNTIME_BUCKETS,
    )
    started: dict[str, float] = {}

    def on_start(task_id: str, **_) -> None:
        started[task_id] = time.perf_counter()

    def on_end(task_id: str, task, state: str | None = None, **_) -> None:
        began = started.pop(task_id, None)
        # Timed before counted: a scrape that sees the task counted sees its time too.
        if began is not None:
            runtime.labels(service, task.name).observe(time.perf_counter() - began)
        finished.labels(service, task.name, (state or "unknown").lower()).inc()

    task_prerun.connect(on_start, weak=False)
    task_postrun.connect(on_end, weak=False)
    registry = CollectorRegistry()
    MultiProcessCollector(registry)
    start_http_server(port, registry=registry)
