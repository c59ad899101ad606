"""Pure counting rules of the seed: the shape of each list KPI's items and how they count.

A unit never counts by hand: it lists what happened (appointments, agencies served, people
trained, awards, activities, participants) and the KPI's counting rule gives the value, saying
for every item whether it counted and, when not, why.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from common.fields import text_problem
from common.fiscal import PERIODS
from services.workflow.prd_units import is_own_unit
from services.workflow.thai_names import normalise_name, normalise_person

MAX_ITEMS = 5000
MAX_TEXT = 500
# Fields the system writes into each item; a client that sends a report back may keep them.
VERDICT_FIELDS = frozenset({"counted", "reason", "reason_code", "repeat_of", "same_as"})

# --- item shapes ---------------------------------------------------------------------------

STRING, DATE, BOOLEAN, NUMBER = "string", "date", "boolean", "number"


@dataclass(frozen=True)
class ItemField:
    name: str
    type: str = STRING
    required: bool = True


def _text(item: Mapping, name: str) -> str:
    return normalise_name(str(item.get(name, "")))


def _person(item: Mapping) -> str:
    return normalise_person(str(item.get("person", "")))


def _as_written(*names: str) -> Callable[[Mapping], str]:
    """How an item's key fields were written, to show which entries were taken as the same."""
    return lambda item: " / ".join(str(item.get(n, "")).strip() for n in names)


def _outside_agency(item: Mapping, own_units: Collection[str]) -> str | None:
    if is_own_unit(str(item.get("agency", "")), own_units):
        return "one of PRD's own units, not an outside agency"
    return None


def _outside_award(item: Mapping, own_units: Collection[str]) -> str | None:
    # The box is the writer's word; an award PRD gave itself is never an outside one.
    if is_own_unit(str(item.get("awarded_by", "")), own_units):
        return "awarded by one of PRD's own units: not an outside award, whatever the box says"
    if item.get("external") is not True:
        return "not an award from an outside body"
    return None


def _reported_activity(item: Mapping, activities: Collection[str]) -> str | None:
    if _text(item, "activity") not in activities:
        return "not one of the activities the unit reported for this period (15.1): list it there"
    return None


@dataclass(frozen=True)
class Rule:
    """A counting rule: the fields it needs, what makes two items the same, what never counts.

    `ineligible(item, known)` says why an item never counts; `known` is what the rule checks
    items against, gathered outside the report: the department's own units
    (`prd_units.own_unit_names`, no outside body) for `OUTSIDE_ONLY` rules, the activities of
    the unit's report of the same period for `ACTIVITIES_FROM` rules.
    """

    id: str
    fields: tuple[ItemField, ...]
    key: Callable[[Mapping], Hashable]
    same: str
    written: Callable[[Mapping], str]
    ineligible: Callable[[Mapping, Collection[str]], str | None] = lambda _item, _known: None
    across_year: bool = False


RULES: Mapping[str, Rule] = {
    rule.id: rule
    for rule in (
        Rule(
            "each_appointment_once",
            (ItemField("order_no"), ItemField("committee")),
            key=lambda i: (_text(i, "order_no"), _text(i, "committee")),
            same="the same appointment order and committee",
            written=_as_written("order_no", "committee"),
            across_year=True,
        ),
        Rule(
            "agency_once_per_month",
            (ItemField("agency"), ItemField("date", DATE)),
            key=lambda i: (_text(i, "agency"), str(i.get("date", ""))[:7]),
            same="the same agency in the same month",
            written=_as_written("agency"),
            ineligible=_outside_agency,
        ),
        # The id keeps its first name: reports and catalogues already carry it.
        Rule(
            "person_course_once_per_year",
            (ItemField("person"), ItemField("course"), ItemField("date", DATE)),
            key=_person,
            same="the same person",
            written=_as_written("person"),
            across_year=True,
        ),
        Rule(
            "external_awards_only",
            (
                ItemField("work"),
                ItemField("award"),
                ItemField("awarded_by"),
                ItemField("external", BOOLEAN),
            ),
            key=lambda i: _text(i, "work"),
            same="the same work",
            written=_as_written("work"),
            ineligible=_outside_award,
        ),
        Rule(
            "each_activity_once",
            (ItemField("activity"), ItemField("date", DATE)),
            key=lambda i: (_text(i, "activity"),),
            same="the same activity",
            written=_as_written("activity"),
        ),
        # 15.2 is a percentage of staff: a person counts once in the half-year, whatever the
        # number of activities, each one of the half's 15.1 activities (the id keeps its
        # first name).
        Rule(
            "person_once_per_activity",
            (ItemField("person"), ItemField("activity")),
            key=_person,
            same="the same person",
            written=_as_written("person"),
            ineligible=_reported_activity,
        ),
    )
}


# Rules whose key is a person: their events carry the people counted.
PEOPLE_RULES = frozenset({"person_course_once_per_year", "person_once_per_activity"})
# Rules that count only bodies outside the department (its own units are not counted).
OUTSIDE_ONLY = frozenset({"agency_once_per_month", "external_awards_only"})
# Rules whose items name an activity that the unit's report of the same period under the other
# rule lists (15.2's people take part in 15.1's activities).
ACTIVITIES_FROM = {"person_once_per_activity": "each_activity_once"}
# Rules whose parent counts each key once across its units (2.2: an agency served by ten
# offices in a month is one agency that month): their reports list the keys they counted.
DISTINCT_ACROSS_UNITS = frozenset({"agency_once_per_month"})


def item_fields(rule_id: str, declared: Iterable[Mapping] = ()) -> tuple[ItemField, ...]:
    """The rule's own fields, then any further fields the catalogue declares for the KPI."""
    own = RULES[rule_id].fields
    names = {f.name for f in own}
    more = tuple(
        ItemField(str(d["name"]), str(d.get("type", STRING)), bool(d.get("required", False)))
        for d in declared
        if d.get("name") not in names
    )
    return own + more


def _check_value(kind: str, value, period: tuple[date, date] | None) -> tuple[object, str | None]:
    """The stored form of one field value, or why it is not acceptable."""
    if kind == BOOLEAN:
        return (value, None) if isinstance(value, bool) else (value, "Must be true or false.")
    if kind == NUMBER:
        if isinstance(value, bool) or not isinstance(value, int | float):
            return value, "Must be a number."
        return value, None
    if not isinstance(value, str):
        return value, "Must be text."
    value = value.strip()
    if not value:
        return value, "Must not be empty."
    if kind == DATE:
        try:
            day = date.fromisoformat(value)
        except ValueError:
            return value, "Must be a date (YYYY-MM-DD)."
        if period and not period[0] <= day <= period[1]:
            return value, f"Must fall in the period ({period[0]} to {period[1]})."
        return day.isoformat(), None
    if len(value) > MAX_TEXT:
        return value, f"At most {MAX_TEXT} characters of text."
    return value, text_problem(value)


def validate_items(
    fields: Sequence[ItemField], items: object, period: tuple[date, date] | None = None
) -> tuple[list[dict], dict[str, list[str]]]:
    """Clean items and the problems by field (`items.2.date`); dates must fall in `period`."""
    if not isinstance(items, list):
        return [], {"items": ["Must be a list of objects."]}
    if len(items) > MAX_ITEMS:
        return [], {"items": [f"At most {MAX_ITEMS} items."]}
    known = {f.name: f for f in fields}
    clean: list[dict] = []
    errors: dict[str, list[str]] = {}
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            errors[f"items.{index}"] = ["Must be an object."]
            continue
        out = {}
        for name in sorted(set(item) - known.keys() - VERDICT_FIELDS):
            errors[f"items.{index}.{name}"] = [f"Unknown field; fields: {', '.join(known)}."]
        for f in fields:
            if item.get(f.name) is None:
                if f.required:
                    errors[f"items.{index}.{f.name}"] = ["Required."]
                continue
            value, problem = _check_value(f.type, item[f.name], period)
            if problem:
                errors[f"items.{index}.{f.name}"] = [problem]
            out[f.name] = value
        clean.append(out)
    return clean, errors


# --- counting ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Verdict:
    """Whether item `index` counted; when not, why (`reason`, `code`) and which it repeats.

    `same_as` is the entry, as written, that this one was taken to be the same as.
    """

    index: int
    counted: bool
    reason: str | None = None
    code: str | None = None
    repeat_of: int | None = None
    same_as: str | None = None


@dataclass(frozen=True)
class Count:
    value: int
    verdicts: tuple[Verdict, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class Seen:
    """Where a key was first counted in the year, and how that entry was written."""

    period: str
    written: str


def count(
    rule_id: str,
    items: Sequence[Mapping],
    earlier: Mapping[Hashable, Seen] | None = None,
    known: Collection[str] = frozenset(),
) -> Count:
    """Apply a counting rule; `earlier`: what other reports of the year counted; `known`: what
    the rule checks items against (`Rule`)."""
    rule = RULES[rule_id]
    earlier = earlier or {}
    first: dict[Hashable, int] = {}
    verdicts = []
    for index, item in enumerate(items):
        key = rule.key(item)
        if reason := rule.ineligible(item, known):
            verdicts.append(Verdict(index, False, reason, "not_eligible"))
        elif key in earlier:
            seen = earlier[key]
            reason = f"{rule.same} is already counted in {seen.period} of this fiscal year"
            verdicts.append(Verdict(index, False, reason, "counted_earlier", None, seen.written))
        elif key in first:
            reason = f"a repeat: {rule.same} is already counted in this report"
            same_as = rule.written(items[first[key]])
            verdicts.append(Verdict(index, False, reason, "repeat", first[key], same_as))
        else:
            first[key] = index
            verdicts.append(Verdict(index, True))
    return Count(len(first), tuple(verdicts))


def with_verdicts(items: Sequence[Mapping], counted: Count) -> list[dict]:
    """Items as stored and shown: each with `counted`, and why not when it did not count."""
    out = []
    for item, verdict in zip(items, counted.verdicts, strict=True):
        row = {k: v for k, v in item.items() if k not in VERDICT_FIELDS}
        row["counted"] = verdict.counted
        if not verdict.counted:
            row["reason"] = verdict.reason
            row["reason_code"] = verdict.code
            if verdict.repeat_of is not None:
                row["repeat_of"] = verdict.repeat_of
            if verdict.same_as is not None:
                row["same_as"] = verdict.same_as
        out.append(row)
    return out


PERIOD_ORDER = {p: n for n, p in enumerate(PERIODS)}


@dataclass(frozen=True)
class YearReport:
    """One of a unit's reports of a KPI in a fiscal year; a frozen one keeps its own verdicts."""

    id: str
    period: str
    items: Sequence[Mapping]
    frozen: bool = False


def count_year(
    rule_id: str, reports: Iterable[YearReport], known: Collection[str] = frozenset()
) -> dict[str, Count]:
    """Counts of the open reports of one unit's KPI over a fiscal year, in period order.

    What an approved report counted stays counted there; an open report that lists it again
    shows it as counted earlier. Among open reports the earliest period counts an item.
    """
    rule = RULES[rule_id]
    reports = sorted(reports, key=lambda r: (PERIOD_ORDER.get(r.period, 99), r.id))
    taken: dict[Hashable, Seen] = {}
    for report in (r for r in reports if r.frozen):
        for item in report.items:
            if item.get("counted"):
                taken.setdefault(rule.key(item), Seen(report.period, rule.written(item)))
    counts = {}
    for report in (r for r in reports if not r.frozen):
        counts[report.id] = result = count(rule_id, report.items, taken, known)
        for verdict in result.verdicts:
            if verdict.counted:
                item = report.items[verdict.index]
                taken.setdefault(rule.key(item), Seen(report.period, rule.written(item)))
    return counts


def listed_activities(items: Iterable[Mapping]) -> frozenset[str]:
    """The activities a report's counted items list, as names compare."""
    return frozenset(_text(i, "activity") for i in items if i.get("counted"))


def counted_keys(rule_id: str, items: Iterable[Mapping]) -> list:
    """The distinct keys of the items that counted, sorted (a key of several fields a list)."""
    keys = {RULES[rule_id].key(i) for i in items if i.get("counted")}
    return [list(k) if isinstance(k, tuple) else k for k in sorted(keys, key=str)]


def share_of_staff(people: int, headcount: float | None) -> tuple[float | None, str | None]:
    """People as a percentage of the staff, never over 100 %, and why when it was capped.

    Each person counts once (`Rule.key`): more people than staff means the headcount is wrong.
    """
    share = percentage(people, headcount)
    if share is None or share <= 100:
        return share, None
    return 100.0, (
        f"{people} people counted, more than the {headcount:g} staff the catalogue's targets "
        "give: the share is capped at 100 %."
    )


def percentage(numerator: float, denominator: float | None) -> float | None:
    """numerator as a percentage of denominator, to two places; None without a denominator."""
    if not denominator or denominator <= 0:
        return None
    return round(100 * numerator / denominator, 2)


# Bounds of a value entered by hand, by the KPI's measure.
def value_problem(measure: str, value: float) -> str | None:
    if measure == "level" and not 1 <= value <= 5:
        return "A level from 1 to 5."
    if measure == "count" and (value < 0 or value != int(value)):
        return "A whole number, 0 or more."
    if value < 0:
        return "0 or more."
    return None
