"""`python -m deploy.migrate`: the migrations as the database owner (compose's `migrate`, the
Kubernetes Job), and `--wait`, which a pod's init container runs as the service's own role until
its schema is at head, changing nothing itself."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from deploy.migrate import behind
from tests.conftest import PG_ADMIN_URL

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def database(postgres_url) -> Iterator[tuple[str, str]]:
    """A database of the test's own (its owner's URL) and a role that owns nothing in it."""
    name = f"rbm_test_mig_{uuid.uuid4().hex[:8]}"
    role = f"{name}_service"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        admin.execute(f'CREATE ROLE "{role}" LOGIN')
    base = PG_ADMIN_URL.rsplit("/", 1)[0]
    server = base.split("@", 1)[1]
    yield f"{base}/{name}", f"postgresql://{role}@{server}/{name}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'DROP ROLE IF EXISTS "{role}"')


def environment(url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RBM_")}
    return {**env, "RBM_DATABASE_URL": url, "RBM_LOG_LEVEL": "WARNING"}


def schemas(owner_url: str) -> set[str]:
    with psycopg.connect(owner_url) as conn:
        return {row[0] for row in conn.execute("SELECT nspname FROM pg_namespace")}


def test_a_pod_waits_for_its_schema_at_head_then_starts(database):
    owner_url, service_url = database
    as_service = environment(service_url)
    waiter = subprocess.Popen(
        [sys.executable, "-m", "deploy.migrate", "--wait", "catalogue"], cwd=ROOT, env=as_service
    )
    try:
        assert behind("catalogue", as_service).startswith("at [], head is ")
        assert "catalogue" not in schemas(owner_url)  # waiting creates nothing

        subprocess.run(
            [sys.executable, "-m", "deploy.migrate", "catalogue"],
            cwd=ROOT,
            env=environment(owner_url),
            check=True,
            timeout=300,
        )
        # Migrated, but the service's role is not granted the schema yet: still waiting.
        assert behind("catalogue", as_service) is not None
        assert waiter.poll() is None

        role = service_url.split("//", 1)[1].split("@", 1)[0]
        with psycopg.connect(owner_url, autocommit=True) as owner:
            owner.execute(f'GRANT USAGE ON SCHEMA catalogue TO "{role}"')
            owner.execute(f'GRANT SELECT ON ALL TABLES IN SCHEMA catalogue TO "{role}"')
        assert behind("catalogue", as_service) is None
        assert waiter.wait(timeout=120) == 0
    finally:
        waiter.kill()
        waiter.wait()


def test_waiting_for_a_service_without_migrations_stops_naming_the_known_ones():
    done = subprocess.run(
        [sys.executable, "-m", "deploy.migrate", "--wait", "portal"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode != 0 and "No migrations for portal" in done.stderr
    assert "catalogue" in done.stderr
