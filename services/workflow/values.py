"""How a report's value is reached, and says so (`value_source`, `value_basis`):

- `counted`: a list KPI's items counted with its counting rule (as a percentage of the
  catalogue's denominator when the KPI is a percentage);
- `computed`: a percentage KPI's numerator over the denominator in the catalogue's targets;
- `evidence`: the level read from the newest uploaded form (`extracted.level`; 0 when it
  reaches none, with a warning; none when nothing is filled in, which the basis says);
- `entered`: a number or level typed in by the unit (for an evidence KPI only when no file is
  a form that could be read; a typed level that differs from the form's is kept beside it and
  flagged to the reviewer in `typed_differs`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from common.errors import Invalid
from services.workflow.counting import (
    DISTINCT_ACROSS_UNITS,
    VERDICT_FIELDS,
    Count,
    counted_keys,
    item_fields,
    percentage,
    share_of_staff,
    validate_items,
    value_problem,
    with_verdicts,
)
from services.workflow.gateways import Kpi, Period

COUNTED, COMPUTED, EVIDENCE, ENTERED = "counted", "computed", "evidence", "entered"
DENOMINATOR_SOURCE = "catalogue targets"
# The key of a report's basis that tells its reviewer a recount would now give another value.
COUNT_CHANGED = "count_changed"
MAX_EVIDENCE = 20
# Why a report whose newest form has nothing filled in has no value (and cannot be submitted).
FORM_BLANK = "The newest form has nothing filled in: fill in its levels and upload it again."
# A numerator reported more than once a year is the period's amount alone (10.2: the half-year's
# spending on staff development over the year's budget), so the year's figure adds them up.
PERIOD_ONLY = {
    cycle: f"this {period}'s amount only, not the year so far: the year adds the {period}s up"
    for cycle, period in (
        ("monthly", "month"),
        ("quarterly", "quarter"),
        ("half-yearly", "half-year"),
    )
}


@dataclass
class Inputs:
    """What a unit writes into a report; the rest is derived from it."""

    value: float | None = None
    numerator: float | None = None
    items: list = field(default_factory=list)
    evidence_ids: list = field(default_factory=list)
    note: str = ""

    @classmethod
    def of(cls, stored: Mapping[str, Any], changes: Mapping[str, Any]) -> Inputs:
        """The stored inputs with the changes laid over them."""
        merged = {**stored, **{k: v for k, v in changes.items() if k in cls.__dataclass_fields__}}
        return cls(
            value=merged.get("value"),
            numerator=merged.get("numerator"),
            items=merged.get("items") if merged.get("items") is not None else [],
            evidence_ids=list(merged.get("evidence_ids") or []),
            note=merged.get("note") or "",
        )


def clean_items(kpi: Kpi, inputs: Inputs, period: Period) -> list[dict]:
    """The items, checked against the KPI's fields; 422 naming each bad field."""
    errors: dict[str, list[str]] = {}
    if kpi.counting_rule is None:
        if inputs.items:
            errors["items"] = [f"KPI {kpi.code} takes no items."]
        clean = []
    else:
        fields = item_fields(kpi.counting_rule, kpi.item_fields)
        clean, errors = validate_items(fields, inputs.items, (period.starts_on, period.ends_on))
    takes_numerator = not kpi.counting_rule and kpi.method == "entry" and kpi.measure == "percent"
    if inputs.numerator is not None and not takes_numerator:
        errors["numerator"] = [f"KPI {kpi.code} takes no numerator."]
    if kpi.counting_rule and inputs.value is not None:
        errors["value"] = ["Counted from the items: send items, not a value."]
    if kpi.measure == "percent" and not kpi.counting_rule and inputs.value is not None:
        errors["value"] = ["Send the numerator: the denominator comes from the catalogue."]
    if errors:
        raise Invalid(f"The data of KPI {kpi.code} is not valid.", errors)
    return clean


def evidence_problem(meta: Mapping | None, file_id, year: int, unit: str, kpi: str) -> str | None:
    """Why a file cannot be this report's evidence: unseen, or of another unit, KPI or year."""
    if meta is None:
        return f"No evidence file {file_id} that you may see."
    if (str(meta.get("unit")), str(meta.get("kpi")), meta.get("year")) != (unit, kpi, year):
        return (
            f"File {file_id} is evidence of {meta.get('unit')} {meta.get('kpi')} "
            f"{meta.get('year')}, not of {unit} {kpi} {year}."
        )
    return None


def evidence_entry(meta: Mapping) -> dict:
    """What a report keeps of an evidence file: its id, hash, name, whether it was read as a
    form and the level read from it (None from a form with nothing filled in)."""
    extracted = meta.get("extracted")
    return {
        "id": meta["id"],
        "sha256": meta.get("sha256"),
        "filename": meta.get("filename"),
        "form": extracted is not None,
        "level": (extracted or {}).get("level"),
    }


def _is_form(entry: Mapping) -> bool:
    # Entries kept before `form` was recorded were forms exactly when a level was read.
    return bool(entry.get("form", entry.get("level") is not None))


@dataclass(frozen=True)
class Valued:
    items: list[dict]
    value: float | None
    value_source: str | None
    value_basis: dict | None


def _denominator_basis(denominator: Mapping | None, kpi: Kpi) -> dict:
    if denominator is None:
        return {
            "denominator": None,
            "denominator_label": kpi.denominator_label,
            "denominator_source": DENOMINATOR_SOURCE,
            "problem": "The catalogue's targets give this unit no denominator for this KPI.",
        }
    return {
        "denominator": denominator["denominator"],
        "denominator_label": denominator.get("denominator_label") or kpi.denominator_label,
        "denominator_source": DENOMINATOR_SOURCE,
    }


def counted_value(
    kpi: Kpi, items: list[dict], counted: Count, denominator: Mapping | None
) -> Valued:
    """A list KPI's value from its counted items."""
    basis: dict[str, Any] = {
        "rule": kpi.counting_rule,
        "counted": counted.value,
        "not_counted": len(items) - counted.value,
    }
    value: float | None = counted.value
    if kpi.measure == "percent":
        basis.update(_denominator_basis(denominator, kpi))
        value, capped = share_of_staff(counted.value, basis["denominator"])
        if capped:
            basis["problem"] = capped
    shown = with_verdicts(items, counted)
    if kpi.counting_rule in DISTINCT_ACROSS_UNITS:
        basis["counted_keys"] = counted_keys(kpi.counting_rule, shown)
    return Valued(shown, value, COUNTED, basis)


def other_value(
    kpi: Kpi, inputs: Inputs, evidence: Sequence[Mapping], denominator: Mapping | None
) -> Valued:
    """The value of a KPI without items: computed, entered, or read from an evidence form."""
    if kpi.measure == "percent" and kpi.method == "entry":
        if inputs.numerator is None:
            return Valued([], None, None, None)
        if inputs.numerator < 0:
            raise Invalid("The numerator is negative.", {"numerator": ["0 or more."]})
        basis = {"numerator": inputs.numerator, **_denominator_basis(denominator, kpi)}
        if kpi.cycle in PERIOD_ONLY:
            basis["numerator_covers"] = PERIOD_ONLY[kpi.cycle]
        return Valued([], percentage(inputs.numerator, basis["denominator"]), COMPUTED, basis)
    if inputs.value is not None and (problem := value_problem(kpi.measure, inputs.value)):
        raise Invalid(f"The value does not fit KPI {kpi.code}.", {"value": [problem]})
    # Files are listed oldest first: the newest form's reading is the level, whatever it reads.
    forms = [e for e in evidence if _is_form(e)]
    if not forms:  # no form could be read: the level typed in is the value
        return Valued([], inputs.value, ENTERED if inputs.value is not None else None, None)
    return _form_value(forms[-1], inputs.value)


def _form_value(form: Mapping, typed: float | None) -> Valued:
    """The newest form's level (0 when it reaches none); a typed level only sits beside it."""
    level = form.get("level")
    basis: dict[str, Any] = {"file_id": form["id"], "sha256": form.get("sha256"), "level": level}
    if typed is not None:
        basis["typed_level"] = typed
    if level is None:
        basis["problem"] = FORM_BLANK
        return Valued([], None, EVIDENCE, basis)
    if level == 0:
        basis["warning"] = "The newest form reads no level reached: the level is 0."
    if typed is not None and typed != level:
        basis["typed_differs"] = (
            f"Level {typed:g} was typed in, the newest form reads {level}: the form's level "
            "counts (a typed level is for a form that cannot be read)."
        )
    return Valued([], float(level), EVIDENCE, basis)


def stored_inputs(
    value: float | None,
    value_source: str | None,
    value_basis: Mapping | None,
    items: Sequence[Mapping],
    evidence_ids: Sequence,
    note: str,
) -> dict[str, Any]:
    """What the unit wrote into a stored report, without what the system derived."""
    return {
        "value": value if value_source == ENTERED else (value_basis or {}).get("typed_level"),
        "numerator": (value_basis or {}).get("numerator") if value_source == COMPUTED else None,
        "items": [{k: v for k, v in i.items() if k not in VERDICT_FIELDS} for i in items],
        "evidence_ids": list(evidence_ids),
        "note": note,
    }
