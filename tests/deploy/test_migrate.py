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

from common.db import NotMigrated
from deploy.migrate import behind, role_variable, with_database
from services.system import create_service
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


def test_a_service_started_before_the_migrations_stops_and_creates_no_schema(database):
    owner_url, _ = database
    with pytest.raises(NotMigrated, match=r"run `python -m deploy\.migrate catalogue`"):
        create_service("catalogue", environment(owner_url))
    assert "catalogue" not in schemas(owner_url)


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


@pytest.mark.system  # starts the migrate command
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


@pytest.fixture
def owned_database(postgres_url) -> Iterator[tuple[str, dict[str, str]]]:
    """A database of the test's own whose owner may create roles but is no superuser, and the
    URLs its services would connect with (roles that do not exist yet, names of the test's own)."""
    name = f"rbm_test_roles_{uuid.uuid4().hex[:8]}"
    owner = f"{name}_owner"
    server = PG_ADMIN_URL.rsplit("/", 1)[0].split("@", 1)[1]
    services = with_database()
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'CREATE ROLE "{owner}" LOGIN CREATEROLE')
        admin.execute(f'CREATE DATABASE "{name}" OWNER "{owner}"')
    roles = {s: f"postgresql://{name}_{s}:pw-{s}@{server}/{name}" for s in services}
    yield f"postgresql://{owner}@{server}/{name}", roles
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        for role in [owner, *(f"{name}_{s}" for s in services)]:
            admin.execute(f'DROP ROLE IF EXISTS "{role}"')


def migrate_as_owner(owner_url: str, roles: dict[str, str]) -> None:
    env = {**environment(owner_url), **{role_variable(s): url for s, url in roles.items()}}
    subprocess.run(
        [sys.executable, "-m", "deploy.migrate"], cwd=ROOT, env=env, check=True, timeout=300
    )


def refused(conn: psycopg.Connection, statement: str) -> bool:
    try:
        with conn.transaction():
            conn.execute(statement)
    except psycopg.errors.InsufficientPrivilege:
        return True
    return False


def test_migrating_as_the_owner_makes_each_service_a_role_that_uses_its_tables_and_owns_none(
    owned_database,
):
    owner_url, roles = owned_database
    migrate_as_owner(owner_url, roles)
    with psycopg.connect(roles["workflow"], autocommit=True) as workflow:
        assert behind("workflow", {"RBM_DATABASE_URL": roles["workflow"]}) is None
        # Its own rows: read, written, changed and deleted.
        workflow.execute(
            "INSERT INTO workflow.outbox (id, routing_key, body, created_at, attempts)"
            " VALUES ('1', 'k', '{}', now(), 0)"
        )
        workflow.execute("UPDATE workflow.outbox SET attempts = 1 WHERE id = '1'")
        assert workflow.execute("SELECT count(*) FROM workflow.outbox").fetchone() == (1,)
        workflow.execute("DELETE FROM workflow.outbox")
        # Never its tables themselves, nor a table of its own anywhere.
        assert refused(workflow, "ALTER TABLE workflow.reports ADD COLUMN x int")
        assert refused(workflow, "DROP TABLE workflow.reports")
        assert refused(workflow, "TRUNCATE workflow.audit_entries")
        assert refused(workflow, "CREATE TABLE workflow.mine (x int)")
        assert refused(workflow, "CREATE TABLE public.mine (x int)")
        assert refused(workflow, "CREATE SCHEMA mine")
        assert refused(workflow, "CREATE TEMPORARY TABLE mine (x int)")
        # Nor another service's rows.
        assert refused(workflow, "SELECT * FROM identity.users")
        assert refused(workflow, "SELECT * FROM evidence.files")
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
        made = admin.execute(
            "SELECT rolname, rolcanlogin, rolsuper, rolcreaterole, rolcreatedb,"
            " rolpassword IS NOT NULL FROM pg_authid WHERE rolname = ANY(%s)",
            [[url.split("//", 1)[1].split(":", 1)[0] for url in roles.values()]],
        ).fetchall()
    assert sorted(made) == sorted(
        (url.split("//", 1)[1].split(":", 1)[0], True, False, False, False, True)
        for url in roles.values()
    )


def test_migrating_again_keeps_the_roles_and_grants_tables_added_since(owned_database):
    owner_url, roles = owned_database
    migrate_as_owner(owner_url, roles)
    # A table the owner adds later (as a later migration would) is the service's to use.
    with psycopg.connect(owner_url, autocommit=True) as owner:
        owner.execute("CREATE TABLE catalogue.later (id serial PRIMARY KEY, x int)")
    with psycopg.connect(roles["catalogue"], autocommit=True) as catalogue:
        catalogue.execute("INSERT INTO catalogue.later (x) VALUES (1)")
    migrate_as_owner(owner_url, roles)  # roles that exist: their passwords set again, no error
    with psycopg.connect(roles["catalogue"], autocommit=True) as catalogue:
        catalogue.execute("INSERT INTO catalogue.later (x) VALUES (2)")
        assert catalogue.execute("SELECT x FROM catalogue.later").fetchall() == [(1,), (2,)]
        assert refused(catalogue, "DROP TABLE catalogue.later")


def test_an_owner_that_may_not_create_roles_grants_those_an_administrator_made(owned_database):
    owner_url, roles = owned_database
    owner = owner_url.rsplit("/", 1)[0].split("//", 1)[1].split("@", 1)[0]
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'ALTER ROLE "{owner}" NOCREATEROLE')
        for url in roles.values():
            admin.execute(f'CREATE ROLE "{url.split("//", 1)[1].split(":", 1)[0]}" LOGIN')
    migrate_as_owner(owner_url, roles)
    with psycopg.connect(roles["scorecard"], autocommit=True) as scorecard:
        assert behind("scorecard", {"RBM_DATABASE_URL": roles["scorecard"]}) is None
        assert refused(scorecard, "SELECT * FROM workflow.reports")
