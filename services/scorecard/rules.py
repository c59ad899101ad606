"""Pure rules of the scorecard: a unit's actual over the year, roll-ups, achievement, status,
the 1-5 score and weighted scores. Nothing here touches a database or a request.

A unit's year is added up by its KPI's `aggregation`; units add up to their parent by its
`rollup`. Each unit hands its parent a `Share`: its actual, and the numerator and denominator
that actual was reached from, so that a parent's ratio is summed numerators over summed
denominators (a share of all the staff below, not a mean of shares).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from common.fiscal import PERIODS, fiscal_year_dates

PERIOD_ORDER = {p: n for n, p in enumerate(PERIODS)}
STATUSES = ("met", "on_track", "at_risk", "not_met", "no_data")
# Below this share of what the elapsed part of the year expects, a KPI is at risk of missing.
ON_TRACK_SHARE = 1.0


@dataclass(frozen=True)
class Value:
    """One report's value facts, as its events carry them."""

    period: str
    value: float | None
    numerator: float | None = None
    denominator: float | None = None
    people: tuple[str, ...] = ()


@dataclass(frozen=True)
class Share:
    """What one unit adds to its parent for one KPI: its actual and what it was reached from."""

    actual: float | None
    numerator: float = 0.0
    denominator: float = 0.0

    @property
    def has_value(self) -> bool:
        return self.actual is not None


NO_SHARE = Share(None)


def _ratio(numerator: float, denominator: float) -> float | None:
    return round(100 * numerator / denominator, 4) if denominator > 0 else None


def unit_share(aggregation: str, measure: str, values: Iterable[Value]) -> Share:
    """A unit's actual over the year from its reports' values, by the KPI's aggregation."""
    values = sorted(
        (v for v in values if v.value is not None), key=lambda v: PERIOD_ORDER[v.period]
    )
    if not values:
        return NO_SHARE
    latest_denominator = (
        next((v.denominator for v in reversed(values) if v.denominator), 0.0) or 0.0
    )
    numerators = sum(v.numerator or 0.0 for v in values)
    if aggregation == "latest":
        last = values[-1]
        return Share(last.value, last.numerator or 0.0, last.denominator or 0.0)
    if aggregation == "ratio":
        denominators = sum(v.denominator or 0.0 for v in values)
        return Share(_ratio(numerators, denominators), numerators, denominators)
    if aggregation == "distinct":
        people = len({p for v in values for p in v.people})
        if measure == "percent":
            return Share(_ratio(people, latest_denominator), people, latest_denominator)
        return Share(float(people), people, 0.0)
    total = sum(v.value or 0.0 for v in values)
    return Share(total, numerators, latest_denominator)


@dataclass(frozen=True)
class Tally:
    """The shares of a unit and every unit below it, added up: what any roll-up needs."""

    total: float = 0.0
    units: int = 0
    numerator: float = 0.0
    denominator: float = 0.0

    def plus(self, share: Share, sign: int = 1) -> Tally:
        if not share.has_value:
            return self
        return Tally(
            self.total + sign * (share.actual or 0.0),
            self.units + sign,
            self.numerator + sign * share.numerator,
            self.denominator + sign * share.denominator,
        )


def rolled_up(rollup: str, tally: Tally) -> float | None:
    """A parent's actual from the tally of the units below it (itself included)."""
    if tally.units <= 0:
        return None
    if rollup == "ratio":
        return _ratio(tally.numerator, tally.denominator)
    if rollup == "mean":
        return round(tally.total / tally.units, 4)
    return round(tally.total, 4)


def rolled_up_target(rollup: str, total: float, count: int) -> float | None:
    """A parent's target without one of its own: its units' targets summed, or their mean."""
    if count <= 0:
        return None
    return round(total if rollup == "sum" else total / count, 4)


def achievement(direction: str, actual: float | None, target: float | None) -> float | None:
    """actual / target x 100 (target / actual x 100 when lower is better); None without both."""
    if actual is None or not target:
        return None
    if direction == "down":
        return round(100 * target / actual, 2) if actual > 0 else None
    return round(100 * actual / target, 2)


def elapsed_share(year: int, as_of: date) -> float:
    """How much of the fiscal year has passed on `as_of`, from 0 to 1."""
    starts, ends = fiscal_year_dates(year)
    if as_of <= starts:
        return 0.0
    if as_of >= ends:
        return 1.0
    return (as_of - starts).days / ((ends - starts).days + 1)


def status(
    achieved: float | None, aggregation: str, year: int, as_of: date, direction: str = "up"
) -> str:
    """met | on_track | at_risk | not_met | no_data, taking the elapsed part of the year in.

    A total that grows over the year (`sum`, `distinct`) is on track when it has reached the
    elapsed share of its target; a level or share (`latest`, `ratio`) must reach the target
    itself. Once the year is over, what is not met is `not_met`.
    """
    if achieved is None:
        return "no_data"
    if achieved >= 100:
        return "met"
    elapsed = elapsed_share(year, as_of)
    if elapsed >= 1.0:
        return "not_met"
    grows = aggregation in ("sum", "distinct") and direction == "up"
    expected = 100 * elapsed if grows else 100.0
    return "on_track" if achieved >= ON_TRACK_SHARE * expected else "at_risk"


def score(measured: float | None, thresholds: Sequence[float] | None) -> float | None:
    """1.0-5.0, linear between the five thresholds; 1.0 below the first, 5.0 past the fifth."""
    if measured is None or not thresholds or len(thresholds) != 5:
        return None
    if measured <= thresholds[0]:
        return 1.0
    for level, (low, high) in enumerate(zip(thresholds, thresholds[1:], strict=False), start=1):
        if measured < high:
            return round(level + (measured - low) / (high - low), 4)
    return 5.0


def weighted(scores: Iterable[tuple[float | None, float]]) -> tuple[float | None, float]:
    """The weighted mean of the scores that exist, and the weight they carry."""
    pairs = [(s, w) for s, w in scores if s is not None and w > 0]
    weight = sum(w for _, w in pairs)
    if not weight:
        return None, 0.0
    return round(sum(s * w for s, w in pairs) / weight, 4), weight
