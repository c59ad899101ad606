"""A Celery worker's own /metrics (RBM_CELERY_METRICS_PORT), as Prometheus scrapes each worker
container: tasks by name and outcome, and how long they ran, summed over the processes of the
deployments' default prefork pool."""

from __future__ import annotations

import requests
from prometheus_client.parser import text_string_to_metric_families

from common.config import from_env
from deploy.ports import free_port
from services.notifications.tasks import SEND_DIGESTS, SWEEP_EMAILS
from services.notifications.worker import create_celery
from tests.notifications.conftest import WorkerProcess, worker_env
from tests.waiting import eventually


def scrape(port: int) -> dict[str, list] | None:
    try:
        resp = requests.get(f"http://127.0.0.1:{port}/metrics", timeout=10)
    except requests.ConnectionError:
        return None  # not listening yet
    assert resp.status_code == 200, resp.text
    return {f.name: f.samples for f in text_string_to_metric_families(resp.text)}


def test_a_worker_counts_its_tasks_by_name_and_outcome_and_times_them(live, tmp_path):
    port = free_port()
    env = worker_env(
        live,
        RBM_CELERY_METRICS_PORT=str(port),
        RBM_QUEUE_PREFIX=f"{live.env['RBM_QUEUE_PREFIX']}.metrics",
        PROMETHEUS_MULTIPROC_DIR=str(tmp_path),
    )
    worker = WorkerProcess(env, concurrency=2, pool="prefork").start()
    try:
        celery = create_celery(from_env("notifications", env))
        for _ in range(3):
            celery.send_task(SWEEP_EMAILS)
        celery.send_task(SEND_DIGESTS, args=["not a day"])  # fails: no such date

        def counted() -> dict | None:
            found = scrape(port)
            if not found:
                return None
            tasks = {
                (s.labels["task"], s.labels["outcome"]): s.value
                for s in found["rbm_celery_tasks"]
                if s.name.endswith("_total")
            }
            done = tasks.get((SWEEP_EMAILS, "success")) == 3 and (SEND_DIGESTS, "failure") in tasks
            return done and found

        found = eventually(counted, timeout=90, what="the tasks counted at the worker's /metrics")
    finally:
        worker.stop()
    tasks = {s.labels["task"] for s in found["rbm_celery_tasks"]}
    assert {s.labels["service"] for s in found["rbm_celery_tasks"]} == {"notifications"}
    timed = {
        s.labels["task"]: s.value
        for s in found["rbm_celery_task_duration_seconds"]
        if s.name.endswith("_count")
    }
    assert timed[SWEEP_EMAILS] == 3 and timed[SEND_DIGESTS] == 1
    assert set(timed) == tasks
