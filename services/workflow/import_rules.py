"""Pure rules of the imported KPIs: the columns an import takes, how a value is computed from the
source's own figures, and what makes a row wrong.

A row names `unit`, `period` and either `value` or the source's two figures, from which the
value is computed the way the KPI defines it:

| KPI | source | columns | value |
|---|---|---|---|
| 1.1 | monthly progress system | `targets_met`, `targets` | targets_met / targets x 100 |
| 3.1 | expenditure system | `budget`, `spent` | (budget - spent) / budget x 100 |
| 5.1 | expenditure system | `planned`, `disbursed` | disbursed / planned x 100 |
| 8.1 | OPDC's survey | `respondents`, `satisfied` | satisfied / respondents x 100 |

One expenditure file (`budget, spent, planned, disbursed`) feeds both 3.1 and 5.1.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from common.intake.cells import is_formula, number_of

UNIT, PERIOD, VALUE = "unit", "period", "value"
# Header names as Thai spreadsheets write them.
ALIASES = {
    "หน่วยงาน": UNIT,
    "รหัสหน่วยงาน": UNIT,
    "งวด": PERIOD,
    "รอบ": PERIOD,
    "ค่า": VALUE,
    "ผลการดำเนินงาน": VALUE,
    "งบประมาณ": "budget",
    "ใช้จ่าย": "spent",
    "แผนการเบิกจ่าย": "planned",
    "เบิกจ่าย": "disbursed",
    "เป้าหมาย": "targets",
    "เป้าหมายที่บรรลุ": "targets_met",
    "ผู้ตอบ": "respondents",
    "ผู้พึงพอใจ": "satisfied",
}
MAX_FIGURE = 1e13
DECIMALS = 4


def share(part: float, whole: float) -> float:
    return part / whole * 100


def saved(spent: float, budget: float) -> float:
    return (budget - spent) / budget * 100


@dataclass(frozen=True)
class ImportRule:
    """How an import of one KPI reads its rows."""

    kpi: str
    part: str  # the figure over `whole`
    whole: str
    compute: Callable[[float, float], float]
    low: float
    high: float
    rule: str

    @property
    def columns(self) -> tuple[str, str]:
        return (self.whole, self.part)


IMPORT_RULES: Mapping[str, ImportRule] = {
    "1.1": ImportRule(
        "1.1", "targets_met", "targets", share, 0, 100, "targets_met / targets x 100"
    ),
    # Spending more than the budget is a negative saving; twice the budget is taken as an error.
    "3.1": ImportRule(
        "3.1", "spent", "budget", saved, -100, 100, "(budget - spent) / budget x 100"
    ),
    # Disbursing ahead of plan passes 100 %; twice the plan is taken as an error.
    "5.1": ImportRule("5.1", "disbursed", "planned", share, 0, 200, "disbursed / planned x 100"),
    "8.1": ImportRule(
        "8.1", "satisfied", "respondents", share, 0, 100, "satisfied / respondents x 100"
    ),
}


def column_name(header: str) -> str:
    """A header as the import knows it: Thai names and spaced English names mapped."""
    name = header.strip().lower()
    return ALIASES.get(name, name.replace(" ", "_").replace("-", "_"))


def missing_columns(rule: ImportRule, columns: Iterable[str]) -> list[str]:
    """What the header lacks: unit, period, and a value or both of the source's figures."""
    present = {column_name(c) for c in columns}
    missing = [c for c in (UNIT, PERIOD) if c not in present]
    if VALUE not in present and not set(rule.columns) <= present:
        missing.append(f"{VALUE} (or {' and '.join(rule.columns)})")
    return missing


@dataclass(frozen=True)
class Slots:
    """What the catalogue says of the KPI in the year: units, and who reports which periods."""

    units: Collection[str]
    periods: Collection[str]  # of the KPI's cycle
    reporting: Collection[tuple[str, str]]  # (unit, period) the schedule holds
    cycle: str


@dataclass(frozen=True)
class Line:
    """A row read and checked: the value it gives, and the figures it came from."""

    line: int
    unit: str
    period: str
    value: float
    figures: dict[str, float]


def _text(cells: Mapping[str, Any], name: str, errors: list[str]) -> str:
    text = str(cells.get(name) if cells.get(name) is not None else "").strip()
    if not text:
        errors.append(f"No {name}.")
    elif is_formula(text):
        errors.append(f"The {name} cell holds a formula; only plain values are imported.")
        return ""
    return text


def _figure(cells: Mapping[str, Any], name: str, errors: list[str]) -> float | None:
    cell = cells.get(name)
    if cell is None or str(cell).strip() == "":
        errors.append(f"No {name}.")
        return None
    number = number_of(cell)
    if number is None:
        if isinstance(cell, str) and is_formula(cell.strip()):
            errors.append(f"The {name} cell holds a formula; only plain values are imported.")
        else:
            errors.append(f"The {name} '{str(cell)[:40]}' is not a number.")
    elif not -MAX_FIGURE < number < MAX_FIGURE:
        errors.append(f"The {name} is out of range.")
    return number


def _value(
    rule: ImportRule, cells: Mapping[str, Any], errors: list[str]
) -> tuple[float | None, dict]:
    """The row's value: computed from the source's figures when it has them, else as given."""
    if all(cells.get(c) not in (None, "") for c in rule.columns) or VALUE not in cells:
        whole = _figure(cells, rule.whole, errors)
        part = _figure(cells, rule.part, errors)
        if whole is None or part is None:
            return None, {}
        if whole <= 0:
            errors.append(f"The {rule.whole} must be more than 0.")
            return None, {}
        if part < 0:
            errors.append(f"The {rule.part} must not be negative.")
            return None, {}
        return rule.compute(part, whole), {rule.whole: whole, rule.part: part}
    return _figure(cells, VALUE, errors), {}


def check_row(
    rule: ImportRule, line: int, raw: Mapping[str, Any], slots: Slots
) -> tuple[Line | None, list[str]]:
    """The row's line, or every reason it cannot be imported."""
    cells = {column_name(k): v for k, v in raw.items()}
    errors: list[str] = []
    unit = _text(cells, UNIT, errors)
    period = _text(cells, PERIOD, errors).upper()
    if unit and unit not in slots.units:
        errors.append(f"Unknown unit '{unit[:40]}'.")
    elif period and period not in slots.periods:
        errors.append(f"Period '{period[:40]}' is not a period of a {slots.cycle} KPI.")
    elif unit and period and (unit, period) not in slots.reporting:
        errors.append(f"{unit} does not report KPI {rule.kpi}.")
    value, figures = _value(rule, cells, errors)
    if value is not None and not rule.low <= value <= rule.high:
        errors.append(f"The value {value:.2f} is outside {rule.low:g}..{rule.high:g}.")
    if errors:
        return None, errors
    return Line(line, unit, period, round(value, DECIMALS), figures), []
