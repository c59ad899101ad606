"""Security events: structured log lines, and administrators' changes in a hash-chained trail."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC
from typing import Any

import structlog
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from common.db import read_only
from common.errors import Conflict
from common.events import utcnow
from services.identity.models import AdminAudit

GENESIS = "0" * 64


def log_event(name: str, **fields: Any) -> None:
    """One `security` log line (a logger looked up per call, so tests can capture it)."""
    structlog.get_logger("rbm.security").warning(name, category="security", **fields)


def _hash(entry: AdminAudit) -> str:
    body = {
        "seq": entry.seq,
        "at": entry.at.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor": entry.actor,
        "action": entry.action,
        "subject": entry.subject,
        "changes": entry.changes,
        "prev_hash": entry.prev_hash,
    }
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def record_admin_change(
    session: Session, actor: str | None, action: str, subject: str, changes: dict
) -> None:
    """Log the change and append it to the trail (locking the last entry: one writer at once)."""
    actor = actor or "system"
    log_event(f"admin.{action}", actor=actor, subject=subject, changes=changes)
    last = session.scalar(
        select(AdminAudit).order_by(AdminAudit.seq.desc()).limit(1).with_for_update()
    )
    entry = AdminAudit(
        seq=(last.seq + 1) if last else 1,
        at=utcnow(),
        actor=actor,
        action=action,
        subject=subject,
        changes=changes,
        prev_hash=last.hash if last else GENESIS,
    )
    entry.hash = _hash(entry)
    session.add(entry)
    try:
        session.flush()
    except IntegrityError as exc:  # another administrator's change took this place first
        raise Conflict("Another change to users was made at the same time: try again.") from exc


@read_only
def verify_trail(session: Session) -> dict:
    """Walk the trail: numbering, links, hashes; the first entry that does not hold."""
    expected_seq, prev, count = 1, GENESIS, 0
    for entry in session.scalars(select(AdminAudit).order_by(AdminAudit.seq)):
        if entry.seq != expected_seq or entry.prev_hash != prev or _hash(entry) != entry.hash:
            return {"intact": False, "entries": count, "first_bad": expected_seq}
        expected_seq, prev, count = entry.seq + 1, entry.hash, count + 1
    return {"intact": True, "entries": count}


@read_only
def trail(session: Session, subject: str | None = None) -> list[AdminAudit]:
    query = select(AdminAudit).order_by(AdminAudit.seq)
    if subject:
        query = query.where(AdminAudit.subject == subject)
    return list(session.scalars(query))
