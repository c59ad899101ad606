"""Pure rules of the scorecard: a unit's actual over the year, roll-ups, achievement, status,
the 1-5 score and weighted scores. Nothing here touches a database or a request.

A unit's year is added up by its KPI's `aggregation`; units add up to their parent by its
`rollup`. Each unit hands its parent a `Share`: its actual, and the numerator and denominator
that actual was reached from, so that a parent's ratio is summed numerators over summed
denominators (a share of all the staff below, not a mean of shares).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from common.fiscal import PERIODS, fiscal_year_dates

PERIOD_ORDER = {p: n for n, p in enumerate(PERIODS)}
STATUSES = ("met", "on_track", "at_risk", "not_met", "no_data")
# Below this share of what the elapsed part of the year expects, a KPI is at risk of missing.
ON_TRACK_SHARE = 1.0
# What a due KPI without an approved value scores (the lowest score): silence never scores
# better than a weak result. The year's catalogue may set another (`missing_counts_as`).
MISSING_COUNTS_AS = 1.0
# OPDC's usual convention, where the management group has set no thresholds: the target
# scores 3, each step of 10 % of the target a point (achievement thresholds, per cent).
ACHIEVEMENT_AROUND_TARGET = (80.0, 90.0, 100.0, 110.0, 120.0)


@dataclass(frozen=True)
class Value:
    """One report's value facts, as its events carry them."""

    period: str
    value: float | None
    numerator: float | None = None
    denominator: float | None = None
    people: tuple[str, ...] = ()
    # The keys it counted (`key_of` each), which a parent counts once across its units.
    keys: tuple[str, ...] = ()


def key_of(key: Any) -> str:
    """A counted key (2.2's [agency, month]) as units compare it: the SHA-256 of its JSON."""
    return hashlib.sha256(json.dumps(key, ensure_ascii=False).encode()).hexdigest()


def keys_counted(rollup: str, values: Iterable[Value]) -> list[str]:
    """The keys a unit's values counted, each once: a parent adding up its units (a `sum`)
    counts each once across them (2.2: one agency served by ten offices in a month is one).
    A report of before events carried keys has none, and counts its value."""
    if rollup != "sum":
        return []
    return sorted({k for v in values if v.value is not None for k in v.keys})


@dataclass(frozen=True)
class Share:
    """What one unit adds to its parent for one KPI: its actual and what it was reached from."""

    actual: float | None
    numerator: float = 0.0
    denominator: float = 0.0
    # 1 when more people were counted than the staff: the share was capped at 100 %.
    capped: int = 0

    @property
    def has_value(self) -> bool:
        return self.actual is not None


NO_SHARE = Share(None)


def _ratio(numerator: float, denominator: float) -> float | None:
    return round(100 * numerator / denominator, 4) if denominator > 0 else None


def of_staff(share: Share) -> Share:
    """A share of staff never exceeds 100 %: more people counted than the staff means the
    headcount is wrong, so the people count at most the headcount, and the share says it was
    capped (the workflow's `share_of_staff` caps a report's value the same way)."""
    if share.denominator <= 0 or share.numerator <= share.denominator:
        return share
    return Share(100.0, share.denominator, share.denominator, capped=1)


def unit_share(aggregation: str, measure: str, values: Iterable[Value]) -> Share:
    """A unit's actual over the year from its reports' values, by the KPI's aggregation; a
    percentage of people counted (10.1, 15.2) is a share of staff (`of_staff`)."""
    values = sorted(
        (v for v in values if v.value is not None), key=lambda v: PERIOD_ORDER[v.period]
    )
    if not values:
        return NO_SHARE
    share = _added_up(aggregation, measure, values)
    if measure == "percent" and any(v.people for v in values):
        return of_staff(share)
    return share


def _added_up(aggregation: str, measure: str, values: list[Value]) -> Share:
    """A unit's figures over the year by the aggregation, from its values in period order."""
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
    capped: int = 0

    def plus(self, share: Share, sign: int = 1) -> Tally:
        if not share.has_value:
            return self
        return Tally(
            self.total + sign * (share.actual or 0.0),
            self.units + sign,
            self.numerator + sign * share.numerator,
            self.denominator + sign * share.denominator,
            self.capped + sign * share.capped,
        )


def missing_units(due_units: int, reported: int) -> int:
    """Units that must have reported by now and have no approved value (those that reported
    are of the unit types that must: a unit never reports a KPI it is not due for)."""
    return max(due_units - reported, 0)


def in_the_mean(measure: str, missing: int) -> int:
    """The missing units a mean counts in: a level's (at the lowest score); a percentage's
    mean has no figure to count them as, and names them only."""
    return missing if measure == "level" else 0


def rolled_up(
    rollup: str, tally: Tally, missing: int = 0, missing_counts_as: float = MISSING_COUNTS_AS
) -> float | None:
    """A parent's actual from the tally of the units below it (itself included). A `mean` (a
    level) is over the units that must report: each missing one counts at `missing_counts_as`,
    so that one unit's level is not the parent's while the others are silent."""
    if tally.units <= 0:
        return None
    if rollup == "ratio":
        return _ratio(tally.numerator, tally.denominator)
    if rollup == "mean":
        total = tally.total + missing * missing_counts_as
        return round(total / (tally.units + missing), 4)
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


def derived_thresholds(measure: str, target: float | None) -> list[float]:
    """Thresholds around the target (OPDC's convention: the target scores 3), provisional,
    for a KPI the management group has set none for. A level's are levels: target t scores
    3, a level more or less a point; any other's are achievement, per cent of the target."""
    if measure == "level":
        middle = 3.0 if target is None else float(target)
        return [middle - 2, middle - 1, middle, middle + 1, middle + 2]
    return list(ACHIEVEMENT_AROUND_TARGET)


def counted_score(
    score_: float | None, missing: bool, missing_counts_as: float = MISSING_COUNTS_AS
) -> float | None:
    """What a KPI's score adds to the weighted scores: a missing KPI its `missing_counts_as`."""
    return missing_counts_as if missing else score_


def weighted(scores: Iterable[tuple[float | None, float]]) -> tuple[float | None, float]:
    """The weighted mean of the scores that exist, and the weight they carry (a missing KPI
    comes in at its `counted_score`, never left out)."""
    pairs = [(s, w) for s, w in scores if s is not None and w > 0]
    weight = sum(w for _, w in pairs)
    if not weight:
        return None, 0.0
    return round(sum(s * w for s, w in pairs) / weight, 4), weight


def _number(x: float) -> str:
    return f"{x:,.2f}".rstrip("0").rstrip(".")


# How a basis is written, by language: the API's `text` is English; Thai documents and pages
# write it in Thai (`basis_text`).
BASIS_WORDS: dict[str, dict[str, str]] = {
    "en": {
        "none": "no approved value",
        "ratio": "Σ {units} {numerator} / {denominator} = {actual} %",
        "mean": "mean of {units}: ({total}{silent}) / {count} = {actual}{measure}",
        "silent": " + {count} × {score}",
        "sum": "Σ {units} = {actual}{measure}",
        "keys": " ({keys} counted once across them)",
        "missing": ", {missing} missing",
        "capped": ", {capped} capped at 100 % (more people than staff)",
        "unit": "unit",
        "key": "key",
    },
    "th": {
        "none": "ยังไม่มีผลที่อนุมัติ",
        "ratio": "รวม {units} {numerator} / {denominator} = {actual} %",
        "mean": "เฉลี่ย {units}: ({total}{silent}) / {count} = {actual}{measure}",
        "silent": " + {count} × {score}",
        "sum": "รวม {units} = {actual}{measure}",
        "keys": " (รายการที่ซ้ำกันระหว่างหน่วยงานนับครั้งเดียว {keys})",
        "missing": ", ขาดผล {missing}",
        "capped": ", จำกัดไว้ที่ 100 % {capped} (จำนวนคนมากกว่าจำนวนบุคลากร)",
        "unit": "หน่วยงาน",
        "key": "รายการ",
    },
}


def _counted(n: int, word: str, language: str) -> str:
    """`2 units`, `1 unit`; Thai names a count without a plural: `2 หน่วยงาน`."""
    return f"{n} {word}" if n == 1 or language != "en" else f"{n} {word}s"


def basis_text(
    basis: dict, actual: float | None, measure: str, missing_counts_as: float, language: str
) -> str:
    """A basis (`basis`'s fields) written out in `language` ("en" or "th"), with its numbers:
    `Σ 12 units 340 / 400 = 85 %, 2 units missing`."""
    words = BASIS_WORDS[language]

    def units(n: int) -> str:
        return _counted(n, words["unit"], language)

    if actual is None:
        text = words["none"]
    else:
        # The silent units a mean counts at the missing score (its denominator counts them).
        mean = basis["formula"] == "mean"
        counted = int(round(basis["denominator"])) - basis["units"] if mean else 0
        text = words[basis["formula"]].format(
            units=units(basis["units"] + counted),
            numerator=_number(basis["numerator"]),
            denominator=_number(basis["denominator"] or 0),
            actual=_number(actual),
            measure=" %" if measure == "percent" else "",
            total=_number(basis["numerator"] - counted * missing_counts_as),
            silent=words["silent"].format(count=counted, score=_number(missing_counts_as))
            if counted
            else "",
            count=basis["units"] + counted,
        )
        if basis["formula"] == "sum" and basis["keys"] and basis["units"] > 1:
            text += words["keys"].format(keys=_counted(basis["keys"], words["key"], language))
    if basis["missing"]:
        text += words["missing"].format(missing=units(basis["missing"]))
    if basis["capped"] and actual is not None:
        text += words["capped"].format(capped=units(basis["capped"]))
    return text


def basis(
    rollup: str,
    measure: str,
    tally: Tally,
    actual: float | None,
    missing: int = 0,
    missing_counts_as: float = MISSING_COUNTS_AS,
    keys: int = 0,
) -> dict:
    """How a KPI's actual was reached, with its numbers: `{formula, numerator, denominator,
    units, missing, capped, keys, text}` (`formula` is the roll-up: `ratio`, `sum` or `mean`;
    `capped` the units whose share of staff was capped at 100 %; `keys` those counted once
    across the units, 2.2's [agency, month]; `text` all of it in English)."""
    counted = in_the_mean(measure, missing)
    numerator, denominator = tally.total, float(tally.units + counted)
    if rollup == "ratio":
        numerator, denominator = tally.numerator, tally.denominator
    elif rollup == "mean":
        numerator += counted * missing_counts_as
    found = {
        "formula": rollup,
        "numerator": None if actual is None else round(numerator, 4),
        "denominator": None if actual is None or rollup == "sum" else round(denominator, 4),
        "units": tally.units,
        "missing": missing,
        "capped": tally.capped,
        "keys": keys,
    }
    return {**found, "text": basis_text(found, actual, measure, missing_counts_as, "en")}
