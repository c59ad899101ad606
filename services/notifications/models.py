"""Tables owned by the notifications service.

People, memberships, unit names, delegations, data collectors and report states are local
copies kept from other services' events: recipients are worked out without calling anyone.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from common.db import new_base
from common.events import InboxMixin, utcnow

Base = new_base()


def new_id() -> str:
    return str(uuid.uuid4())


class Person(Base):
    """A user as identity last described them (`identity.user.changed`)."""

    __tablename__ = "people"

    username: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(36))
    display_name: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # occurred_at of the event applied last: an older event arriving late changes nothing.
    as_of: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Membership(Base):
    """A person holds a role in a unit."""

    __tablename__ = "memberships"

    username: Mapped[str] = mapped_column(String(64), primary_key=True)
    unit: Mapped[str] = mapped_column(String(32), primary_key=True)
    role: Mapped[str] = mapped_column(String(32), primary_key=True)

    __table_args__ = (Index("ix_memberships_unit_role", "unit", "role"),)


class Unit(Base):
    """A unit's name as the catalogue last announced it (`catalogue.unit.changed`)."""

    __tablename__ = "units"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name_th: Mapped[str] = mapped_column(String(300))


class Delegation(Base):
    """A stand-in acts with the delegator's role in a unit for a date range."""

    __tablename__ = "delegations"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    delegator: Mapped[str] = mapped_column(String(64))
    delegate: Mapped[str] = mapped_column(String(64))
    unit: Mapped[str] = mapped_column(String(32))
    role: Mapped[str] = mapped_column(String(32))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)

    __table_args__ = (Index("ix_delegations_delegator", "delegator", "unit", "role"),)


class Assignment(Base):
    """Who is responsible for, and who collects the data of, a KPI in a unit in a year."""

    __tablename__ = "assignments"

    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit: Mapped[str] = mapped_column(String(32), primary_key=True)
    kpi: Mapped[str] = mapped_column(String(16), primary_key=True)
    responsible: Mapped[str | None] = mapped_column(String(64), nullable=True)
    data_collector: Mapped[str | None] = mapped_column(String(64), nullable=True)
    as_of: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ReportState(Base):
    """The latest known state of a report, from `workflow.report.*` (reminders read it)."""

    __tablename__ = "report_states"

    report_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    unit: Mapped[str] = mapped_column(String(32))
    kpi: Mapped[str] = mapped_column(String(16))
    period: Mapped[str] = mapped_column(String(8))
    state: Mapped[str] = mapped_column(String(16))
    reporter: Mapped[str | None] = mapped_column(String(64), nullable=True)
    as_of: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (Index("ix_report_states_slot", "year", "unit", "kpi", "period"),)


class Notification(Base):
    """One message in one person's inbox; `source` + `recipient` is unique (no doubles)."""

    __tablename__ = "notifications"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    recipient: Mapped[str] = mapped_column(String(64))
    # The event id, or the reminder's key (stage, year, unit, KPI, period).
    source: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(32))
    report_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    link: Mapped[str] = mapped_column(String(500))
    delivery: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    digested_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)

    __table_args__ = (
        UniqueConstraint("source", "recipient"),
        Index("ix_notifications_inbox", "recipient", "created_at"),
        Index("ix_notifications_digest", "delivery", "digested_at"),
    )


class Email(Base):
    """An email to send, written in the same transaction as what it tells (an outbox)."""

    __tablename__ = "emails"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    # `n:<notification id>` or `digest:<username>:<date>`: one email per thing told.
    key: Mapped[str] = mapped_column(String(200), unique=True)
    recipient: Mapped[str] = mapped_column(String(64))
    address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    text_body: Mapped[str] = mapped_column(Text)
    html_body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    # The Celery task sending it now, and until when its claim holds.
    claimed_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    claimed_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)

    __table_args__ = (Index("ix_emails_status", "status", "next_attempt_at"),)


class Preference(Base):
    """How a person wants one kind of notification: immediate email, daily digest, in-app."""

    __tablename__ = "preferences"

    username: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), primary_key=True)
    delivery: Mapped[str] = mapped_column(String(16))


class Inbox(InboxMixin, Base):
    __tablename__ = "inbox"
