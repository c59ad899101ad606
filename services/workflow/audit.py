"""The audit trail: every change appended, each entry holding the hash of the one before.

Appends are serialised by a row lock on the trail's head, taken before a use case reads what
it changes, so every writer sees the last hash and writers always lock in the same order.
Verification walks the whole trail; an edited, deleted or inserted entry breaks the chain.
The chain and the head live in the same database: someone who can rewrite both can forge a
consistent trail, which is why the table is append-only for the application's role too.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from common.events import utcnow
from services.workflow.models import AuditEntry, AuditHead

GENESIS = "0" * 64
HEAD_ID = 1


def canonical(value: Any) -> str:
    """One text for one value: sorted keys, no spaces, Unicode kept."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def entry_hash(entry: AuditEntry) -> str:
    """SHA-256 over the previous hash and every field of the entry."""
    body = {
        "seq": entry.seq,
        "subject": entry.subject,
        "subject_id": entry.subject_id,
        "actor": entry.actor,
        "on_behalf_of": entry.on_behalf_of,
        "at": _utc(entry.at),
        "action": entry.action,
        "changes": entry.changes,
        "comment": entry.comment,
        "prev_hash": entry.prev_hash,
    }
    return hashlib.sha256(canonical(body).encode()).hexdigest()


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """{field: {before, after}} for every field whose value changed."""
    return {
        key: {"before": before.get(key), "after": after.get(key)}
        for key in sorted(before.keys() | after.keys())
        if canonical(before.get(key)) != canonical(after.get(key))
    }


class Trail:
    """The trail locked for one transaction; create it before reading what will change."""

    def __init__(self, session: Session):
        self.session = session
        self.head = session.scalars(
            select(AuditHead).where(AuditHead.id == HEAD_ID).with_for_update()
        ).one()

    def append(
        self,
        *,
        subject: str,
        subject_id: str,
        actor: str,
        action: str,
        changes: Mapping[str, Any],
        comment: str = "",
        on_behalf_of: str | None = None,
    ) -> AuditEntry:
        entry = AuditEntry(
            seq=self.head.seq + 1,
            subject=subject,
            subject_id=subject_id,
            actor=actor,
            on_behalf_of=on_behalf_of,
            at=utcnow(),
            action=action,
            changes=dict(changes),
            comment=comment or "",
            prev_hash=self.head.hash,
        )
        entry.hash = entry_hash(entry)
        self.head.seq, self.head.hash = entry.seq, entry.hash
        self.session.add(entry)
        return entry


def entries_of(session: Session, subject_id: str) -> list[AuditEntry]:
    query = select(AuditEntry).where(AuditEntry.subject_id == subject_id)
    return list(session.scalars(query.order_by(AuditEntry.seq)))


@dataclass(frozen=True)
class Verification:
    intact: bool
    entries: int
    first_bad: int | None = None
    problem: str | None = None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"intact": self.intact, "entries": self.entries}
        if not self.intact:
            out.update(first_bad=self.first_bad, problem=self.problem)
        return out


def check_chain(entries: Iterable[AuditEntry], head: tuple[int, str] | None) -> Verification:
    """Walk entries in order: numbering, links and hashes; then the head must be the last."""
    expected_seq, expected_prev, count = 1, GENESIS, 0
    for entry in entries:
        if entry.seq != expected_seq:
            return Verification(False, count, expected_seq, f"entry {expected_seq} is missing")
        if entry.prev_hash != expected_prev:
            return Verification(False, count, entry.seq, "does not link to the entry before")
        if entry_hash(entry) != entry.hash:
            return Verification(False, count, entry.seq, "its content does not match its hash")
        expected_seq, expected_prev, count = entry.seq + 1, entry.hash, count + 1
    if head is not None and head != (expected_seq - 1, expected_prev):
        return Verification(False, count, expected_seq, "entries after this one are missing")
    return Verification(True, count)


def read_one_moment(session: Session) -> None:
    """Make every read of this transaction see the database as it was at its first read.

    Verification reads the trail, its head and the report rows in several statements; a
    transition committed in between would otherwise look like a trail that does not match.
    Call it before the transaction's first read; calling it again does nothing.
    """
    if session.info.get("one_moment"):
        return
    session.info["one_moment"] = True
    connection = session.connection()
    # On SQLite the engine itself begins each transaction (common/db.py), before its first read.
    if connection.dialect.name != "sqlite":
        connection.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")


def verify(session: Session, batch: int = 2000) -> Verification:
    """Check the hash chain of the whole trail."""
    read_one_moment(session)
    head = session.get(AuditHead, HEAD_ID)
    rows = session.scalars(
        select(AuditEntry).order_by(AuditEntry.seq).execution_options(yield_per=batch)
    )
    return check_chain(rows, (head.seq, head.hash) if head else None)
