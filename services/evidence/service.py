"""Use cases of evidence files: take an upload in safely, list, describe and serve files."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, BinaryIO, Protocol

import sqlalchemy.exc
from sqlalchemy import Select, exists, select
from sqlalchemy.orm import Session, aliased, sessionmaker

from common.auth import REPORTER, SERVICE, UNIT_HEAD, Principal
from common.db import read_only, unit_of_work
from common.errors import Conflict, Forbidden, Invalid, NotFound
from common.events import record_event, utcnow
from services.evidence import checks, intake, rules
from services.evidence.events import FileStored
from services.evidence.forms import readback
from services.evidence.models import EvidenceFile, Outbox

FIELDS = frozenset({"unit", "year", "kpi", "period"})
UPLOADER_ROLES = (REPORTER, UNIT_HEAD)


class StagedFile(Protocol):
    """A file on its way into the store: quarantined until promoted, gone if discarded."""

    key: str

    def attach(self, spool: BinaryIO) -> None: ...

    def grown(self, size: int) -> None: ...

    def promote(self, size: int) -> str | None: ...

    def discard(self) -> None: ...


class FileStore(Protocol):
    """The object store as the file use cases ask it (`store.ObjectStore` over S3)."""

    def stage(self, key: str, content_type: str) -> StagedFile: ...

    def purge(self, key: str, version_id: str | None) -> bool: ...

    def open_verified(self, key: str, version_id: str | None, sha256: str) -> BinaryIO: ...


def may_upload_for(principal: Principal, unit: str) -> bool:
    # Services file what they bring in themselves: the workflow keeps each import's source file.
    if principal.has_role(SERVICE):
        return True
    return any(principal.has_role_in(role, unit) for role in UPLOADER_ROLES)


def _authorize(principal: Principal, fields: dict[str, str], complete: bool) -> None:
    """Refuse bad fields (all of them once the body is read) and units the caller is not in."""
    errors = rules.field_errors(
        fields.get("unit", ""),
        fields.get("year", ""),
        fields.get("kpi", ""),
        fields.get("period", ""),
    )
    if not complete:
        errors = {name: msgs for name, msgs in errors.items() if name in fields}
    if errors:
        raise Invalid("Some fields are not valid: " + ", ".join(sorted(errors)), errors=errors)
    if "unit" in fields and not may_upload_for(principal, fields["unit"]):
        raise Forbidden("Only a reporter or unit head of that unit may upload its evidence.")


@dataclass
class _Upload(intake.Listener):
    """Connects the arriving body to quarantine in the store."""

    principal: Principal
    store: FileStore
    file_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    staging: StagedFile | None = None

    def file_started(self, fields: dict[str, str], filename: str, spool: BinaryIO) -> None:
        # Everything that can be refused before the bytes arrive is refused here: nothing of a
        # file for the wrong unit, or of a type outside the allow-list, reaches the store.
        _authorize(self.principal, fields, complete=False)
        claimed = checks.check_extension(rules.clean_filename(filename))
        self.staging = self.store.stage(f"files/{self.file_id}", rules.CONTENT_TYPES[claimed])
        self.staging.attach(spool)

    def grown(self, size: int) -> None:
        # The intake reports growth only of a file it has started.
        assert self.staging is not None
        self.staging.grown(size)


def upload_file(
    session_factory: sessionmaker[Session],
    store: FileStore,
    principal: Principal,
    stream: BinaryIO,
    boundary: bytes,
    limit: int,
    scoring_of: Callable[[int, str], dict],
) -> EvidenceFile:
    """Receive, check and store one file; a refusal at any step leaves nothing behind.

    `scoring_of(year, kpi)` gives the catalogue's scoring data a filled form is read by."""
    upload = _Upload(principal, store)
    try:
        received = intake.receive(stream, boundary, limit, upload, FIELDS)
        with received.spool:
            _authorize(principal, received.fields, complete=True)
            filename = rules.clean_filename(received.filename)
            if received.size == 0:
                raise Invalid("The file is empty.", errors={"file": ["Empty file."]})
            verdict = checks.inspect(received.spool, filename)
            extracted = None
            if verdict.kind == "docx":
                extracted = readback.read_form(received.spool, received.fields, scoring_of)
            return _record(
                session_factory, store, upload, principal, received, filename, verdict, extracted
            )
    except BaseException:
        if upload.staging is not None:
            upload.staging.discard()
        raise


VERSION_TRIES = 10


class _VersionTaken(Exception):
    """Another upload for the same report took this version number first."""


def _record(session_factory, store, upload, principal, received, filename, verdict, extracted):
    """Write the row and its event, promote the file, commit; retry if a version was taken."""
    for _ in range(VERSION_TRIES):
        try:
            return _record_once(
                session_factory, store, upload, principal, received, filename, verdict, extracted
            )
        except _VersionTaken:
            continue
    raise Conflict("Other uploads for the same report kept arriving at once; send again.")


def _record_once(
    session_factory, store, upload, principal, received, filename, verdict, extracted
) -> EvidenceFile:
    fields = received.fields
    year = int(fields["year"])
    promoted: tuple[str, str | None] | None = None
    try:
        with unit_of_work(session_factory) as session:
            previous = _latest(session, fields["unit"], year, fields["kpi"], fields["period"])
            row = EvidenceFile(
                id=upload.file_id,
                unit=fields["unit"],
                year=year,
                kpi=fields["kpi"],
                period=fields["period"],
                version=previous.version + 1 if previous else 1,
                previous_id=previous.id if previous else None,
                filename=filename,
                content_type=verdict.content_type,
                size=received.size,
                sha256=received.sha256,
                object_key=upload.staging.key,
                uploaded_by=principal.username,
                uploaded_at=utcnow(),
                extracted=extracted,
            )
            session.add(row)
            try:
                session.flush()  # the version is claimed here, before anything is promoted
            except sqlalchemy.exc.IntegrityError as exc:
                raise _VersionTaken() from exc
            row.object_version = upload.staging.promote(received.size)
            promoted = (row.object_key, row.object_version)
            record_event(session, Outbox, _stored_event(row), principal.username)
        return row
    except BaseException:
        if promoted is not None:  # promoted but not committed: no row will ever point at it
            store.purge(*promoted)
        raise


def _stored_event(row: EvidenceFile) -> FileStored:
    return FileStored(
        file_id=row.id,
        unit=row.unit,
        year=row.year,
        kpi=row.kpi,
        period=row.period,
        sha256=row.sha256,
        size=row.size,
        uploaded_by=row.uploaded_by,
        version=row.version,
        previous_id=row.previous_id,
    )


def _latest(session: Session, unit: str, year: int, kpi: str, period: str) -> EvidenceFile | None:
    return session.scalars(
        select(EvidenceFile)
        .where(
            EvidenceFile.unit == unit,
            EvidenceFile.year == year,
            EvidenceFile.kpi == kpi,
            EvidenceFile.period == period,
        )
        .order_by(EvidenceFile.version.desc())
        .limit(1)
    ).first()


def _visible(query: Select, principal: Principal) -> Select:
    if principal.sees_all_units:
        return query
    return query.where(EvidenceFile.unit.in_(sorted(principal.units)))


@read_only
def list_files(session: Session, principal: Principal, filters: dict[str, Any]) -> list:
    """Files the caller may see, newest first, narrowed by the given filters."""
    query = _visible(select(EvidenceFile), principal)
    for name in ("unit", "year", "kpi", "period"):
        if name in filters:
            query = query.where(getattr(EvidenceFile, name) == filters[name])
    if "uploader" in filters:
        query = query.where(EvidenceFile.uploaded_by == filters["uploader"])
    if "uploaded_from" in filters:
        query = query.where(EvidenceFile.uploaded_at >= _day_start(filters["uploaded_from"]))
    if "uploaded_to" in filters:
        end = _day_start(filters["uploaded_to"]) + timedelta(days=1)
        query = query.where(EvidenceFile.uploaded_at < end)
    if filters.get("latest"):
        newer = aliased(EvidenceFile)
        query = query.where(
            ~exists().where(
                newer.unit == EvidenceFile.unit,
                newer.year == EvidenceFile.year,
                newer.kpi == EvidenceFile.kpi,
                newer.period == EvidenceFile.period,
                newer.version > EvidenceFile.version,
            )
        )
    query = query.order_by(EvidenceFile.uploaded_at.desc(), EvidenceFile.id)
    return list(session.scalars(query.limit(filters["limit"]).offset(filters["offset"])))


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


@read_only
def get_file(session: Session, principal: Principal, file_id: str) -> EvidenceFile:
    """One file's metadata; 404 when it does not exist or the caller may not see it."""
    row = session.get(EvidenceFile, file_id) if _is_uuid(file_id) else None
    if row is None or not principal.may_see_unit(row.unit):
        raise NotFound("No such file.")
    return row


def open_content(
    sessions: sessionmaker[Session], store: FileStore, principal: Principal, file_id: str
) -> tuple[EvidenceFile, BinaryIO]:
    """The file's row and its exact bytes, checked against the SHA-256 taken on upload; the
    store is read once the row's transaction is closed."""
    row = get_file(sessions, principal, file_id)
    return row, store.open_verified(row.object_key, row.object_version, row.sha256)


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True
