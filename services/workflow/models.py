"""Tables owned by the workflow service."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from common.db import new_base
from common.events import InboxMixin, OutboxMixin, utcnow

Base = new_base()


class UtcDateTime(TypeDecorator):
    """A timestamp that reads back aware in UTC on every database (SQLite drops the offset)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


def new_id() -> str:
    return str(uuid.uuid4())


class Report(Base):
    """One unit's report of one KPI for one period of a fiscal year."""

    __tablename__ = "reports"
    __table_args__ = (
        # One report per unit x KPI x period: the database refuses a second one.
        UniqueConstraint("year", "unit", "kpi", "period"),
        Index("ix_reports_unit_year", "unit", "year"),
        Index("ix_reports_kpi_year", "kpi", "year"),
        Index("ix_reports_state_year", "state", "year"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    year: Mapped[int] = mapped_column(Integer)
    kpi: Mapped[str] = mapped_column(String(16))
    unit: Mapped[str] = mapped_column(String(32))
    period: Mapped[str] = mapped_column(String(4))
    state: Mapped[str] = mapped_column(String(16))
    # What the catalogue said of the KPI when the report was last written.
    method: Mapped[str] = mapped_column(String(16))
    measure: Mapped[str] = mapped_column(String(16))
    counting_rule: Mapped[str | None] = mapped_column(String(40), nullable=True)
    value: Mapped[float | None] = mapped_column(Float, nullable=True)
    value_source: Mapped[str | None] = mapped_column(String(16), nullable=True)
    value_basis: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    items: Mapped[list] = mapped_column(JSON, default=list)
    # [{id, sha256, filename, level}] as the evidence service described each file.
    evidence: Mapped[list] = mapped_column(JSON, default=list)
    note: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(Integer)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    approved_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    # The data and evidence hashes as approved; set on approval, cleared by a reopen.
    frozen: Mapped[dict | None] = mapped_column(JSON, nullable=True)

    # Every UPDATE checks and bumps the version: of two concurrent writers one wins.
    __mapper_args__ = {"version_id_col": version}

    @property
    def evidence_ids(self) -> list:
        return [e["id"] for e in self.evidence or []]


class AuditEntry(Base):
    """One change, chained to the entry before it by hash. Rows are never updated or deleted."""

    __tablename__ = "audit_entries"
    __table_args__ = (Index("ix_audit_entries_subject", "subject_id", "seq"),)

    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    subject: Mapped[str] = mapped_column(String(16))
    subject_id: Mapped[str] = mapped_column(String(36))
    actor: Mapped[str] = mapped_column(String(64))
    on_behalf_of: Mapped[str | None] = mapped_column(String(64), nullable=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    action: Mapped[str] = mapped_column(String(32))
    changes: Mapped[dict] = mapped_column(JSON)
    comment: Mapped[str] = mapped_column(Text, default="")
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditHead(Base):
    """The last entry of the trail; its row lock serialises appends."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(BigInteger)
    hash: Mapped[str] = mapped_column(String(64))


class Delegation(Base):
    """A unit head or reviewer names a stand-in who acts with their rights for a date range."""

    __tablename__ = "delegations"
    __table_args__ = (Index("ix_delegations_delegate", "delegate", "ends_on"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    delegator: Mapped[str] = mapped_column(String(64))
    delegate: Mapped[str] = mapped_column(String(64))
    unit: Mapped[str] = mapped_column(String(32))
    role: Mapped[str] = mapped_column(String(32))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    revoked_by: Mapped[str | None] = mapped_column(String(64), nullable=True)


# --- what the workflow keeps of the catalogue, to join reports with in one query -----------


class CatalogueGeneration(Base):
    """Bumped by every announced change to years, KPIs or units: older copies are stale."""

    __tablename__ = "catalogue_generation"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    generation: Mapped[int] = mapped_column(BigInteger)


class ScheduleCopy(Base):
    """The year's schedule is copied, as of `generation` of the catalogue."""

    __tablename__ = "schedule_copies"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    generation: Mapped[int] = mapped_column(BigInteger)
    fetched_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class ScheduleSlot(Base):
    """A period a unit reports a KPI in, and when it is due, as the catalogue schedules it."""

    __tablename__ = "schedule_slots"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    unit: Mapped[str] = mapped_column(String(32), primary_key=True)
    kpi: Mapped[str] = mapped_column(String(16), primary_key=True)
    period: Mapped[str] = mapped_column(String(4), primary_key=True)
    # The catalogue's order: by unit, KPI number, then period.
    position: Mapped[int] = mapped_column(Integer)
    due_on: Mapped[date] = mapped_column(Date)
    optional: Mapped[bool] = mapped_column(Boolean, default=False)


class UnitCopy(Base):
    """A unit and the region it rolls up to (copied with the schedule)."""

    __tablename__ = "unit_copies"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    region: Mapped[str | None] = mapped_column(String(32), nullable=True)


class Outbox(OutboxMixin, Base):
    __tablename__ = "outbox"


class Inbox(InboxMixin, Base):
    __tablename__ = "inbox"
