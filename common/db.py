"""Engines, sessions, a unit of work and Alembic migrations: one database or schema a service."""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import update_wrapper
from pathlib import Path
from typing import Concatenate, Generic, ParamSpec, TypeVar

from alembic import command, context
from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, MetaData, create_engine, event, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from common.config import Settings
from common.errors import Conflict

# PostgreSQL's answers to two transactions that collide: serialization failure, deadlock,
# lock not available.
_RACE_SQLSTATES = {"40001", "40P01", "55P03"}

# How long a SQLite writer waits for the write lock before its request is refused (409).
BUSY_SECONDS = 30
# Execution option of a session that writes: on SQLite it begins with the write lock.
WRITE_LOCK = "rbm_write_lock"

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def new_base() -> type[DeclarativeBase]:
    """A declarative base with its own metadata: each service owns its tables."""

    class Base(DeclarativeBase):
        metadata = MetaData(naming_convention=NAMING)

    return Base


def make_engine(settings: Settings, create_schema: bool = True) -> Engine:
    """Engine for the service's own store: a SQLite file, or its own schema in PostgreSQL
    (created if missing, unless `create_schema` is false: a look that changes nothing)."""
    if settings.is_sqlite:
        path = settings.database_url.removeprefix("sqlite:///")
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(settings.database_url, connect_args={"timeout": BUSY_SECONDS})
        event.listen(engine, "connect", _sqlite_connected)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    url = settings.database_url.replace("postgresql://", "postgresql+psycopg://", 1)
    schema = settings.service
    engine = create_engine(
        url,
        pool_pre_ping=True,
        # Connections kept open per process; more are opened for a burst and closed after.
        # Replicas x processes x this must stay under the server's max_connections.
        pool_size=settings.db_pool_size,
        connect_args={"options": f"-csearch_path={schema}", "connect_timeout": 5},
    )
    if not create_schema:
        return engine
    with engine.begin() as conn:
        # Checked first: a deployed service's role may use its schema but not create one.
        found = conn.execute(text("SELECT 1 FROM pg_namespace WHERE nspname = :s"), {"s": schema})
        if found.first() is None:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    return engine


def _sqlite_connected(dbapi_conn, _record) -> None:
    # pysqlite would begin each transaction itself, late and deferred: `_sqlite_begin` does.
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute(f"PRAGMA busy_timeout={BUSY_SECONDS * 1000}")
    cur.close()


def _sqlite_begin(conn) -> None:
    """A writer takes the write lock at its start and waits its turn within the busy timeout:
    a deferred transaction that read before another commit is refused at once when it writes."""
    lock = "IMMEDIATE" if conn.get_execution_options().get(WRITE_LOCK) else "DEFERRED"
    conn.exec_driver_sql(f"BEGIN {lock}")


def upsert(session: Session):
    """The dialect's INSERT, which knows ON CONFLICT (PostgreSQL and SQLite alike)."""
    return pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def unit_of_work(factory: sessionmaker[Session], *, writes: bool = True) -> Iterator[Session]:
    """A transaction that commits when the block ends and rolls back on any error.

    Two requests that change the same rows at once: the one that loses gets a 409, never a 500.
    On SQLite one that `writes` queues for the write lock from its start; one that only reads
    (`writes=False`) takes no lock and never waits for a writer.
    """
    session = factory(execution_options={WRITE_LOCK: writes})
    try:
        yield session
        session.commit()
    except BaseException as exc:
        session.rollback()
        if _lost_a_race(exc):
            raise Conflict(
                "Someone else changed the same thing at the same time: try again."
            ) from exc
        raise
    finally:
        session.close()


P = ParamSpec("P")
R = TypeVar("R")


class transactional(Generic[P, R]):  # noqa: N801 - used as a decorator, named like one
    """A use case that owns its unit of work: called with the session factory, it runs in a
    transaction of its own (see `unit_of_work`), so that no caller holds one for it.

    `within(session, ...)` runs it inside a transaction its caller already holds (seeding, a
    test arranging rows, a use case made of others).
    """

    writes = True

    def __init__(self, use_case: Callable[Concatenate[Session, P], R]):
        self.within = use_case
        update_wrapper(self, use_case)

    def __call__(self, sessions: sessionmaker[Session], /, *args: P.args, **kwargs: P.kwargs) -> R:
        with unit_of_work(sessions, writes=self.writes) as session:
            return self.within(session, *args, **kwargs)


class read_only(transactional[P, R]):  # noqa: N801 - used as a decorator, named like one
    """A use case that only reads: on SQLite it takes no write lock (see `unit_of_work`)."""

    writes = False


def _lost_a_race(exc: BaseException) -> bool:
    if isinstance(exc, IntegrityError | StaleDataError):
        return True
    if isinstance(exc, OperationalError):
        orig = exc.orig
        # SQLite says "locked" to a writer that waited out the busy timeout for the write lock.
        return getattr(orig, "sqlstate", None) in _RACE_SQLSTATES or "database is locked" in str(
            orig
        )
    return False


def migrate(engine: Engine, migrations_dir: Path) -> None:
    """Apply the service's Alembic migrations up to head, serialised across processes (an
    advisory lock on PostgreSQL, the write lock on SQLite)."""
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(migrations_dir))
    with engine.execution_options(**{WRITE_LOCK: True}).begin() as conn:
        if conn.dialect.name == "postgresql":
            key = zlib.crc32(str(migrations_dir).encode())
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": key})
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


class NotMigrated(RuntimeError):
    """A service was started on a store that is not at the head of its migrations."""


def behind_head(engine: Engine, migrations_dir: Path) -> str | None:
    """Why the store is not at the head of the migrations it ships (None once it is)."""
    heads = set(ScriptDirectory(str(migrations_dir)).get_heads())
    with engine.connect() as conn:
        current = set(MigrationContext.configure(conn).get_current_heads())
    return None if current == heads else f"at {sorted(current)}, head is {sorted(heads)}"


def open_store(settings: Settings, migrations_dir: Path) -> Engine:
    """The engine of a service's store, which must be at the head of its migrations: starting a
    service changes no schema (`python -m deploy.migrate` and `make run` migrate before)."""
    engine = make_engine(settings, create_schema=False)
    try:
        why = behind_head(engine, migrations_dir)
    except BaseException:
        engine.dispose()
        raise
    if why is not None:
        engine.dispose()
        raise NotMigrated(
            f"The {settings.service} store is not migrated ({why}): run "
            f"`python -m deploy.migrate {settings.service}` before starting it."
        )
    return engine


def run_migrations(metadata: MetaData) -> None:
    """Body of every service's migrations/env.py."""
    connection = context.config.attributes.get("connection")
    if connection is None:  # `alembic revision --autogenerate` from the command line
        url = context.config.get_main_option("sqlalchemy.url") or "sqlite://"
        connection = create_engine(url).connect()
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def ping(engine: Engine) -> None:
    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))
