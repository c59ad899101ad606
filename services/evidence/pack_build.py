"""Building an evidence pack: the chosen reports' files in a zip with a signed manifest.

Reports, their approval history, their audit entries and the chain's state come from the
workflow over HTTP (on the evidence service's own account); the files from this service's
store, each re-hashed as it is copied (an import source, which holds every unit's rows, as
the rows of the pack's reports when the pack is of one unit: `pack_extract`). The zip is
written to a temporary file in 64 KB chunks and sent to the object store from there, so
memory stays flat whatever the size.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import structlog
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from common.clients import ServiceClient
from common.db import unit_of_work
from common.events import record_event, utcnow
from services.evidence.events import PackFinished
from services.evidence.models import EvidenceFile, Outbox, Pack
from services.evidence.pack_extract import (
    WHOLE,
    WITHHELD,
    Share,
    extract,
    extract_entry,
    extract_path,
    shares_of,
    withheld_entry,
)
from services.evidence.pack_index import write_index
from services.evidence.packs import BUILDING, EXPIRED, FAILED, QUEUED, READY, PackPolicy
from services.evidence.signing import PackSigner
from services.evidence.store import ObjectStore

log = structlog.get_logger("rbm.evidence.packs")
FORMAT = "rbm-evidence-pack/1"
KEY_SET = "jwks.json"
PAGE = 1000
# How the workflow hashes an audit entry (its published rule, repeated here for the reader).
AUDIT_HASH_RULE = (
    "sha256 of the JSON (sorted keys, no spaces, UTF-8) of {seq, subject, subject_id, actor, "
    "on_behalf_of, at (UTC, microseconds), action, changes, comment, prev_hash}"
)


@dataclass(frozen=True)
class PackContext:
    factory: sessionmaker[Session]
    store: ObjectStore
    workflow: ServiceClient
    signer: PackSigner
    policy: PackPolicy


def canonical(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, indent=1).encode()


def seal(zf: zipfile.ZipFile, manifest: dict[str, Any], signer: PackSigner, pack_id: str) -> None:
    """Close a pack's zip with its manifest, the manifest's signature and the signing key,
    which the manifest lists (`key_set`) like any file of the pack."""
    keys = canonical({"keys": [signer.jwk]})
    key_set = {"path": KEY_SET, "size": len(keys), "sha256": hashlib.sha256(keys).hexdigest()}
    body = canonical({**manifest, "key_set": key_set})
    zf.writestr("manifest.json", body)
    zf.writestr("manifest.jws", signer.sign(body, {"pack_id": pack_id}))
    zf.writestr(KEY_SET, keys)


def _scope(pack: Pack) -> dict[str, Any]:
    return {k: v for k in ("year", "unit", "kpi", "period") if (v := getattr(pack, k)) is not None}


def _reports(workflow: ServiceClient, scope: dict[str, Any]) -> list[dict]:
    found: list[dict] = []
    while True:
        page = workflow.get("/reports", **scope, limit=PAGE, offset=len(found))
        found += page
        if len(page) < PAGE:
            return found


def _history(workflow: ServiceClient, report: dict) -> dict:
    full = workflow.get(f"/reports/{report['id']}")
    return {
        k: full.get(k)
        for k in (
            "id", "year", "unit", "kpi", "period", "state", "value", "value_source",
            "value_basis", "items", "evidence_ids", "note", "version", "created_by",
            "submitted_at", "approved_at", "frozen", "history",
        )
    }  # fmt: skip


def _change(session: Session, pack_id: str, changes: dict[str, Any]) -> Pack:
    pack = session.get_one(Pack, pack_id)
    for name, value in changes.items():
        setattr(pack, name, value)
    return pack


def _progress(factory: sessionmaker[Session], pack_id: str, **changes: Any) -> None:
    with unit_of_work(factory) as session:
        _change(session, pack_id, changes)


def _finish(factory: sessionmaker[Session], pack_id: str, **changes: Any) -> None:
    """The pack's last state, and the event that tells its taker, in one transaction."""
    with unit_of_work(factory) as session:
        pack = _change(session, pack_id, changes)
        finished = PackFinished(
            pack_id=pack.id,
            requested_by=pack.requested_by,
            state=pack.state,
            year=pack.year,
            unit=pack.unit,
            kpi=pack.kpi,
            period=pack.period,
        )
        record_event(session, Outbox, finished, pack.requested_by)


def _path(row: EvidenceFile) -> str:
    return f"files/{row.unit}/{row.kpi}/{row.period}/v{row.version}-{row.filename}"


def _entry(row: EvidenceFile, path: str, report_id: str) -> dict[str, Any]:
    return {
        "path": path,
        "size": row.size,
        "sha256": row.sha256,
        "unit": row.unit,
        "kpi": row.kpi,
        "period": row.period,
        "year": row.year,
        "report_id": report_id,
        "file_id": row.id,
        "filename": row.filename,
        "content_type": row.content_type,
        "uploaded_by": row.uploaded_by,
        "uploaded_at": row.uploaded_at.astimezone(UTC).isoformat()
        if row.uploaded_at.tzinfo
        else row.uploaded_at.replace(tzinfo=UTC).isoformat(),
    }


def _write_whole(ctx: PackContext, zf: zipfile.ZipFile, share: Share) -> dict[str, Any]:
    row = share.row
    path = _path(row)
    with zf.open(path, "w", force_zip64=row.size > 2**31) as out:
        ctx.store.copy_verified(row.object_key, row.object_version, row.sha256, out)
    return _entry(row, path, share.report["id"])


def _write_extract(ctx: PackContext, zf: zipfile.ZipFile, share: Share) -> dict[str, Any]:
    row = share.row
    with tempfile.TemporaryFile() as source:
        ctx.store.copy_verified(row.object_key, row.object_version, row.sha256, source)
        source.seek(0)
        data = extract(source, row.filename, {share.source_line})
    path = extract_path(share)
    zf.writestr(path, data)
    return extract_entry(share, path, data)


def _share_path(share: Share) -> str:
    return _path(share.row) if share.how == WHOLE else extract_path(share)


def _write_files(
    ctx: PackContext,
    zf: zipfile.ZipFile,
    shares: list[Share],
    tick: Callable[[int], None],
) -> tuple[list[dict], list[dict]]:
    """The files written (whole or extracted) and those left out, as the manifest lists them."""
    listed, withheld = [], []
    for done, share in enumerate(shares, start=1):
        if share.how == WITHHELD:
            withheld.append(withheld_entry(share))
        else:
            write = _write_whole if share.how == WHOLE else _write_extract
            listed.append(write(ctx, zf, share))
        tick(done)
    return listed, withheld


def _shares(ctx: PackContext, reports: list[dict], pack_unit: str | None) -> list[Share]:
    pairs = [(fid, r) for r in reports for fid in r.get("evidence_ids") or []]
    with unit_of_work(ctx.factory) as session:
        query = select(EvidenceFile).where(EvidenceFile.id.in_({fid for fid, _ in pairs}))
        found = {row.id: row for row in session.scalars(query)}
    known = [(found[fid], report) for fid, report in pairs if fid in found]
    return sorted(shares_of(known, pack_unit), key=_share_path)


MISSING = "missing"


def _claim(factory: sessionmaker[Session], pack_id: str) -> dict[str, Any] | str:
    with unit_of_work(factory) as session:
        pack = session.get(Pack, pack_id)
        if pack is None:
            return MISSING  # the task can outrun the commit of the request that queued it
        if pack.state not in (QUEUED, BUILDING):
            return "skipped"  # a copy of the task redelivered after the pack was finished
        pack.state = BUILDING
        return {"scope": _scope(pack), "requested_by": pack.requested_by}


def build(ctx: PackContext, pack_id: str) -> str:
    """Build one pack; its row ends `ready` with the zip in the store, or `failed` with why."""
    claimed = _claim(ctx.factory, pack_id)
    if isinstance(claimed, str):
        return claimed
    try:
        _build(ctx, pack_id, claimed["scope"], claimed["requested_by"])
    except Exception as exc:  # noqa: BLE001 - any failure is the pack's state, told to its owner
        log.warning("pack_failed", pack_id=pack_id, error=str(exc))
        _finish(ctx.factory, pack_id, state=FAILED, error=str(exc)[:500], finished_at=utcnow())
        return FAILED
    return READY


def _build(ctx: PackContext, pack_id: str, scope: dict[str, Any], requested_by: str) -> None:
    reports = [_history(ctx.workflow, r) for r in _reports(ctx.workflow, scope)]
    audit = sorted(
        (e for r in reports for e in ctx.workflow.get(f"/reports/{r['id']}/audit")),
        key=lambda e: e["seq"],
    )
    chain = ctx.workflow.get("/audit/verify")
    shares = _shares(ctx, reports, scope.get("unit"))
    total = max(len(shares), 1)
    created = utcnow().isoformat()
    with tempfile.TemporaryFile() as spool:
        with zipfile.ZipFile(spool, "w", zipfile.ZIP_STORED, allowZip64=True) as zf:
            files, withheld = _write_files(
                ctx,
                zf,
                shares,
                lambda done: _progress(ctx.factory, pack_id, progress=int(90 * done / total)),
            )
            about = {
                "pack_id": pack_id,
                "created_at": created,
                "requested_by": requested_by,
                "scope": scope,
            }
            manifest = {
                "format": FORMAT,
                **about,
                "files": files,
                "index": write_index(zf, reports, files, about),
                "withheld": withheld,
                "reports": reports,
                "audit": {"hash_rule": AUDIT_HASH_RULE, "entries": audit, "chain": chain},
            }
            seal(zf, manifest, ctx.signer, pack_id)
        size = spool.tell()
        spool.seek(0)
        expires = utcnow() + ctx.policy.keep
        key = f"packs/{pack_id}.zip"
        version = ctx.store.put_stream(key, spool, size, "application/zip", retain_until=expires)
    _finish(
        ctx.factory,
        pack_id,
        state=READY,
        progress=100,
        files=len(files),
        size=size,
        object_key=key,
        object_version=version,
        finished_at=datetime.now(UTC),
        expires_at=expires,
    )
    log.info("pack_ready", pack_id=pack_id, files=len(files), size=size)


def expire(ctx: PackContext) -> int:
    """Delete the zips of packs past their time from the store and mark those packs expired;
    a zip the store keeps stays listed, for the next sweep. Returns how many zips went."""
    deleted = 0
    with unit_of_work(ctx.factory) as session:
        due = session.scalars(
            select(Pack)
            # A pack read after its time already says expired (packs.get_pack); its zip is
            # still there until this sweep clears object_key.
            .where(
                Pack.state.in_((READY, EXPIRED)),
                Pack.object_key.is_not(None),
                Pack.expires_at < utcnow(),
            )
            .with_for_update(skip_locked=True)  # two sweeps at once take different packs
        )
        for pack in due:
            if not ctx.store.purge(pack.object_key, pack.object_version):
                continue
            pack.state, pack.object_key, pack.object_version = EXPIRED, None, None
            deleted += 1
    if deleted:
        log.info("packs_expired", count=deleted)
    return deleted
