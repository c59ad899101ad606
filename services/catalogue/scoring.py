"""Pure rules of a KPI's scoring data: how its results add up and how they score.

The seed gives no criteria, weights or scores: what is seeded here is a provisional default
until the management group confirms it for the year.

- `direction`: `up` when more is better, `down` when less is (10.3, 11.1 count wrongdoing).
- `aggregation`, how a unit's periods add up over the year: `sum` of the periods' values,
  `distinct` people over the year (a person counted in both halves counts once), `latest`
  value (levels and cumulative percentages), `ratio` of summed numerators to summed
  denominators.
- `rollup`, how units add up to their parent: `sum`, `mean` of the units with a value, or
  `ratio` (summed numerators over summed denominators: a share of all the staff below).
- `thresholds` [t1..t5]: the values at which the score is 1..5. They are levels for a level
  KPI and achievement (per cent of target) for any other.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

DIRECTIONS = ("up", "down")
AGGREGATIONS = ("sum", "distinct", "latest", "ratio")
ROLLUPS = ("sum", "mean", "ratio")
LEVEL_THRESHOLDS = [1.0, 2.0, 3.0, 4.0, 5.0]
ACHIEVEMENT_THRESHOLDS = [60.0, 70.0, 80.0, 90.0, 100.0]
MAX_WEIGHT = 100.0

# KPIs whose count is of wrongdoing: fewer is better.
_DOWN = frozenset({"10.3", "11.1"})
# Percentages that already hold the year so far (the feeds) or are measured once a year.
_LATEST_PERCENT = frozenset({"1.1", "3.1", "5.1", "8.1", "13.1"})
_DISTINCT_PEOPLE = frozenset({"person_once_per_activity"})


def default_scoring(
    code: str, measure: str, method: str, counting_rule: str | None
) -> dict[str, Any]:
    """The provisional scoring of a KPI before the management group sets its own."""
    if measure == "level":
        aggregation, rollup = "latest", "mean"
    elif counting_rule in _DISTINCT_PEOPLE:
        aggregation, rollup = "distinct", "ratio"
    elif measure == "percent" and code in _LATEST_PERCENT:
        aggregation, rollup = "latest", "mean"
    elif measure == "percent":
        aggregation, rollup = "sum", "ratio"
    else:
        aggregation, rollup = "sum", "sum"
    return {
        "direction": "down" if code in _DOWN else "up",
        "aggregation": aggregation,
        "rollup": rollup,
        "weight": 0.0 if method == "none" else 1.0,
        "thresholds": list(LEVEL_THRESHOLDS if measure == "level" else ACHIEVEMENT_THRESHOLDS),
        "thresholds_on": thresholds_on(measure),
        "confirmed": False,
    }


def thresholds_on(measure: str) -> str:
    return "level" if measure == "level" else "achievement"


def scoring_problems(body: Mapping[str, Any]) -> dict[str, list[str]]:
    """What is wrong with scoring data, by field (the schema has checked the types)."""
    problems: dict[str, list[str]] = {}
    thresholds: Sequence[float] | None = body.get("thresholds")
    if thresholds is not None:
        if len(thresholds) != 5:
            problems["thresholds"] = ["Five thresholds, one for each score 1 to 5."]
        elif any(b <= a for a, b in zip(thresholds, thresholds[1:], strict=False)):
            problems["thresholds"] = ["Each threshold must be above the one before it."]
    weight = body.get("weight")
    if weight is not None and not 0 <= weight <= MAX_WEIGHT:
        problems["weight"] = [f"From 0 to {MAX_WEIGHT:g}."]
    return problems
