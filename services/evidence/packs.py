"""Evidence packs: asked for by whoever may see the units, built in the background, kept a while.

Auditors, reviewers and admins may pack any unit; a reporter or unit head only their own
units (and must name one). The build itself is `pack_build.build`, run by a Celery task.
"""

from __future__ import annotations

import tempfile
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import IO, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from common.auth import AUDITOR, REPORTER, UNIT_HEAD, Principal
from common.config import setting
from common.db import read_only, transactional
from common.errors import Conflict, DomainError, Forbidden, Invalid, NotFound, PayloadTooLarge
from common.events import utcnow
from services.evidence.models import Pack
from services.evidence.verify_pack import Examination, examine

QUEUED, BUILDING, READY, FAILED = "queued", "building", "ready", "failed"
EXPIRED = "expired"


class PackGone(DomainError):
    status, title = 410, "Gone"


@dataclass(frozen=True)
class PackPolicy:
    """How long a built pack stays in the object store."""

    keep_days: int = setting("RBM_EVIDENCE_PACK_DAYS", 7)

    def __post_init__(self) -> None:
        if self.keep_days < 1:
            raise ValueError("RBM_EVIDENCE_PACK_DAYS must be at least 1")

    @property
    def keep(self) -> timedelta:
        return timedelta(days=self.keep_days)


def _check_scope(principal: Principal, unit: str | None) -> None:
    if principal.sees_all_units:
        return
    if not principal.has_role(REPORTER, UNIT_HEAD):
        raise Forbidden("Evidence packs are for auditors, reviewers, admins and units' own staff.")
    if not unit:
        raise Invalid(
            "Name your unit: a unit's staff pack only their own unit.", {"unit": ["Required."]}
        )
    if unit not in principal.units:
        raise Forbidden(f"You may pack only your own units, not {unit}.")


@transactional
def request_pack(
    session: Session, principal: Principal, ask: dict[str, Any], enqueue: Callable[[str], None]
) -> Pack:
    """A queued pack of the year's reports (optionally one unit, KPI, period), its build sent
    to `enqueue` before the commit: a broker that is down leaves no pack row behind."""
    _check_scope(principal, ask.get("unit"))
    pack = Pack(
        id=str(uuid.uuid4()),
        year=ask["year"],
        unit=ask.get("unit"),
        kpi=ask.get("kpi"),
        period=ask.get("period"),
        state=QUEUED,
        progress=0,
        files=0,
        size=0,
        requested_by=principal.username,
        requested_at=utcnow(),
    )
    session.add(pack)
    session.flush()
    enqueue(pack.id)
    return pack


@transactional
def get_pack(session: Session, principal: Principal, pack_id: str) -> Pack:
    """A pack its caller may see: their own, or any for those who see every unit."""
    pack = session.get(Pack, pack_id)
    if pack is None or not (principal.sees_all_units or pack.requested_by == principal.username):
        raise NotFound(f"No evidence pack {pack_id}.")
    if pack.state == READY and pack.expires_at and _aware(pack.expires_at) < utcnow():
        pack.state = EXPIRED
    return pack


@read_only
def list_packs(session: Session, principal: Principal) -> list[Pack]:
    query = select(Pack).order_by(Pack.requested_at.desc()).limit(50)
    if not principal.sees_all_units:
        query = query.where(Pack.requested_by == principal.username)
    return list(session.scalars(query))


@transactional
def ready_pack(session: Session, principal: Principal, pack_id: str) -> Pack:
    pack = get_pack.within(session, principal, pack_id)
    if pack.state == EXPIRED:
        raise PackGone("The pack was kept for its set time and is deleted; build it again.")
    if pack.state != READY:
        raise Conflict(f"The pack is {pack.state}, not ready to download.", {"state": [pack.state]})
    return pack


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


CHECK_CHUNK = 1024 * 1024
# A pack sent for checking may unpack to at most this many times its size (packs are stored,
# not compressed), and its zip directory may take at most this share of it.
UNPACKED_PER_BYTE, DIRECTORY_SHARE = 2, 8


def _receive(body: IO[bytes], spool: IO[bytes], most: int) -> None:
    received = 0
    while chunk := body.read(CHECK_CHUNK):
        received += len(chunk)
        if received > most:
            raise PayloadTooLarge(f"A pack sent for checking may be at most {most} bytes.")
        spool.write(chunk)
    if not received:
        raise Invalid("Send the pack's zip as the body.", {"body": ["Required."]})
    spool.seek(0)


def check_pack(
    principal: Principal, body: IO[bytes], most: int, key_set: Callable[[], dict]
) -> dict[str, Any]:
    """An auditor's verdict on a pack's zip sent to the service: the zip's structure, the
    manifest's signature against the published key set, each file's SHA-256 and the audit
    chain, each problem worded in Thai and English. The zip waits in a temporary file, read
    only under limits of its size, entries and unpacked bytes."""
    principal.require_role(AUDITOR)
    with tempfile.TemporaryFile() as spool:
        _receive(body, spool, most)
        limits = (max(most // DIRECTORY_SHARE, 1024 * 1024), most * UNPACKED_PER_BYTE)
        return verdict(examine(spool, "pack.zip", key_set(), limits))


def verdict(found: Examination) -> dict[str, Any]:
    return {
        "intact": found.intact,
        "signature": found.signature,
        "key_id": found.key_id,
        "audit": found.audit,
        "pack_id": found.about.get("pack_id"),
        "created_at": found.about.get("created_at"),
        "files": [{k: f.get(k) for k in ("path", "size", "sha256", "state")} for f in found.files],
        "problems": [
            {
                "subject": p.subject,
                "problem": p.problem,
                "text": {"th": p.text("th"), "en": p.text("en")},
            }
            for p in found.problems
        ],
    }
