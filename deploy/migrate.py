"""`python -m deploy.migrate [SERVICE...]`: every service's migrations, once, as the owner.

Deployed mode runs this before the services start (a compose one-shot service, the Kubernetes
Job `migrate`), with a database URL whose role owns the schemas. The services themselves then
connect as roles that may read and write their tables but not change them; at start they only
check that their schema is at head.

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

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.exc import SQLAlchemyError

from common.config import from_env
from common.db import make_engine, migrate
from services.system import SERVICES

SERVICES_DIR = Path(__file__).resolve().parent.parent / "services"


def with_database() -> list[str]:
    """The services that keep tables, in start order."""
    return [name for name in SERVICES if (SERVICES_DIR / name / "migrations").is_dir()]


def migrate_all(services: list[str], env: Mapping[str, str]) -> None:
    for name in services:
        engine = make_engine(from_env(name, env))
        try:
            migrate(engine, SERVICES_DIR / name / "migrations")
        finally:
            engine.dispose()


def behind(service: str, env: Mapping[str, str]) -> str | None:
    """Why the service's schema is not at head yet (None once it is), looked at as its own role."""
    heads = set(ScriptDirectory(str(SERVICES_DIR / service / "migrations")).get_heads())
    engine = make_engine(from_env(service, env), create_schema=False)
    try:
        with engine.connect() as conn:
            current = set(MigrationContext.configure(conn).get_current_heads())
    except SQLAlchemyError as exc:  # not up yet, or no grant yet: the same wait
        return f"not readable: {exc.__class__.__name__}: {str(exc).splitlines()[0]}"
    finally:
        engine.dispose()
    return None if current == heads else f"at {sorted(current)}, head is {sorted(heads)}"


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
