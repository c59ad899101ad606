"""Failed-login counters (per name, per client) counted atomically in the database.

An attempt takes its place in the counter *before* the password is checked, in one upsert, so
that concurrent guesses cannot all pass the check before any failure is recorded: of N
simultaneous guesses at most `limit` are ever checked. A success gives its place back.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import case, delete, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from services.identity.models import LoginThrottle

_table = LoginThrottle.__table__


def take_attempt(session: Session, key: str, limit: int, window: timedelta, now: datetime) -> bool:
    """Count one attempt for `key` in a fixed window; False once more than `limit` are in it.

    The window starts at the first attempt and starts again when `limit` is reached, so a
    lock lasts a full window from the attempt that reached it.
    """
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    expired = _table.c.locked_until <= now
    statement = (
        dialect.insert(_table)
        .values(username=key, failures=1, locked_until=now + window)
        .on_conflict_do_update(
            index_elements=[_table.c.username],
            set_={
                "failures": case((expired, 1), else_=_table.c.failures + 1),
                "locked_until": case(
                    (expired, now + window),
                    (_table.c.failures + 1 == limit, now + window),
                    else_=_table.c.locked_until,
                ),
            },
        )
        .returning(_table.c.failures)
    )
    count = session.execute(statement).scalar_one()
    session.commit()  # visible to every concurrent attempt before any password is checked
    return count <= limit


def give_back(session: Session, key: str) -> None:
    """An attempt that succeeded does not count against its client."""
    session.execute(
        update(_table)
        .where(_table.c.username == key, _table.c.failures > 0)
        .values(failures=_table.c.failures - 1)
    )


def clear(session: Session, key: str) -> None:
    """A name that logged in starts again from no failures."""
    session.execute(delete(_table).where(_table.c.username == key))
