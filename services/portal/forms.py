"""The report form: its fields from the catalogue's KPI, and the API body from what was posted.

Pure functions over plain data: no request, no HTTP. Item rows are posted as
`items-<row>-<field>`; rows left wholly blank are dropped, so the rows shown after saving are
the rows the API numbered in its errors (`items.<row>.<field>`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from services.portal import thai

STRING, DATE, BOOLEAN, NUMBER = "string", "date", "boolean", "number"
VERDICT_FIELDS = frozenset({"counted", "reason", "reason_code", "repeat_of"})
_ITEM_KEY = re.compile(r"^items-(\d{1,4})-([a-z][a-z0-9_]{0,39})$")
_DATE_PART = re.compile(r"^items-(\d{1,4})-([a-z][a-z0-9_]{0,39})-day$")
MAX_ROWS = 5000
PER_PERIOD_CYCLES = ("monthly", "quarterly", "half-yearly")


@dataclass(frozen=True)
class Column:
    """One field of a list KPI's items, as the catalogue declares it."""

    name: str
    type: str
    required: bool
    label_th: str
    label_en: str

    def label(self, lang: str) -> str:
        return self.label_en if lang == "en" and self.label_en else self.label_th


@dataclass(frozen=True)
class Shape:
    """What a KPI's report form asks for."""

    kind: str  # "items", "numerator", "value", "evidence" or "none"
    columns: tuple[Column, ...] = ()
    measure: str = "count"
    denominator_label: str | None = None
    # The cycle of a numerator reported more than once a year: each entry is its period alone.
    per_period: str | None = None


def shape_of(kpi: Mapping[str, Any]) -> Shape:
    """The form of a KPI: item rows, a numerator over the catalogue's denominator, a number..."""
    method, measure = kpi.get("method"), kpi.get("measure") or "count"
    if method == "template":
        return Shape("evidence", measure=measure)
    if method != "entry":
        return Shape("none", measure=measure)
    if kpi.get("counting_rule"):
        columns = tuple(
            Column(
                name=str(f["name"]),
                type=str(f.get("type") or STRING),
                required=bool(f.get("required", True)),
                label_th=str(f.get("label_th") or f["name"]),
                label_en=str(f.get("label_en") or ""),
            )
            for f in kpi.get("item_fields") or ()
        )
        return Shape("items", columns, measure, kpi.get("denominator_label"))
    if measure == "percent":
        cycle = kpi.get("cycle")
        return Shape(
            "numerator",
            measure=measure,
            denominator_label=kpi.get("denominator_label"),
            per_period=cycle if cycle in PER_PERIOD_CYCLES else None,
        )
    return Shape("value", measure=measure)


def _number(text: str) -> float | int | str | None:
    """A number typed in a form; text that is not a number goes to the API as is (it says why)."""
    text = text.strip().replace(",", "")
    if not text:
        return None
    try:
        number = float(text)
    except ValueError:
        return text
    return int(number) if number.is_integer() and "." not in text else number


def _cell(column: Column, raw: str | None) -> Any:
    if column.type == BOOLEAN:
        return raw is not None and raw not in ("", "0", "false", "off")
    if column.type == NUMBER:
        return _number(raw or "")
    return (raw or "").strip()


def _blank(value: Any) -> bool:
    return value in (None, "", False)


def posted_rows(columns: Sequence[Column], form: Mapping[str, Any]) -> list[dict]:
    """Every item row posted, in row order, blank ones included (to show them again). A date
    typed as day, month and BE year is sent as its ISO date, or as typed when it is none (the
    API then says so, on its field)."""
    rows: dict[int, dict[str, str]] = {}
    for key in form:
        if match := _ITEM_KEY.match(key):
            rows.setdefault(int(match.group(1)), {})[match.group(2)] = form.get(key)
        elif match := _DATE_PART.match(key):
            name = f"items-{match.group(1)}-{match.group(2)}"
            day, _problem = thai.typed_date(form, name)
            rows.setdefault(int(match.group(1)), {})[match.group(2)] = day
    return [
        {c.name: _cell(c, rows[index].get(c.name)) for c in columns}
        for index in sorted(rows)[:MAX_ROWS]
    ]


def posted_items(columns: Sequence[Column], form: Mapping[str, Any]) -> list[dict]:
    """The item rows posted, without the wholly blank ones, as the API takes them."""
    items = []
    for row in posted_rows(columns, form):
        if all(_blank(row[c.name]) for c in columns):
            continue
        # An empty text cell is sent as missing, so the API says "Required." for it.
        items.append({k: v for k, v in row.items() if v not in ("", None)})
    return items


def stored_items(items: Sequence[Mapping] | None) -> list[dict]:
    """A saved report's items as the form edits them: without the system's verdicts."""
    return [{k: v for k, v in i.items() if k not in VERDICT_FIELDS} for i in items or ()]


def report_body(shape: Shape, form: Mapping[str, Any]) -> dict[str, Any]:
    """The fields of a report create or edit request, from the posted form."""
    body: dict[str, Any] = {"note": (form.get("note") or "").strip()}
    if shape.kind == "items":
        body["items"] = posted_items(shape.columns, form)
    elif shape.kind == "numerator":
        body["numerator"] = _number(form.get("numerator") or "")
    elif shape.kind == "value":
        body["value"] = _number(form.get("value") or "")
    return body


def evidence_ids(form_values: Sequence[str], listed: Sequence[Mapping]) -> list[str]:
    """The chosen files, oldest first: the workflow takes the last listed form's level."""
    chosen = set(form_values)
    ordered = sorted(listed, key=lambda f: (str(f.get("uploaded_at") or ""), str(f.get("id"))))
    return [str(f["id"]) for f in ordered if str(f["id"]) in chosen]


def with_blank_rows(items: Sequence[Mapping], minimum: int = 1) -> list[dict]:
    """The rows to show: the items and at least `minimum` rows in all."""
    rows = [dict(i) for i in items]
    rows.extend({} for _ in range(max(minimum - len(rows), 0)))
    return rows


def removed(rows: list[dict], index: str | None) -> list[dict]:
    """The rows without row `index` (a row number posted by a remove button)."""
    if index is None or not index.isdigit():
        return rows
    return [row for n, row in enumerate(rows) if n != int(index)]


def unplaced(errors: Mapping[str, Any], shape: Shape, rows: int) -> dict[str, Any]:
    """The errors that no field of the form shows next to it (said above the form)."""
    placed = {"note", "value", "numerator", "items", "evidence_ids"}
    placed |= {f"items.{i}.{c.name}" for i in range(rows) for c in shape.columns}
    return {name: messages for name, messages in errors.items() if name not in placed}
