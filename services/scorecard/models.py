"""Tables of the scorecard's read model: copies of what the catalogue and the workflow said.

Nothing here is the source of anything: every row comes from an event (or the catalogue's
snapshot of a year) and the whole model can be dropped and rebuilt from the event history.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    Index,
    Integer,
    LargeBinary,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column

from common.db import new_base
from common.events import InboxMixin, utcnow

Base = new_base()


class Unit(Base):
    __tablename__ = "units"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    parent: Mapped[str | None] = mapped_column(String(32), nullable=True, index=True)
    kind: Mapped[str] = mapped_column(String(16))
    name_th: Mapped[str] = mapped_column(String(300))
    name_en: Mapped[str] = mapped_column(String(300))


class YearCopy(Base):
    """A year whose KPIs, scoring, targets and schedule were copied from the catalogue."""

    __tablename__ = "years"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    # The catalogue changed the year's structure (or the unit tree) since its figures were
    # counted: they are served marked stale while the year counter copies and counts it again.
    stale: Mapped[bool] = mapped_column(Boolean, default=False)
    # When a year counter took the stale year to count (a claim older than its lease is
    # taken again: its counter died).
    counting_since: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    # The catalogue's setting of the year: what a KPI due without an approved value scores.
    missing_counts_as: Mapped[float] = mapped_column(Float, default=1.0, server_default="1")
    # When the year was copied and counted: the time its figures stand at.
    fetched_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Kpi(Base):
    __tablename__ = "kpis"

    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(8), primary_key=True)
    perspective: Mapped[str] = mapped_column(String(8))
    measure: Mapped[str] = mapped_column(String(16))
    method: Mapped[str] = mapped_column(String(16))
    name_th: Mapped[str] = mapped_column(String(500))
    name_en: Mapped[str] = mapped_column(String(500))


class Scoring(Base):
    __tablename__ = "scoring"

    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    kpi: Mapped[str] = mapped_column(String(8), primary_key=True)
    direction: Mapped[str] = mapped_column(String(8))
    aggregation: Mapped[str] = mapped_column(String(16))
    rollup: Mapped[str] = mapped_column(String(16))
    weight: Mapped[float] = mapped_column(Float)
    thresholds: Mapped[list[float] | None] = mapped_column(JSON, nullable=True)
    confirmed: Mapped[bool] = mapped_column(Boolean, default=False)


class Target(Base):
    __tablename__ = "targets"

    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit: Mapped[str] = mapped_column(String(32), primary_key=True)
    kpi: Mapped[str] = mapped_column(String(8), primary_key=True)
    target: Mapped[float] = mapped_column(Float)


class Report(Base):
    """The latest event of each report: its state and value facts."""

    __tablename__ = "reports"
    __table_args__ = (Index("ix_reports_slot", "year", "unit", "kpi"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    unit: Mapped[str] = mapped_column(String(32))
    kpi: Mapped[str] = mapped_column(String(8))
    period: Mapped[str] = mapped_column(String(4))
    state: Mapped[str] = mapped_column(String(16))
    value: Mapped[float | None] = mapped_column(Float, nullable=True)
    numerator: Mapped[float | None] = mapped_column(Float, nullable=True)
    denominator: Mapped[float | None] = mapped_column(Float, nullable=True)
    people: Mapped[list[str]] = mapped_column(JSON, default=list)
    # The keys it counted, for a parent to count each once across its units (2.2's [agency,
    # month]); none in the events of before they carried them: such a report counts its value.
    counted_keys: Mapped[list | None] = mapped_column(JSON, nullable=True)
    occurred_at: Mapped[str] = mapped_column(String(40))


class Share(Base):
    """One unit's own figures for a KPI over the year: approved only (`a_`) and with pending."""

    __tablename__ = "shares"

    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit: Mapped[str] = mapped_column(String(32), primary_key=True)
    kpi: Mapped[str] = mapped_column(String(8), primary_key=True)
    a_actual: Mapped[float | None] = mapped_column(Float, nullable=True)
    a_num: Mapped[float] = mapped_column(Float, default=0.0)
    a_den: Mapped[float] = mapped_column(Float, default=0.0)
    # 1 when the share is of staff and more people were counted than staff (capped at 100 %).
    a_capped: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    p_actual: Mapped[float | None] = mapped_column(Float, nullable=True)
    p_num: Mapped[float] = mapped_column(Float, default=0.0)
    p_den: Mapped[float] = mapped_column(Float, default=0.0)
    p_capped: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    approved: Mapped[int] = mapped_column(Integer, default=0)
    pending: Mapped[int] = mapped_column(Integer, default=0)
    # How the approved share moved by fiscal month: `[month, a_total, a_units, a_num, a_den,
    # approved]` for each month that moved it (what its month tallies moved by, kept to take
    # it out again when its reports change).
    months: Mapped[list[list[float]] | None] = mapped_column(JSON, nullable=True)
    # The keys its approved reports (`a_`) and those with pending counted (`CountedKey.key`):
    # a parent counts each once, in `counted_keys`; kept to take them out again.
    a_keys: Mapped[list[str] | None] = mapped_column(JSON, nullable=True)
    p_keys: Mapped[list[str] | None] = mapped_column(JSON, nullable=True)
    # The fiscal month its approved reports first counted each of its `a_keys` in (`MonthKey`).
    a_key_months: Mapped[dict[str, int] | None] = mapped_column(JSON, nullable=True)


# The KPI of the rows that add up every KPI of a unit (its reports due, approved and pending),
# so that the progress of a parent reads one row per unit below it, not one per unit and KPI.
ALL_KPIS = "*"


class Tally(Base):
    """The shares of a unit and of every unit below it, added up (what roll-ups read); the
    `ALL_KPIS` row of a unit keeps only its reports approved and pending over every KPI."""

    __tablename__ = "tallies"

    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit: Mapped[str] = mapped_column(String(32), primary_key=True)
    kpi: Mapped[str] = mapped_column(String(8), primary_key=True)
    a_total: Mapped[float] = mapped_column(Float, default=0.0)
    a_units: Mapped[int] = mapped_column(Integer, default=0)
    a_num: Mapped[float] = mapped_column(Float, default=0.0)
    a_den: Mapped[float] = mapped_column(Float, default=0.0)
    # The units below whose share of staff was capped at 100 % (what a basis says).
    a_capped: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    p_total: Mapped[float] = mapped_column(Float, default=0.0)
    p_units: Mapped[int] = mapped_column(Integer, default=0)
    p_num: Mapped[float] = mapped_column(Float, default=0.0)
    p_den: Mapped[float] = mapped_column(Float, default=0.0)
    p_capped: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    approved: Mapped[int] = mapped_column(Integer, default=0)
    pending: Mapped[int] = mapped_column(Integer, default=0)
    target_total: Mapped[float] = mapped_column(Float, default=0.0)
    target_units: Mapped[int] = mapped_column(Integer, default=0)


class CountedKey(Base):
    """A key counted once across units (2.2's [agency, month]) at a unit: how many shares of
    the unit and the units below it count it, approved (`a_shares`) and with pending
    (`p_shares`). While one does, it adds 1 to the unit's tally (`a_total`, `p_total`), which
    takes each share's keys out: one agency served by ten offices in a month counts once."""

    __tablename__ = "counted_keys"

    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit: Mapped[str] = mapped_column(String(32), primary_key=True)
    kpi: Mapped[str] = mapped_column(String(8), primary_key=True)
    # SHA-256 of the key's JSON: any agency's name fits the index.
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    a_shares: Mapped[int] = mapped_column(Integer, default=0)
    p_shares: Mapped[int] = mapped_column(Integer, default=0)


class MonthKey(Base):
    """A key counted once across units (2.2's [agency, month]) month by month: how many shares
    of a unit and the units below it first counted the key (approved) in a fiscal month. By
    the end of month m the unit counts each key once that a share counted by then, where its
    month tallies add each share's keys: its history counts an agency-month once."""

    __tablename__ = "month_keys"

    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit: Mapped[str] = mapped_column(String(32), primary_key=True)
    kpi: Mapped[str] = mapped_column(String(8), primary_key=True)
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    month: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    shares: Mapped[int] = mapped_column(Integer, default=0)


class DueCount(Base):
    """How many reports of a unit and the units below it fall due on a day, by KPI (and over
    every KPI in the `ALL_KPIS` row), and how many units must first report then."""

    __tablename__ = "due_counts"

    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit: Mapped[str] = mapped_column(String(32), primary_key=True)
    kpi: Mapped[str] = mapped_column(String(8), primary_key=True)
    due_on: Mapped[date] = mapped_column(Date, primary_key=True)
    reports: Mapped[int] = mapped_column(Integer)
    # Units whose first report of the KPI falls due on the day: summed up to a day, the units
    # that must have reported by then (a level's mean is over them; the `ALL_KPIS` row none).
    units: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class MonthTally(Base):
    """How the approved figures of a unit and every unit below it for a KPI moved in one fiscal
    month (1 = October). The figures at the end of month m are the sum of months 1..m. An
    approval counts in the month it was given (in Thailand), so that a month's figures stand
    as they stood then."""

    __tablename__ = "month_tallies"

    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit: Mapped[str] = mapped_column(String(32), primary_key=True)
    kpi: Mapped[str] = mapped_column(String(8), primary_key=True)
    month: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    a_total: Mapped[float] = mapped_column(Float, default=0.0)
    a_units: Mapped[int] = mapped_column(Integer, default=0)
    a_num: Mapped[float] = mapped_column(Float, default=0.0)
    a_den: Mapped[float] = mapped_column(Float, default=0.0)
    approved: Mapped[int] = mapped_column(Integer, default=0)


class Inbox(InboxMixin, Base):
    __tablename__ = "inbox"


class RoundReport(Base):
    """A self-assessment report asked for at an as-of date: queued, built by the service's
    worker (`round_worker`), its document kept here until it expires."""

    __tablename__ = "round_reports"
    __table_args__ = (Index("ix_round_reports_state", "state", "requested_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    unit: Mapped[str] = mapped_column(String(32))
    as_of: Mapped[date] = mapped_column(Date)
    format: Mapped[str] = mapped_column(String(8))
    state: Mapped[str] = mapped_column(String(16))
    progress: Mapped[int] = mapped_column(Integer, default=0)
    requested_by: Mapped[str] = mapped_column(String(100))
    requested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # When a worker took it: a claim older than the lease is taken again (its worker died).
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    size: Mapped[int] = mapped_column(Integer, default=0)
    content: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True, deferred=True)
    error: Mapped[str | None] = mapped_column(String(500), nullable=True)
