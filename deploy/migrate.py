"""`python -m deploy.migrate [SERVICE...]`: every service's migrations and seed data, as the owner.

Deployed mode runs this before the services start (a compose one-shot service, the Kubernetes
Job `migrate`), with a database URL whose role owns the schemas. The services themselves then
connect as roles that may read and write their tables but not change them; at start they only
check that their schema is at head. Those roles are made here too: for each service given
`RBM_<SERVICE>_ROLE_URL` (the URL the service connects with), its user becomes a login role with
that password (created, or its password set again), and, after the migrations, is granted its
own schema's tables and sequences, those of later migrations included, and nothing else. A URL
without a password, or a role that exists while the owner lacks CREATEROLE, is one made by the
database's administrator: it is only granted. Last comes each service's seed data (the
catalogue's 2547 year and organisation skeleton; with RBM_DEMO=1 the demo units and users).
`make run` (deploy/embedded.py) takes the same steps before it builds the apps.

`python -m deploy.migrate --wait SERVICE...` changes nothing: it returns once each named
service's schema is at the head of the migrations it ships, which is what a Kubernetes pod's
init container waits for (the Job may still be running, or not yet started after an upgrade).
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Mapping
from pathlib import Path

from psycopg import sql
from sqlalchemy import Connection, make_url, text
from sqlalchemy.exc import SQLAlchemyError

from common.config import from_env
from common.db import behind_head, make_engine, make_session_factory, migrate
from services.system import SERVICES, seed_service

SERVICES_DIR = Path(__file__).resolve().parent.parent / "services"


def with_database() -> list[str]:
    """The services that keep tables, in start order."""
    return [name for name in SERVICES if (SERVICES_DIR / name / "migrations").is_dir()]


def role_variable(service: str) -> str:
    """What names the role `service` connects as, to the migrations step."""
    return f"RBM_{service.upper()}_ROLE_URL"


def migrate_all(services: list[str], env: Mapping[str, str]) -> None:
    """Each service's store brought to the head of its migrations, its role granted, then its
    seed data added (each step changes nothing the second time)."""
    for name in services:
        settings = from_env(name, env)
        engine = make_engine(settings)
        try:
            migrate(engine, SERVICES_DIR / name / "migrations")
            if engine.dialect.name == "postgresql" and (url := env.get(role_variable(name))):
                with engine.begin() as conn:
                    grant(conn, name, url)
            seed_service(name, settings, make_session_factory(engine))
        finally:
            engine.dispose()


def grant(conn: Connection, service: str, url: str) -> None:
    """The role of `url` may log in, use `service`'s schema and read and write its rows; it
    owns nothing, so it cannot create, alter or drop a table, nor read another service's."""
    login = make_url(url)
    role = sql.Identifier(login.username)
    exists = conn.execute(
        text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": login.username}
    ).first()
    may = "SELECT rolcreaterole OR rolsuper FROM pg_roles WHERE rolname = current_user"
    # An owner without CREATEROLE leaves the roles that an administrator made as they are.
    if login.password is not None and (not exists or conn.execute(text(may)).scalar_one()):
        verb = "ALTER" if exists else "CREATE"
        password = sql.Literal(login.password)
        run(conn, sql.SQL(verb + " ROLE {} LOGIN PASSWORD {}").format(role, password))
    schema = sql.Identifier(service)
    database = sql.Identifier(conn.execute(text("SELECT current_database()")).scalar_one())
    for statement in (
        # Schemas are the owner's to make: no one else creates anything in this database.
        "REVOKE CREATE, TEMPORARY ON DATABASE {database} FROM PUBLIC",
        "REVOKE CREATE ON SCHEMA public FROM PUBLIC",
        "GRANT CONNECT ON DATABASE {database} TO {role}",
        "GRANT USAGE ON SCHEMA {schema} TO {role}",
        "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {role}",
        "GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {role}",
        # Tables the owner makes later by hand too, not only those of the next migrate.
        "ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} "
        "GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {role}",
        "ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT USAGE, SELECT ON SEQUENCES TO {role}",
    ):
        run(conn, sql.SQL(statement).format(database=database, schema=schema, role=role))


def run(conn: Connection, statement: sql.Composed) -> None:
    """On psycopg's own connection (in the same transaction): it quotes the names and the
    password into the statement, as DDL takes no parameters."""
    conn.connection.driver_connection.execute(statement)


def behind(service: str, env: Mapping[str, str]) -> str | None:
    """Why the service's schema is not at head yet (None once it is), looked at as its own role."""
    engine = make_engine(from_env(service, env), create_schema=False)
    try:
        return behind_head(engine, SERVICES_DIR / service / "migrations")
    except SQLAlchemyError as exc:  # not up yet, or no grant yet: the same wait
        return f"not readable: {exc.__class__.__name__}: {str(exc).splitlines()[0]}"
    finally:
        engine.dispose()


def wait(services: list[str], env: Mapping[str, str], interval: float = 2.0) -> None:
    """Until every one of `services` is at head; says what it waits for every 30 s."""
    said = 0.0
    while waiting := {name: why for name in services if (why := behind(name, env))}:
        if time.monotonic() - said >= 30:
            for name, why in waiting.items():
                print(f"waiting for {name}'s migrations: {why}", file=sys.stderr, flush=True)
            said = time.monotonic()
        time.sleep(interval)


def main(argv: list[str]) -> int:
    waiting = argv[:1] == ["--wait"]
    names = argv[1:] if waiting else argv
    known = with_database()
    if unknown := [name for name in names if name not in known]:
        raise SystemExit(f"No migrations for {', '.join(unknown)}: one of {', '.join(known)}.")
    if waiting:
        wait(names or known, os.environ)
    else:
        migrate_all(names or known, os.environ)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
