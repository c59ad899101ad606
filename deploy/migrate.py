"""`python -m deploy.migrate [SERVICE...]`: every service's migrations, once, as the owner.

Deployed mode runs this before the services start (a compose one-shot service, a Kubernetes
Job), with a database URL whose role owns the schemas. The services themselves then connect as
roles that may read and write their tables but not change them; at start they only check that
their schema is at head.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path

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


def main(argv: list[str]) -> int:
    known = with_database()
    if unknown := [name for name in argv if name not in known]:
        raise SystemExit(f"No migrations for {', '.join(unknown)}: one of {', '.join(known)}.")
    migrate_all(argv or known, os.environ)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
