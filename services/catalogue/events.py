"""Events the catalogue publishes: each carries the ids and the new values, never a diff."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from common.events import Event


@dataclass(frozen=True)
class YearOpened(Event):
    """A year was created (by copying another year's catalogue, or the seed of 2547)."""

    routing_key = "catalogue.year.opened"

    year: int
    status: str
    starts_on: str
    ends_on: str
    due_days: int
    copied_from: int | None
    kpis: list[str]


@dataclass(frozen=True)
class YearChanged(Event):
    routing_key = "catalogue.year.changed"

    year: int
    status: str
    previous_status: str
    starts_on: str
    ends_on: str
    due_days: int
    missing_counts_as: float = 1.0


@dataclass(frozen=True)
class CsfChanged(Event):
    routing_key = "catalogue.csf.changed"

    year: int
    code: str
    perspective: str
    name_th: str
    name_en: str
    created: bool


@dataclass(frozen=True)
class KpiChanged(Event):
    routing_key = "catalogue.kpi.changed"

    year: int
    code: str
    created: bool
    csf: str
    perspective: str
    name_th: str
    name_en: str
    mandatory: bool
    headline: bool
    method: str
    cycle: str
    measure: str
    applies_to: list[str]
    counting_rule: str | None
    item_fields: list[dict[str, Any]]
    source_th: str | None
    source_en: str | None
    reporting_th: str | None
    denominator_label: str | None
    note: str | None
    due_days: int | None


@dataclass(frozen=True)
class UnitChanged(Event):
    routing_key = "catalogue.unit.changed"

    code: str
    name_th: str
    name_en: str
    kind: str
    parent: str | None
    sample: bool
    created: bool


@dataclass(frozen=True)
class TargetChanged(Event):
    routing_key = "catalogue.target.changed"

    year: int
    unit: str
    kpi: str
    target: float
    denominator: float | None
    denominator_label: str | None


@dataclass(frozen=True)
class AssignmentChanged(Event):
    routing_key = "catalogue.assignment.changed"

    year: int
    unit: str
    kpi: str
    responsible: str | None
    data_collector: str | None


@dataclass(frozen=True)
class ScoringChanged(Event):
    """A KPI's scoring in a year was set: the new data, what it was before, and by whom.

    `milestones` (7.1, 9.3) and `level_steps` (4.1) are what the KPI's form prints for levels
    1..5; None for a KPI that has none.
    """

    routing_key = "catalogue.scoring.changed"

    year: int
    kpi: str
    direction: str
    aggregation: str
    rollup: str
    weight: float
    thresholds: list[float]
    thresholds_on: str
    milestones: list[str] | None
    level_steps: list[float] | None
    confirmed: bool
    previous: dict[str, Any]
