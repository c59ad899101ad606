"""New Alembic revision from a service's models: `python -m common.revision SERVICE MESSAGE`."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from alembic import command
from alembic.config import Config as AlembicConfig
from sqlalchemy import create_engine

from common.db import migrate


def main(service: str, message: str) -> None:
    migrations = Path("services") / service / "migrations"
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/{service}.db"
        migrate(create_engine(url), migrations)
        cfg = AlembicConfig()
        cfg.set_main_option("script_location", str(migrations))
        cfg.set_main_option("sqlalchemy.url", url)
        command.revision(cfg, message=message, autogenerate=True)


if __name__ == "__main__":
    main(*sys.argv[1:3])
