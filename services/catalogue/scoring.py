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
  KPI and achievement (per cent of target) for any other. One convention, OPDC's usual one:
  the target scores 3 (the defaults: achievement 80/90/100/110/120 %; levels 1..5 around the
  usual target level 3), provisional until confirmed.
- The feed KPIs keep their source figures: 3.1's monthly saved and budget add up over the
  year and up the tree (`ratio`: Σ saved / Σ budget); 5.1's planned and disbursed are the
  year so far (the expenditure file's plan grows month by month), so a unit's year is its
  latest month and units add up as Σ disbursed / Σ planned.
- How a level KPI's form tells its level 1..5: `milestones`, five steps a unit ticks (7.1,
  9.3), or `level_steps`, five values of the weighted average % cycle-time reduction its form
  computes (4.1). These are what the forms print; neither is scored by the thresholds, which
  score the level itself.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

DIRECTIONS = ("up", "down")
AGGREGATIONS = ("sum", "distinct", "latest", "ratio")
ROLLUPS = ("sum", "mean", "ratio")
LEVEL_THRESHOLDS = [1.0, 2.0, 3.0, 4.0, 5.0]
ACHIEVEMENT_THRESHOLDS = [80.0, 90.0, 100.0, 110.0, 120.0]
MAX_WEIGHT = 100.0
MAX_SCORE = 5.0

# KPIs whose count is of wrongdoing: fewer is better.
_DOWN = frozenset({"10.3", "11.1"})
# Percentages that already hold the year so far (the feeds) or are measured once a year.
_LATEST_PERCENT = frozenset({"1.1", "3.1", "5.1", "8.1", "13.1"})
# Feeds whose source figures add up, up the tree (Σ/Σ) and, for 3.1, over the year's months.
_FIGURES_ADD_UP = {"3.1": ("ratio", "ratio"), "5.1": ("latest", "ratio")}
_DISTINCT_PEOPLE = frozenset({"person_once_per_activity"})

# The seed names the three "level of success" KPIs but not their steps. These defaults are the
# steps of OPDC's 5-level milestone scale; level n needs steps 1..n done.
DEFAULT_MILESTONES: dict[str, tuple[str, ...]] = {
    "7.1": (
        "วิเคราะห์ความต้องการของผู้รับบริการ และจัดทำแผนปรับปรุงแก้ไขบริการ",
        "แผนปรับปรุงแก้ไขบริการได้รับความเห็นชอบจากผู้บริหาร และแจ้งผู้เกี่ยวข้องทราบ",
        "ดำเนินการตามแผนได้ไม่น้อยกว่าร้อยละ 50 ของกิจกรรมในแผน",
        "ดำเนินการตามแผนได้ครบทุกกิจกรรม",
        "ติดตามประเมินผลการปรับปรุงบริการ และรายงานผลต่อผู้บริหาร",
    ),
    "9.3": (
        "แต่งตั้งคณะทำงานการจัดการความรู้ และกำหนดองค์ความรู้ที่จำเป็นต่อภารกิจ",
        "จัดทำแผนการจัดการความรู้ของหน่วยงาน",
        "ดำเนินการตามแผนการจัดการความรู้ได้ครบถ้วน",
        "แลกเปลี่ยนเรียนรู้ และจัดเก็บองค์ความรู้อย่างเป็นระบบ",
        "นำองค์ความรู้ไปใช้ปรับปรุงการปฏิบัติงาน และประเมินผล",
    ),
}
# 4.1's form computes the weighted reduction from its table of processes: level n from 10n %.
DEFAULT_LEVEL_STEPS: dict[str, tuple[float, ...]] = {"4.1": (10.0, 20.0, 30.0, 40.0, 50.0)}
MAX_MILESTONE = 500


def default_scoring(
    code: str, measure: str, method: str, counting_rule: str | None
) -> dict[str, Any]:
    """The provisional scoring of a KPI before the management group sets its own."""
    if measure == "level":
        aggregation, rollup = "latest", "mean"
    elif code in _FIGURES_ADD_UP:
        aggregation, rollup = _FIGURES_ADD_UP[code]
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
        # `none` exempts only regional and provincial offices: the department's bureaus report
        # those KPIs (1.2, 9.1 and 9.2 are mandatory), so they weigh in its scorecard.
        "weight": 1.0,
        "thresholds": list(LEVEL_THRESHOLDS if measure == "level" else ACHIEVEMENT_THRESHOLDS),
        "thresholds_on": thresholds_on(measure),
        "milestones": _listed(DEFAULT_MILESTONES.get(code)),
        "level_steps": _listed(DEFAULT_LEVEL_STEPS.get(code)),
        "confirmed": False,
    }


def missing_counts_as_problem(score: float) -> str | None:
    """What is wrong with a year's "missing counts as": the score a KPI due without an
    approved value enters the weighted scores at (by default 1.0, the lowest, so that silence
    never beats a weak result)."""
    if not 0 <= score <= MAX_SCORE:
        return f"A score from 0 to {MAX_SCORE:g}."
    return None


def _listed(values: Sequence[Any] | None) -> list[Any] | None:
    return None if values is None else list(values)


def levels_by(code: str, measure: str) -> str | None:
    """How a KPI's form tells its level: `level_steps`, `milestones`, or None (not a level)."""
    if measure != "level":
        return None
    return "level_steps" if code in DEFAULT_LEVEL_STEPS else "milestones"


def thresholds_on(measure: str) -> str:
    return "level" if measure == "level" else "achievement"


def scoring_problems(body: Mapping[str, Any], code: str, measure: str) -> dict[str, list[str]]:
    """What is wrong with KPI `code`'s scoring data, by field (the schema checked the types)."""
    problems: dict[str, list[str]] = {}
    for name, what in (("thresholds", "threshold"), ("level_steps", "step")):
        values: Sequence[float] | None = body.get(name)
        if values is None:
            continue
        if len(values) != 5:
            problems[name] = [f"Five {what}s, one for each of 1 to 5."]
        elif any(b <= a for a, b in zip(values, values[1:], strict=False)):
            problems[name] = [f"Each {what} must be above the one before it."]
    levels = levels_by(code, measure)
    for name in ("milestones", "level_steps"):
        if body.get(name) is not None and levels != name:
            told = f"its level is told by {levels}" if levels else "it is not a level"
            problems.setdefault(name, []).append(f"KPI {code} has no {name}: {told}.")
    weight = body.get("weight")
    if weight is not None and not 0 <= weight <= MAX_WEIGHT:
        problems["weight"] = [f"From 0 to {MAX_WEIGHT:g}."]
    return problems
