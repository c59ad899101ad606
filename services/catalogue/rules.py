"""Pure rules of the catalogue: fiscal years, reporting periods, due dates, applicability, units.

Nothing here touches a database or a request; every function is tested on its own.

Due dates: the seed gives each KPI a cycle ("ทุก 1 เดือน", "ทุก 3 เดือน", ...) but no due day.
A report is due `due_days` days after its period ends: 10 days by default (a monthly report
on October is due on 10 November), set per year and overridable per KPI, 0 to 90 days.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from common.fiscal import HALVES, MONTHLY, QUARTERS, WHOLE_YEAR, period_dates

MIN_YEAR, MAX_YEAR = 2500, 3000
DEFAULT_DUE_DAYS = 10
MAX_DUE_DAYS = 90

YEAR_STATUSES = ("draft", "open", "closed")
# (from, to) pairs an admin may move a year through; reopening lets a closed year be corrected.
YEAR_TRANSITIONS = frozenset({("draft", "open"), ("open", "closed"), ("closed", "open")})

METHODS = ("entry", "template", "feed", "survey", "none")
CYCLES = ("monthly", "quarterly", "half-yearly", "yearly", "on-results", "none")
MEASURES = ("count", "percent", "level", "amount")
UNIT_KINDS = ("department", "bureau", "region", "province", "group")
# The counting rules workflow implements; a KPI may only name one of these.
COUNTING_RULES = (
    "each_appointment_once",
    "agency_once_per_month",
    "person_course_once_per_year",
    "external_awards_only",
    "each_activity_once",
    "person_once_per_activity",
)
ITEM_FIELD_TYPES = ("string", "date", "boolean", "number")

CYCLE_PERIODS: Mapping[str, tuple[str, ...]] = {
    "monthly": MONTHLY,
    "quarterly": QUARTERS,
    "half-yearly": HALVES,
    "yearly": WHOLE_YEAR,
    # On-results KPIs name the quarter in which the result was reached.
    "on-results": QUARTERS,
    "none": (),
}

KIND_LABELS = {
    "department": "the department",
    "bureau": "bureaus",
    "region": "regional offices",
    "province": "provincial offices",
    "group": "groups",
}


# --- fiscal years and periods -------------------------------------------------------------


def year_problem(year: int) -> str | None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        return f"A Buddhist Era year from {MIN_YEAR} to {MAX_YEAR}."
    return None


def due_date(ends_on: date, due_days: int) -> date:
    return ends_on + timedelta(days=due_days)


@dataclass(frozen=True)
class Period:
    period: str
    starts_on: date
    ends_on: date
    due_on: date

    def as_dict(self) -> dict[str, str]:
        return {
            "period": self.period,
            "starts_on": self.starts_on.isoformat(),
            "ends_on": self.ends_on.isoformat(),
            "due_on": self.due_on.isoformat(),
        }


def period_of(year: int, cycle: str, period: str, due_days: int) -> Period | None:
    """The period `period` of a KPI on `cycle`, or None when the cycle has no such period."""
    if period not in CYCLE_PERIODS.get(cycle, ()):
        return None
    starts_on, ends_on = period_dates(year, period)
    return Period(period, starts_on, ends_on, due_date(ends_on, due_days))


def periods_of(year: int, cycle: str, due_days: int) -> list[Period]:
    """Every reporting period of a KPI on `cycle` in a year, in order."""
    periods = (period_of(year, cycle, p, due_days) for p in CYCLE_PERIODS.get(cycle, ()))
    return [period for period in periods if period is not None]


def effective_due_days(year_due_days: int, kpi_due_days: int | None) -> int:
    return year_due_days if kpi_due_days is None else kpi_due_days


def due_days_problem(days: int) -> str | None:
    if not 0 <= days <= MAX_DUE_DAYS:
        return f"From 0 to {MAX_DUE_DAYS} days."
    return None


def year_transition_problem(current: str, new: str) -> str | None:
    if current == new or (current, new) in YEAR_TRANSITIONS:
        return None
    allowed = sorted(to for frm, to in YEAR_TRANSITIONS if frm == current)
    return f"A {current} year can only become {' or '.join(allowed)}."


# --- applicability ------------------------------------------------------------------------


@dataclass(frozen=True)
class KpiFacts:
    """What decides who reports a KPI and when."""

    code: str
    method: str
    cycle: str
    applies_to: tuple[str, ...]
    source_en: str | None = None


# How a unit reports a KPI, the column of the year's applicability table: typed in (entry),
# an uploaded form (template), brought in by an import (import), or not at all (none).
ENTRY, TEMPLATE, IMPORT, NONE = "entry", "template", "import", "none"
WAYS = (ENTRY, TEMPLATE, IMPORT, NONE)
IMPORTED_METHODS = frozenset({"feed", "survey"})
# The seed's "ไม่ต้องรายงาน" (method none) exempts regional and provincial offices only: the
# other kinds the KPI names (the department in the seed) type it in rbm, once a year.
EXEMPT_KINDS = frozenset({"region", "province"})
EXEMPTED_KPI_CYCLE = "yearly"
# Imports may carry the department's own rows (1.1 is the department's figure, "(กปส.)").
IMPORTED_ALSO_FOR = "department"


@dataclass(frozen=True)
class Way:
    method: str
    cycle: str


NOT_REPORTED = Way(NONE, "none")


def way_of(kpi: KpiFacts, unit_kind: str) -> Way:
    """How a unit of `unit_kind` reports `kpi`, and on which cycle: the one rule the
    applicability table, the schedule and every single question read."""
    if kpi.method in IMPORTED_METHODS:
        kinds = {*kpi.applies_to, IMPORTED_ALSO_FOR}
        return Way(IMPORT, kpi.cycle) if unit_kind in kinds else NOT_REPORTED
    if unit_kind not in kpi.applies_to:
        return NOT_REPORTED
    if kpi.method == NONE:
        return NOT_REPORTED if unit_kind in EXEMPT_KINDS else Way(ENTRY, EXEMPTED_KPI_CYCLE)
    return Way(kpi.method, kpi.cycle)


def applicability_table(kpis: Iterable[KpiFacts]) -> list[dict[str, str]]:
    """Every KPI × unit kind: how that kind reports the KPI (entry, template, import, none)."""
    return [
        {"kpi": kpi.code, "unit_type": kind, **vars(way_of(kpi, kind))}
        for kpi in sorted(kpis, key=lambda k: kpi_sort_key(k.code))
        for kind in UNIT_KINDS
    ]


def reporting_kinds(kpi: KpiFacts) -> list[str]:
    return [kind for kind in UNIT_KINDS if way_of(kpi, kind).method != NONE]


def reporting_cycle(kpi: KpiFacts) -> str:
    """The cycle the KPI is reported on by whoever reports it ("none" when nobody does)."""
    ways = (way_of(kpi, kind) for kind in reporting_kinds(kpi))
    return next((way.cycle for way in ways), NOT_REPORTED.cycle)


def kinds_phrase(kinds: Iterable[str]) -> str:
    labels = [KIND_LABELS.get(k, k) for k in UNIT_KINDS if k in set(kinds)]
    if len(labels) <= 1:
        return "".join(labels)
    return f"{', '.join(labels[:-1])} and {labels[-1]}"


def unit_kind_problem(kpi: KpiFacts, unit_kind: str) -> str | None:
    """Why a unit of `unit_kind` has no part in `kpi` (no report, no import), if it has none."""
    if way_of(kpi, unit_kind).method != NONE:
        return None
    if kinds := reporting_kinds(kpi):
        return f"KPI {kpi.code} is reported by {kinds_phrase(kinds)} only"
    return f"KPI {kpi.code} is not reported in rbm (none)"


# How a report reaches rbm: typed in (or uploaded) by the unit, or imported from its source.
TYPED, IMPORTED = "typed", "imported"
# Why a unit does not report a KPI, for pages to say in their own language.
WHY_IMPORTED, WHY_TYPED, WHY_UNIT, WHY_PERIOD = "imported", "typed", "unit", "period"


@dataclass(frozen=True)
class Decision:
    reports: bool
    reason: str | None
    why: str | None = None


def is_imported(method: str) -> bool:
    """Whether a KPI of `method` gets its reports through an import, never typed by a unit."""
    return method in IMPORTED_METHODS


def applicability(kpi: KpiFacts, unit_kind: str, period: str | None, via: str = TYPED) -> Decision:
    """Whether a unit of `unit_kind` reports `kpi` in rbm (in `period`, when one is given),
    by typing it in or, with `via=imported`, through an import.

    The method comes first: a KPI fed from another system or measured by a survey is never
    typed in by a unit, whoever the unit is; only those KPIs are imported.
    """
    if via == TYPED and kpi.method == "feed":
        source = kpi.source_en or "another system"
        reason = f"KPI {kpi.code} is reported through the {source} (feed)"
        return Decision(False, reason, WHY_IMPORTED)
    if via == TYPED and kpi.method == "survey":
        source = kpi.source_en or "an outside survey"
        return Decision(False, f"KPI {kpi.code} is measured by {source} (survey)", WHY_IMPORTED)
    if via == IMPORTED and not is_imported(kpi.method):
        reason = f"KPI {kpi.code} is typed in rbm by the unit, not imported"
        return Decision(False, reason, WHY_TYPED)
    if problem := unit_kind_problem(kpi, unit_kind):
        return Decision(False, problem, WHY_UNIT)
    cycle = way_of(kpi, unit_kind).cycle
    if period is not None and period not in CYCLE_PERIODS.get(cycle, ()):
        reason = f"Period {period} is not a period of a {cycle} KPI"
        return Decision(False, reason, WHY_PERIOD)
    return Decision(True, None)


# --- KPIs ---------------------------------------------------------------------------------

KPI_CODE = re.compile(r"^[1-9][0-9]?\.[1-9][0-9]?$")
CSF_CODE = re.compile(r"^[1-9][0-9]?$")
PERSPECTIVE_CODE = re.compile(r"^P[1-9]$")
ITEM_FIELD_NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


def kpi_sort_key(code: str) -> tuple[int, ...]:
    """KPIs sort by number: 9.3 before 10.1."""
    return tuple(int(part) for part in code.split("."))


def csf_of(kpi_code: str) -> str:
    """The CSF of a KPI is the number before the dot."""
    return kpi_code.split(".", 1)[0]


def kpi_problems(
    method: str,
    cycle: str,
    applies_to: Iterable[str],
    counting_rule: str | None,
    item_fields: Iterable[Mapping[str, object]],
) -> dict[str, list[str]]:
    """What is inconsistent in a KPI's definition, by field."""
    problems: dict[str, list[str]] = {}
    applies_to = list(applies_to)
    if (method == "none") != (cycle == "none"):
        problems["cycle"] = ["A KPI is not reported (method none) exactly when its cycle is none."]
    if not applies_to:
        problems["applies_to"] = ["Name at least one unit kind."]
    elif len(set(applies_to)) != len(applies_to):
        problems["applies_to"] = ["A unit kind is named twice."]
    names = [str(f.get("name")) for f in item_fields]
    if len(set(names)) != len(names):
        problems["item_fields"] = ["An item field is named twice."]
    if counting_rule is not None:
        if method != "entry":
            problems["counting_rule"] = ["Only KPIs reported by entry count items."]
        elif not names:
            problems["item_fields"] = ["A KPI with a counting rule needs item fields."]
    return problems


# --- targets ------------------------------------------------------------------------------

MAX_AMOUNT = 1e13


def target_problems(measure: str, target: float, denominator: float | None) -> dict[str, list[str]]:
    """What is wrong with a target for a KPI of `measure`, by field."""
    problems: dict[str, list[str]] = {}
    if measure == "percent" and not 0 <= target <= 100:
        problems["target"] = ["A percentage from 0 to 100."]
    elif measure == "level" and not 1 <= target <= 5:
        problems["target"] = ["A level from 1 to 5."]
    elif measure == "count" and (target < 0 or target != int(target)):
        problems["target"] = ["A whole number, 0 or more."]
    elif not 0 <= target <= MAX_AMOUNT:
        problems["target"] = [f"From 0 to {MAX_AMOUNT:.0f}."]
    if denominator is not None:
        if measure != "percent":
            problems["denominator"] = ["Only percentage KPIs have a denominator."]
        elif not 0 < denominator <= MAX_AMOUNT:
            problems["denominator"] = ["More than 0."]
    return problems


# --- owners -------------------------------------------------------------------------------

# Identity's username rule: owners are named by username.
USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")


def username_problem(name: str) -> str | None:
    if not USERNAME.match(name):
        return "A username: 2-64 lower-case letters, digits, '.', '_' or '-'."
    return None


# --- units --------------------------------------------------------------------------------

UNIT_CODE = re.compile(r"^[A-Z][A-Z0-9]{0,15}(-[A-Z0-9]{1,15})?$")
# Which kind of unit each kind hangs under (the department is the root).
PARENT_KINDS: Mapping[str, tuple[str, ...]] = {
    "department": (),
    "bureau": ("department",),
    "region": ("department",),
    "province": ("region",),
    "group": ("department", "bureau", "region"),
}


def unit_code_problem(code: str) -> str | None:
    if not UNIT_CODE.match(code):
        return "Capital letters and digits, starting with a letter, optionally '-' and a suffix."
    return None


def parent_problem(kind: str, parent_kind: str | None) -> str | None:
    """Whether a unit of `kind` may hang under a unit of `parent_kind` (None: no parent)."""
    allowed = PARENT_KINDS[kind]
    if not allowed:
        return None if parent_kind is None else f"A {kind} has no parent."
    if parent_kind is None:
        return f"A {kind} needs a parent: a {' or '.join(allowed)}."
    if parent_kind not in allowed:
        return f"A {kind} hangs under a {' or '.join(allowed)}, not a {parent_kind}."
    return None


def makes_cycle(code: str, new_parent: str | None, parent_of: Callable[[str], str | None]) -> bool:
    """Whether hanging `code` under `new_parent` would make it its own ancestor."""
    seen = set()
    node = new_parent
    while node is not None and node not in seen:
        if node == code:
            return True
        seen.add(node)
        node = parent_of(node)
    return False
