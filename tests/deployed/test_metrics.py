"""/metrics of each replica (as Prometheus scrapes each pod): Prometheus text summed over every
gunicorn worker of the replica, and gauges read from the database and the broker; each Celery
worker's on its own port (RBM_CELERY_METRICS_PORT)."""

from __future__ import annotations

import json
import uuid

import requests
from prometheus_client.parser import text_string_to_metric_families

from services.notifications.tasks import SYNC_PEOPLE
from tests.evidence import samples
from tests.waiting import eventually


def scrape(url: str) -> dict[str, list]:
    resp = requests.get(url, timeout=30)
    assert resp.status_code == 200, resp.text
    assert resp.headers["Content-Type"].startswith("text/plain")
    return {f.name: f.samples for f in text_string_to_metric_families(resp.text)}


def scrape_replicas(deployed, service: str) -> dict[str, list]:
    """Every replica's metrics, the samples of the same name put together."""
    found: dict[str, list] = {}
    for replica in deployed.replicas(service):
        prefix = replica.env.get("SCRIPT_NAME", "")
        for name, samples_ in scrape(f"http://127.0.0.1:{replica.port}{prefix}/metrics").items():
            found.setdefault(name, []).extend(samples_)
    return found


def test_each_service_counts_its_requests_by_route_and_status(deployed):
    for path in deployed.readyz_paths():
        for _ in range(4):  # both replicas, and every worker of each
            requests.get(f"{deployed.url}{path}", timeout=30)
    for service in deployed.web_services():
        found = scrape_replicas(deployed, service)
        routes = {
            (s.labels["route"], s.labels["status"])
            for s in found["rbm_http_requests"]
            if s.name.endswith("_total")
        }
        assert ("/readyz", "200") in routes, service
        assert any(s.name.endswith("_bucket") for s in found["rbm_http_request_duration_seconds"])


def test_json_logs_under_gunicorn_carry_the_gateways_request_id(deployed):
    request_id = f"trace-{uuid.uuid4().hex}"
    resp = requests.get(
        f"{deployed.url}/api/catalogue/readyz", headers={"X-Request-ID": request_id}, timeout=30
    )
    assert resp.headers["X-Request-ID"] == request_id

    def logged():
        for replica in deployed.replicas("catalogue"):
            for line in replica.log.read_text(errors="replace").splitlines():
                if request_id in line:
                    return json.loads(line)

    entry = eventually(logged, what="the request in catalogue's log")
    assert entry["request_id"] == request_id and entry["service"] == "catalogue"


def test_backlog_lag_dead_letters_uploads_and_emails_are_there(deployed, gateway):
    reporter = gateway.session("reporter1")
    fields = {"unit": "R1", "year": "2547", "kpi": "2.1", "period": "M01"}
    refused = reporter.post(
        "/api/evidence/files",
        data=fields,
        files={"file": ("x.docm", samples.ole_with_vba_project())},
    )
    assert refused.status_code in (415, 422), refused.text
    evidence = scrape_replicas(deployed, "evidence")
    outcomes = {s.labels["outcome"] for s in evidence["rbm_evidence_uploads"]}
    assert any(o.startswith(str(refused.status_code)) for o in outcomes), outcomes
    assert "rbm_outbox_backlog" in evidence
    # Only services reach /metrics through the gateway: on its internal listener.
    notifications = scrape(f"{deployed.internal_url}/api/notifications/metrics")
    lag = {s.labels["queue"] for s in notifications["rbm_consumer_lag"]}
    assert "rbm.notifications.reports" in lag
    assert {s.labels["queue"] for s in notifications["rbm_dead_letters"]} == lag
    assert "rbm_notification_emails" in notifications


def test_each_celery_worker_counts_the_tasks_it_ran(deployed):
    """Every notifications worker asks for a refresh of the people copy as it starts: the
    replicas' own /metrics count those tasks, by name and outcome, and time them."""

    def worker_metrics(name: str) -> list[dict[str, list]] | None:
        try:
            return [
                scrape(f"http://127.0.0.1:{proc.env['RBM_CELERY_METRICS_PORT']}/metrics")
                for proc in deployed.replicas(name)
            ]
        except requests.ConnectionError:
            return None  # a worker still starting

    def refreshed() -> list[dict[str, list]] | None:
        found = worker_metrics("notifications-celery")
        runs = [
            s
            for replica in found or []
            for s in replica.get("rbm_celery_tasks", [])
            if s.name.endswith("_total") and s.labels["task"] == SYNC_PEOPLE
        ]
        return found if sum(s.value for s in runs) >= 2 else None

    found = eventually(refreshed, timeout=120, what="both replicas' people refresh counted")
    outcomes = {
        s.labels["outcome"] for replica in found for s in replica.get("rbm_celery_tasks", [])
    }
    assert outcomes <= {"success", "retry", "failure"}
    timed = [
        s
        for replica in found
        for s in replica.get("rbm_celery_task_duration_seconds", [])
        if s.name.endswith("_count") and s.labels["task"] == SYNC_PEOPLE
    ]
    assert sum(s.value for s in timed) >= 2
    assert len(eventually(lambda: worker_metrics("evidence-celery"), what="evidence's")) == 2
