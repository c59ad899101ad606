"""The progress of a year, one unit at a time: the completion of each unit right below it
(the scorecard's roll-up, one row a unit, to drill down), and the unit's own KPI x period cells
with their state and late flag (the workflow's, a unit's few dozen).

The page opens on the department for those who see every unit, else on one's own unit; no
call asks for the whole matrix of the units below. The matrix lays each KPI's periods on the
twelve months of the fiscal year.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from flask import Blueprint, render_template, request

from common.fiscal import MONTHLY, PERIOD_MONTHS
from services.portal import rights
from services.portal.core import (
    actor,
    fetch,
    fetch_or,
    kpis_of,
    signed_in,
    unit_arg,
    units,
    year_arg,
)
from services.portal.views import kpi_order

progress = Blueprint("progress", __name__)

MONTHS = MONTHLY


def span(period: str) -> tuple[int, int]:
    """(first month column, number of months) of a period within the fiscal year."""
    first, last = PERIOD_MONTHS.get(period, (1, 12))
    return first - 1, last - first + 1


@dataclass
class Line:
    """One unit x KPI of the matrix: its periods in month order, gaps filled."""

    unit: str
    kpi: str
    cells: list[tuple[int, dict | None]] = field(default_factory=list)


def _line_order(entry) -> tuple:
    (unit, kpi), _slots = entry
    return unit, kpi_order(kpi)


def lines(rows: Iterable[Mapping]) -> list[Line]:
    """The matrix lines, by unit then KPI, each a run of (colspan, row or None for a gap)."""
    grouped: dict[tuple[str, str], list[Mapping]] = {}
    for row in rows:
        grouped.setdefault((row["unit"], row["kpi"]), []).append(row)
    out = []
    for (unit, kpi), slots in sorted(grouped.items(), key=_line_order):
        line, column = Line(unit, kpi), 0
        for row in sorted(slots, key=lambda r: span(r["period"])):
            start, width = span(row["period"])
            if start < column:
                continue  # overlapping periods (a catalogue change): the first one stands
            if start > column:
                line.cells.append((start - column, None))
            line.cells.append((width, dict(row)))
            column = start + width
        if column < len(MONTHS):
            line.cells.append((len(MONTHS) - column, None))
        out.append(line)
    return out


@progress.get("/progress")
@signed_in
def view():
    year = year_arg()
    unit, kpi = unit_arg(), request.args.get("kpi", "").strip()
    # The units below and the unit with them, of the chosen KPI: a dashboard's due figure.
    chosen = {"kpi": kpi} if kpi else {}
    below = fetch("scorecard", f"/{year}/progress", unit=unit, **chosen)
    data = fetch("workflow", "/progress", year=year, unit=unit, **chosen)
    return render_template(
        "progress.html",
        year=year,
        years=fetch_or([], "catalogue", "/years"),
        unit=unit,
        kpi=kpi,
        data=data,
        below=below.get("units", []),
        whole=below,
        lines=lines(data.get("rows", [])),
        kpi_choices=sorted(kpis_of(year), key=kpi_order),
        months=MONTHS,
        writers=rights.writer_units(actor()),
        kpis=kpis_of(year),
        units=units(),
    )
