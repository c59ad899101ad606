"""Reading a filled form back: what it was made for, and the values the unit wrote into it."""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from typing import Any, BinaryIO

import docx
from docx.oxml.ns import qn

from common.errors import Invalid
from services.evidence import rules
from services.evidence.forms import layout, properties

TEMPLATE = f"{layout.PROPERTY_PREFIX}template"


def read_form(
    spool: BinaryIO, fields: dict[str, str], scoring_of: Callable[[int, str], dict]
) -> dict[str, Any] | None:
    """Values of a filled rbm form uploaded for `fields`; None for any other .docx.

    422 when the form was made for another unit, year, KPI or period, or its tables cannot be
    read. The spool has passed the file checks already. `scoring_of(year, kpi)` is the KPI's
    scoring data as the catalogue holds it now: a 4.1 level is read by its steps, never by
    anything the uploaded file says about them.
    """
    props = properties.read(spool)
    if TEMPLATE not in props:
        return None
    _check_identity(props, fields)
    spool.seek(0)
    try:
        document = docx.Document(spool)
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise _unreadable("The form cannot be opened as a Word document.") from exc
    kpi = props.get(f"{layout.PROPERTY_PREFIX}kpi", "")
    steps = None
    if layout.needs_process_table(kpi):
        steps = scoring_of(int(fields["year"]), kpi).get("level_steps")
    extracted = extract(document, kpi, steps)
    return {
        "template": props[TEMPLATE],
        "template_version": props.get(f"{layout.PROPERTY_PREFIX}template_version"),
        **extracted,
    }


def _check_identity(props: dict[str, str], fields: dict[str, str]) -> None:
    differs = {
        name: [f"The form is for {name} {props.get(layout.PROPERTY_PREFIX + name)!s}."]
        for name in layout.IDENTITY
        if props.get(layout.PROPERTY_PREFIX + name) != fields.get(name)
    }
    if differs:
        made_for = ", ".join(
            f"{name} {props.get(layout.PROPERTY_PREFIX + name)}" for name in differs
        )
        raise Invalid(
            f"This form was made for {made_for}, not for what it is uploaded as; "
            "download the form for this report or upload it under the report it was made for.",
            errors=differs,
            reason="form-mismatch",
        )


def _unreadable(detail: str) -> Invalid:
    return Invalid(detail, errors={"file": [detail]}, reason="form-unreadable")


def _texts(row) -> list[str]:
    # Every text of the cell, also what a drop-down (content control) holds.
    return [
        " ".join("".join(t.text or "" for t in cell._tc.iter(qn("w:t"))).split())
        for cell in row.cells
    ]


def find_table(document, header: tuple[str, ...]):
    """The first table whose first row starts, cell by cell, with `header`."""
    for table in document.tables:
        if not table.rows:
            continue
        first = _texts(table.rows[0])
        if len(first) >= len(header) and all(
            text.startswith(want) for text, want in zip(first, header, strict=False)
        ):
            return table
    return None


# What the reading of a form warns of: nothing filled in (no level at all), or no level reached
# (level 0: the form was filled in, and its first level is not reached).
BLANK, NO_LEVEL = "form-blank", "no-level-reached"
WARNINGS = {
    BLANK: "The form has nothing filled in: fill in its levels, then upload it again.",
    NO_LEVEL: "The form reads no level reached: its level is 0.",
}


def extract(document, kpi: str, steps: list[float] | None) -> dict[str, Any]:
    """Level reached (0 when none is), milestones with their evidence and, for 4.1, the
    processes, whose level comes from the management group's `steps`; a `warning` when the
    form has nothing filled in (no level) or reaches no level."""
    milestones = _milestones(document)
    marked_level = rules.level_from_marks({m["level"] for m in milestones if m["reached"]})
    result: dict[str, Any] = {
        "level": marked_level or 0,
        "milestones": milestones,
        "processes": None,
        "weighted_reduction": None,
    }
    if layout.needs_process_table(kpi):
        if steps is None:
            raise _unreadable(
                "The management group has not set the steps of this KPI's levels; "
                "ask them to, then upload the form again."
            )
        processes = _processes(document)
        result["processes"] = [{**vars(p), "reduction": round(p.reduction, 2)} for p in processes]
        result["level_marked"] = marked_level
        if processes:
            reduction = rules.weighted_reduction(processes)
            result["weighted_reduction"] = round(reduction, 2)
            result["level"] = rules.level_from_reduction(reduction, steps) or 0
    if not _filled_in(milestones, result["processes"]):
        result["level"] = None
    warning = BLANK if result["level"] is None else NO_LEVEL if result["level"] == 0 else None
    result["warning"] = warning and {"code": warning, "detail": WARNINGS[warning]}
    return result


def _filled_in(milestones: list[dict[str, Any]], processes: list | None) -> bool:
    """Whether the unit wrote anything into the form: a mark, an evidence or a process."""
    marked = any(
        m["reached"] or m["evidence"] or m["mark"] not in ("", layout.CHOOSE) for m in milestones
    )
    return marked or bool(processes)


def _milestones(document) -> list[dict[str, Any]]:
    table = find_table(document, layout.MILESTONE_HEADER)
    if table is None:
        raise _unreadable("The form's table of levels is missing; download the form again.")
    found = []
    for row in table.rows[1:]:
        cells = _texts(row)
        try:
            level = int(rules.parse_number(cells[0]) or 0)
        except ValueError:
            continue
        if 1 <= level <= 5 and len(cells) >= 4:
            found.append(
                {
                    "level": level,
                    "reached": rules.is_mark(cells[2]),
                    # What was read, for the reporter to confirm.
                    "mark": cells[2],
                    "evidence": cells[3],
                }
            )
    return found


def _processes(document) -> list[rules.Process]:
    table = find_table(document, layout.PROCESS_HEADER)
    if table is None:
        raise _unreadable("The form's table of processes is missing; download the form again.")
    processes, problems = [], []
    for number, row in enumerate(table.rows[1:], start=1):
        cells = _texts(row)[:5]
        name, *numbers = cells[1:5]
        if not name and not any(numbers):
            continue
        try:
            weight, old, new = (rules.parse_number(n) for n in numbers)
        except ValueError:
            problems.append(f"Row {number}: weight and times must be numbers.")
            continue
        if not name or weight is None or old is None or new is None:
            problems.append(f"Row {number}: fill in the process, its weight and both times.")
        elif weight <= 0 or old <= 0 or new < 0:
            problems.append(
                f"Row {number}: weight and old time must be above 0, new time 0 or more."
            )
        else:
            processes.append(rules.Process(name, weight, old, new))
    if problems:
        raise Invalid(
            "The table of processes cannot be read: " + " ".join(problems),
            errors={"file": problems},
            reason="form-values",
        )
    return processes
