"""Anchors of the audit trail in the object-locked bucket, and the check against them.

The hash chain shows that an entry was changed only to someone who cannot rewrite the rest of
the chain too; the database owner can. So the head (sequence and hash) is written, every few
minutes (RBM_AUDIT_ANCHOR_SECONDS) and on demand, as an object under WORM retention in the
evidence bucket, which no database right reaches. Verification walks the chain, then checks
every anchor against the entry it names, then replays each report's trail against the
report's row.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from io import BytesIO
from typing import Any

import structlog
import urllib3
from minio import Minio
from minio.error import MinioException
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from common.config import Settings, setting
from common.db import unit_of_work
from common.errors import Unavailable
from services.workflow import audit
from services.workflow.models import AuditEntry, AuditHead, Report
from services.workflow.service import snapshot

PREFIX = "audit-anchors/"
STORE_ERRORS = (MinioException, urllib3.exceptions.HTTPError, OSError)
log = structlog.get_logger("rbm.workflow.anchors")


@dataclass(frozen=True)
class AnchorSettings:
    # Seconds between two anchors: twice within the ten minutes promised.
    every_seconds: float = setting("RBM_AUDIT_ANCHOR_SECONDS", 300.0)


@dataclass(frozen=True)
class Anchor:
    seq: int
    hash: str
    at: str
    key: str = ""


class AnchorStore:
    """Anchors as objects `audit-anchors/<seq>-<ms>.json` in the object-locked bucket."""

    def __init__(self, client: Minio, bucket: str):
        self.client = client
        self.bucket = bucket

    @classmethod
    def from_settings(cls, settings: Settings) -> AnchorStore:
        client = Minio(
            settings.s3_endpoint or "127.0.0.1:9",
            access_key=settings.s3_access_key,
            secret_key=settings.s3_secret_key,
            secure=settings.s3_secure,
        )
        return cls(client, settings.s3_bucket)

    def write(self, seq: int, hash_: str) -> Anchor:
        now = datetime.now(UTC)
        anchor = Anchor(
            seq, hash_, now.isoformat(), f"{PREFIX}{seq:012d}-{now:%Y%m%dT%H%M%S%f}.json"
        )
        body = json.dumps({"seq": seq, "hash": hash_, "at": anchor.at}).encode()
        try:
            if not self.client.bucket_exists(self.bucket):
                # Evidence sets the default retention on it; anchors then fall under it too.
                self.client.make_bucket(self.bucket, object_lock=True)
            self.client.put_object(
                self.bucket, anchor.key, BytesIO(body), len(body), content_type="application/json"
            )
        except STORE_ERRORS as exc:
            raise Unavailable("The object store did not take the audit anchor.") from exc
        return anchor

    def all(self) -> list[Anchor]:
        """Every anchor ever written, by sequence."""
        anchors = []
        try:
            if not self.client.bucket_exists(self.bucket):
                return []
            for item in self.client.list_objects(self.bucket, prefix=PREFIX, recursive=True):
                response = self.client.get_object(self.bucket, item.object_name)
                try:
                    body = json.loads(response.read())
                finally:
                    response.close()
                    response.release_conn()
                anchors.append(Anchor(int(body["seq"]), body["hash"], body["at"], item.object_name))
        except STORE_ERRORS as exc:
            raise Unavailable("The object store did not return the audit anchors.") from exc
        return sorted(anchors, key=lambda a: (a.seq, a.key))


def anchor_now(sessions: sessionmaker[Session], store: AnchorStore) -> Anchor | None:
    """Write the trail's head as it is now (None while the trail is empty); the bucket is
    written once the head is read and its transaction closed."""
    with unit_of_work(sessions) as session:
        head = session.get(AuditHead, audit.HEAD_ID)
        if head is None or head.seq == 0:
            return None
        seq, hash_ = head.seq, head.hash
    return store.write(seq, hash_)


class AnchorWriter:
    """A worker writing the head every `every` seconds when it moved since the last one."""

    def __init__(self, factory: sessionmaker[Session], store: AnchorStore, every: float):
        self.factory, self.store, self.every = factory, store, every
        self.last: int | None = None

    def run(self, stop: threading.Event) -> None:
        while not stop.wait(self.every):
            try:
                with unit_of_work(self.factory) as session:
                    head = session.get(AuditHead, audit.HEAD_ID)
                    if head is not None and head.seq and head.seq != self.last:
                        self.last = self.store.write(head.seq, head.hash).seq
            except Exception as exc:  # noqa: BLE001 - the store away: try again next round
                log.warning("audit_anchor_failed", error=str(exc))


def verify(sessions: sessionmaker[Session], store: AnchorStore | None) -> dict[str, Any]:
    """The chain, every anchor (read from the bucket before the transaction opens, where there
    is one), and every report row against its trail; the first bad entry."""
    anchors = store.all() if store is not None else None
    with unit_of_work(sessions, writes=False) as session:
        chain = audit.verify(session)
        if anchors is None:
            return chain.as_dict()
        result = chain.as_dict() | {"anchors": len(anchors)}
        if not chain.intact:
            return result
        problem = _against_anchors(session, anchors) or _against_reports(session)
    if problem:
        first_bad, text = problem
        result.update(intact=False, first_bad=first_bad, problem=text)
    return result


def _against_anchors(session: Session, anchors: list[Anchor]) -> tuple[int, str] | None:
    good = 0  # entries up to here match an anchor
    for anchor in anchors:
        entry = session.get(AuditEntry, anchor.seq)
        if entry is None or entry.hash != anchor.hash:
            return good + 1, (
                f"the trail up to entry {anchor.seq} is not the one anchored at {anchor.at}"
            )
        good = anchor.seq
    return None


def _against_reports(session: Session) -> tuple[int, str] | None:
    """Replay each report's entries and compare with its row as it is now."""
    expected: dict[str, dict[str, Any]] = {}
    last_seq: dict[str, int] = {}
    query = select(AuditEntry).where(AuditEntry.subject == "report").order_by(AuditEntry.seq)
    for entry in session.scalars(query.execution_options(yield_per=2000)):
        fields = expected.setdefault(entry.subject_id, {})
        for name, change in (entry.changes or {}).items():
            fields[name] = change.get("after") if isinstance(change, dict) else change
        last_seq[entry.subject_id] = entry.seq
    entries = session.scalar(select(AuditHead.seq).where(AuditHead.id == audit.HEAD_ID)) or 0
    for report in session.scalars(select(Report).order_by(Report.id)):
        if report.id not in expected:
            return entries + 1, f"report {report.id} has no trail"
        now = snapshot(report)
        changed = sorted(
            name
            for name in now
            if audit.canonical(now[name]) != audit.canonical(expected[report.id].get(name))
        )
        if changed:
            return last_seq[report.id], (
                f"report {report.id} differs from its trail ({', '.join(changed)})"
            )
    return None
