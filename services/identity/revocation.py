"""Revoking tokens before they expire: a user's when they lose access, one when it logs out."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from common.auth import Principal
from common.db import read_only, transactional
from common.events import utcnow
from services.identity.models import Revocation

# Longer than any token lives (RBM_TOKEN_TTL_SECONDS is held below it).
KEEP = timedelta(days=1)
# Signed-out tokens listed one by one per user; the next sign-out turns them into one not-before
# (every token of the user issued until then is refused: their other sessions end too). The list
# every service copies every few seconds thus holds at most this many + 1 entries a user, however
# often an account signs in and out; a person rarely signs out this often within a token's life.
MAX_TOKENS_PER_USER = 5


def revoke_user(session: Session, user_id: str) -> None:
    """Every token the user holds now is refused (it carries their old roles or access).

    The not-before covers every earlier entry of the user, which therefore goes."""
    now = utcnow()
    _forget_expired(session, now)
    session.execute(delete(Revocation).where(Revocation.user_id == user_id))
    session.add(Revocation(user_id=user_id, not_before=now, expires_at=now + KEEP))


@transactional
def revoke_token(session: Session, principal: Principal) -> None:
    """This token is refused from now on (logging out); a user's many become one not-before."""
    if not principal.token_id:
        return
    now = utcnow()
    _forget_expired(session, now)
    listed = session.scalar(
        select(func.count())
        .select_from(Revocation)
        .where(Revocation.user_id == principal.user_id, Revocation.token_id.is_not(None))
    )
    if listed >= MAX_TOKENS_PER_USER:
        revoke_user(session, principal.user_id)
        return
    expires = datetime.fromtimestamp(principal.expires_at, UTC)
    session.add(
        Revocation(user_id=principal.user_id, token_id=principal.token_id, expires_at=expires)
    )


def _forget_expired(session: Session, now: datetime) -> None:
    """Entries whose tokens have all expired concern nothing any more."""
    session.execute(delete(Revocation).where(Revocation.expires_at <= now))


@read_only
def current(session: Session) -> dict:
    """Every entry that still concerns a valid token (a small list: tokens live an hour)."""
    rows = session.scalars(
        select(Revocation).where(Revocation.expires_at > utcnow()).order_by(Revocation.seq)
    )
    return {
        "entries": [
            {
                "user_id": row.user_id,
                "token_id": row.token_id,
                "not_before": _epoch(row.not_before),
            }
            for row in rows
        ]
    }


def _epoch(moment: datetime | None) -> float | None:
    if moment is None:
        return None
    # SQLite hands back naive datetimes; they were stored in UTC.
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()
