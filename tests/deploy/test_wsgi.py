"""Deployed mode: one service built by deploy/wsgi.py, its workers process, and the files that
compose and Kubernetes read (they parse and name every service)."""

from __future__ import annotations

import re
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from sqlalchemy import func, select
from werkzeug.test import Client

from common.auth import TokenSigner, new_private_key_pem
from common.config import from_env
from common.db import NotMigrated, unit_of_work
from common.web import runtime_of
from deploy import envfile, wsgi
from deploy.migrate import migrate_all
from services.identity.models import Outbox
from services.system import API_SERVICES, SERVICES
from tests.waiting import until_passes

ROOT = Path(__file__).resolve().parents[2]
SIGNING_KEY = new_private_key_pem()


@pytest.fixture
def fresh_env(tmp_path) -> dict[str, str]:
    """Embedded backends in a temporary folder: SQLite and the filesystem broker, no store yet."""
    return {
        "RBM_DATA_DIR": str(tmp_path),
        "RBM_SERVICE_SECRET": "test-service-secret",
        "RBM_JWT_PRIVATE_KEY": SIGNING_KEY,
        "RBM_LOG_LEVEL": "WARNING",
    }


@pytest.fixture
def env(fresh_env) -> dict[str, str]:
    """The same, identity's store migrated (as the deploy `migrate` job does first)."""
    migrate_all(["identity"], fresh_env)
    return fresh_env


def tables_in(env: dict[str, str], service: str) -> list[str]:
    path = from_env(service, env).database_url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as conn:
        return [row[0] for row in conn.execute("SELECT name FROM sqlite_master")]


def test_a_service_on_a_store_not_migrated_stops_saying_so_and_creates_nothing(fresh_env):
    with pytest.raises(NotMigrated, match=r"run `python -m deploy\.migrate identity`"):
        wsgi.create_app("identity", fresh_env)
    assert tables_in(fresh_env, "identity") == []


def test_the_migrate_step_brings_the_store_to_head_and_the_service_starts(fresh_env):
    migrate_all(["identity"], fresh_env)
    assert {"alembic_version", "users", "outbox"} <= set(tables_in(fresh_env, "identity"))
    client = Client(wsgi.create_app("identity", fresh_env))
    assert client.get("/readyz").status_code == 200


def test_a_service_answers_healthz_under_its_gateway_prefix(env):
    client = Client(wsgi.create_app("identity", env))
    resp = client.get("/healthz", environ_overrides={"SCRIPT_NAME": "/api/identity"})
    assert resp.status_code == 200 and resp.json == {"service": "identity", "status": "ok"}


def test_a_service_is_ready_on_sqlite_and_the_filesystem_broker(env):
    client = Client(wsgi.create_app("identity", env))
    resp = client.get("/readyz", environ_overrides={"SCRIPT_NAME": "/api/identity"})
    assert resp.status_code == 200 and resp.json["checks"] == ["broker", "database"]


def test_rbm_service_names_the_service_to_build(env):
    app = wsgi.create_app(env={**env, "RBM_SERVICE": "identity"})
    assert runtime_of(app).settings.service == "identity"


def test_an_unknown_service_stops_the_start(env):
    with pytest.raises(SystemExit, match="RBM_SERVICE"):
        wsgi.create_app("payroll", env)


def test_a_missing_signing_key_stops_identity_naming_it(env):
    del env["RBM_JWT_PRIVATE_KEY"]
    with pytest.raises(SystemExit, match="RBM_JWT_PRIVATE_KEY"):
        wsgi.create_app("identity", env)


def test_every_service_needs_its_service_account_password_and_identity_the_secret():
    assert all(wsgi.missing_secrets(s, {}) for s in SERVICES)
    assert wsgi.missing_secrets("workflow", {}) == ["RBM_SERVICE_PASSWORD"]
    assert "RBM_SERVICE_SECRET" in wsgi.missing_secrets("identity", {})


def _unsent(app) -> int:
    with unit_of_work(runtime_of(app).session_factory) as session:
        return session.scalar(
            select(func.count()).select_from(Outbox).where(Outbox.sent_at.is_(None))
        )


@pytest.mark.system  # starts the workers process
def test_the_workers_process_relays_the_outbox_and_stops_cleanly_on_sigterm(env):
    migrate_all(["identity"], {**env, "RBM_DEMO": "1"})  # demo users: six events
    app = wsgi.create_app("identity", env)
    assert _unsent(app) > 0
    proc = subprocess.Popen(
        [sys.executable, "-m", "deploy.workers", "identity"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:

        def relayed() -> None:
            assert proc.poll() is None, "the workers process stopped"
            assert _unsent(app) == 0

        until_passes(relayed, timeout=60)
    finally:
        proc.send_signal(signal.SIGTERM)
        _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 0, stderr.decode()[-2000:]


def test_envfile_writes_a_signing_key_that_compose_reads_back():
    line = next(
        line
        for line in envfile.dotenv(envfile.fresh()).splitlines()
        if line.startswith("RBM_JWT_PRIVATE_KEY=")
    )
    pem = line.split("=", 1)[1].strip('"').replace("\\n", "\n")
    assert TokenSigner(pem, 60).jwks["keys"]


# --- the files compose and Kubernetes read ------------------------------------------------


def _compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def _manifests() -> list[dict]:
    docs = []
    for path in sorted((ROOT / "deploy" / "k8s").glob("*.yaml")):
        docs += [doc for doc in yaml.safe_load_all(path.read_text()) if doc]
    return docs


def test_compose_runs_every_service_with_its_workers_and_the_backends():
    services = _compose()["services"]
    expected = {*SERVICES, *(f"{s}-workers" for s in API_SERVICES)}
    expected |= {"postgres", "rabbitmq", "seaweedfs", "gateway", "mailpit"}
    expected |= {"notifications-celery", "notifications-beat", "evidence-celery", "evidence-beat"}
    assert expected <= set(services)


def test_compose_runs_each_api_service_under_its_prefix():
    services = _compose()["services"]
    assert {s: services[s]["environment"]["SCRIPT_NAME"] for s in API_SERVICES} == {
        s: f"/api/{s}" for s in API_SERVICES
    }


def test_compose_commits_no_secret_and_demands_each_one():
    text = (ROOT / "docker-compose.yml").read_text()
    for name in ("RBM_JWT_PRIVATE_KEY", "RBM_SERVICE_SECRET", "RBM_S3_SECRET_KEY"):
        values = re.findall(rf"^\s+{name}: (.*)$", text, flags=re.MULTILINE)
        assert values and all(v == f"${{{name}:?set {name}}}" for v in values), name


def test_compose_keeps_demo_data_off_by_default():
    services = _compose()["services"]
    assert services["identity"]["environment"]["RBM_DEMO"] == "${RBM_DEMO:-0}"


def test_kubernetes_has_a_deployment_and_a_service_for_every_service():
    names = {(d["kind"], d["metadata"]["name"]) for d in _manifests()}
    for service in SERVICES:
        assert {("Deployment", service), ("Service", service)} <= names, service
    assert {("Deployment", f"{s}-workers") for s in API_SERVICES} <= names


def test_kubernetes_scales_every_api_service_with_an_hpa():
    scaled = {
        d["spec"]["scaleTargetRef"]["name"]
        for d in _manifests()
        if d["kind"] == "HorizontalPodAutoscaler"
    }
    assert scaled == set(API_SERVICES)


def test_kubernetes_probes_each_web_service_on_healthz_and_readyz_under_its_prefix():
    for doc in _manifests():
        if doc["kind"] != "Deployment" or doc["metadata"]["name"] not in API_SERVICES:
            continue
        [container] = doc["spec"]["template"]["spec"]["containers"]
        prefix = f"/api/{doc['metadata']['name']}"
        assert container["livenessProbe"]["httpGet"]["path"] == f"{prefix}/healthz"
        assert container["readinessProbe"]["httpGet"]["path"] == f"{prefix}/readyz"


def test_the_gateway_routes_every_api_prefix():
    conf = (ROOT / "deploy" / "gateway" / "nginx.conf").read_text()
    routed = set(re.findall(r"location ~ \^/api/\(([a-z|]+)\)/", conf)[0].split("|"))
    routed |= set(re.findall(r"location /api/([a-z]+)/", conf))
    assert routed == set(API_SERVICES)


def test_the_gateway_accepts_an_evidence_upload_of_the_largest_allowed_size():
    conf = (ROOT / "deploy" / "gateway" / "nginx.conf").read_text()
    megabytes = int(re.search(r"client_max_body_size (\d+)m;", conf).group(1))
    limit = from_env("evidence", {}).max_upload_bytes
    assert limit < megabytes * 1024 * 1024 <= limit + 2 * 1024 * 1024
