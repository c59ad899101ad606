"""Tables owned by the catalogue service: years and their catalogue, units, targets, owners."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from common.db import new_base
from common.events import InboxMixin, OutboxMixin, utcnow

Base = new_base()


class Year(Base):
    """A Buddhist Era fiscal year; each year has its own copy of the catalogue."""

    __tablename__ = "years"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    status: Mapped[str] = mapped_column(String(16))
    due_days: Mapped[int] = mapped_column(Integer)
    # What a KPI due without an approved value scores in the year's scorecards.
    missing_counts_as: Mapped[float] = mapped_column(Float, default=1.0, server_default="1")
    copied_from: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Perspective(Base):
    __tablename__ = "perspectives"

    year: Mapped[int] = mapped_column(ForeignKey("years.year"), primary_key=True)
    code: Mapped[str] = mapped_column(String(8), primary_key=True)
    name_th: Mapped[str] = mapped_column(String(300))
    name_en: Mapped[str] = mapped_column(String(300))


class Csf(Base):
    """A critical success factor (ปัจจัยหลักแห่งความสำเร็จ): the number before a KPI's dot."""

    __tablename__ = "csfs"
    __table_args__ = (
        ForeignKeyConstraint(["year", "perspective"], ["perspectives.year", "perspectives.code"]),
    )

    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(8), primary_key=True)
    perspective: Mapped[str] = mapped_column(String(8))
    name_th: Mapped[str] = mapped_column(String(500))
    name_en: Mapped[str] = mapped_column(String(500))


class Kpi(Base):
    __tablename__ = "kpis"
    __table_args__ = (ForeignKeyConstraint(["year", "csf"], ["csfs.year", "csfs.code"]),)

    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(8), primary_key=True)
    csf: Mapped[str] = mapped_column(String(8))
    name_th: Mapped[str] = mapped_column(String(500))
    name_en: Mapped[str] = mapped_column(String(500))
    mandatory: Mapped[bool] = mapped_column(Boolean)
    headline: Mapped[bool] = mapped_column(Boolean)
    method: Mapped[str] = mapped_column(String(16))
    cycle: Mapped[str] = mapped_column(String(16))
    measure: Mapped[str] = mapped_column(String(16))
    applies_to: Mapped[list[str]] = mapped_column(JSON)
    counting_rule: Mapped[str | None] = mapped_column(String(64), nullable=True)
    item_fields: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    source_th: Mapped[str | None] = mapped_column(String(300), nullable=True)
    source_en: Mapped[str | None] = mapped_column(String(300), nullable=True)
    reporting_th: Mapped[str | None] = mapped_column(Text, nullable=True)
    denominator_label: Mapped[str | None] = mapped_column(String(300), nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    # Days after a period's end a report is due; None follows the year's rule.
    due_days: Mapped[int | None] = mapped_column(Integer, nullable=True)


class Unit(Base):
    """A unit of the organisation; the tree is the same in every year."""

    __tablename__ = "units"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name_th: Mapped[str] = mapped_column(String(300))
    name_en: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(16))
    parent: Mapped[str | None] = mapped_column(ForeignKey("units.code"), nullable=True)
    sample: Mapped[bool] = mapped_column(Boolean, default=False)


class Target(Base):
    """A unit's target for a KPI in a year, and what its percentage divides by."""

    __tablename__ = "targets"
    __table_args__ = (ForeignKeyConstraint(["year", "kpi"], ["kpis.year", "kpis.code"]),)

    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit: Mapped[str] = mapped_column(ForeignKey("units.code"), primary_key=True)
    kpi: Mapped[str] = mapped_column(String(8), primary_key=True)
    target: Mapped[float] = mapped_column(Float)
    denominator: Mapped[float | None] = mapped_column(Float, nullable=True)
    denominator_label: Mapped[str | None] = mapped_column(String(300), nullable=True)
    updated_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Assignment(Base):
    """Who is responsible for a unit's KPI in a year, and who collects its data (usernames)."""

    __tablename__ = "assignments"
    __table_args__ = (ForeignKeyConstraint(["year", "kpi"], ["kpis.year", "kpis.code"]),)

    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit: Mapped[str] = mapped_column(ForeignKey("units.code"), primary_key=True)
    kpi: Mapped[str] = mapped_column(String(8), primary_key=True)
    responsible: Mapped[str | None] = mapped_column(String(64), nullable=True)
    data_collector: Mapped[str | None] = mapped_column(String(64), nullable=True)
    updated_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Scoring(Base):
    """The management group's scoring of a KPI in a year; without a row the default stands."""

    __tablename__ = "scoring"
    __table_args__ = (ForeignKeyConstraint(["year", "kpi"], ["kpis.year", "kpis.code"]),)

    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    kpi: Mapped[str] = mapped_column(String(8), primary_key=True)
    direction: Mapped[str] = mapped_column(String(8))
    aggregation: Mapped[str] = mapped_column(String(16))
    rollup: Mapped[str] = mapped_column(String(16))
    weight: Mapped[float] = mapped_column(Float)
    thresholds: Mapped[list[float]] = mapped_column(JSON)
    # What the level KPIs' forms print; NULL keeps the default (scoring.default_scoring).
    milestones: Mapped[list[str] | None] = mapped_column(JSON, nullable=True)
    level_steps: Mapped[list[float] | None] = mapped_column(JSON, nullable=True)
    confirmed: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Outbox(OutboxMixin, Base):
    __tablename__ = "outbox"


class Inbox(InboxMixin, Base):
    __tablename__ = "inbox"
