"""The dashboard: the scorecard of the user's scope with charts, drilling down from the
department to a region, a unit and the reports behind a number; and its exports."""

from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, request
from flask_babel import gettext as _

from services.portal import charts, thai
from services.portal.core import fetch, fetch_or, signed_in, unit_arg, year_arg
from services.portal.labels import lang

dashboard = Blueprint("dashboard", __name__)
CHARTS = ("kpis", "units", "completion", "history")


def scorecard(year: int, unit: str, pending: bool = False) -> dict:
    params = {"unit": unit, **({"include": "pending"} if pending else {})}
    return fetch("scorecard", f"/{year}", **params)


def units_below(year: int, unit: str) -> list[dict]:
    return fetch_or({}, "scorecard", f"/{year}/units", unit=unit).get("units", [])


def history(year: int, unit: str) -> list[dict]:
    """Each month of the year so far with its completion and overall score, and its name."""
    months = fetch_or({}, "scorecard", f"/{year}/history", unit=unit).get("months", [])
    for month in months:
        ce_year, number = (int(part) for part in month["month"].split("-"))
        month["label"] = thai.month_name(ce_year, number, lang())
    return months


def trail(card: dict) -> list[dict]:
    """The units above the shown one, department first, for the way back up."""
    path, parent = [], card.get("parent")
    units = {u["code"]: u for u in fetch_or([], "catalogue", "/units")}
    while parent and parent in units and len(path) < 8:
        path.insert(0, units[parent])
        parent = units[parent].get("parent")
    return path


@dashboard.get("/dashboard")
@signed_in
def view():
    year, unit = year_arg(), unit_arg()
    pending = request.args.get("include") == "pending"
    card = scorecard(year, unit, pending)
    return render_template(
        "dashboard.html",
        year=year,
        years=fetch_or([], "catalogue", "/years"),
        card=card,
        below=units_below(year, unit),
        trail=trail(card),
        history=history(year, unit),
        pending=pending,
        charts=CHARTS,
    )


def _kpi_labels(card: dict) -> list[str]:
    return [k["kpi"] for k in card["kpis"]]


@dashboard.get("/dashboard/charts/<name>.svg")
@signed_in
def chart(name: str):
    if name not in CHARTS:
        abort(404)
    year, unit = year_arg(), unit_arg()
    card = scorecard(year, unit, request.args.get("include") == "pending")
    if name == "kpis":
        svg = charts.bars(
            _("Achievement by KPI (per cent of target)"),
            _kpi_labels(card),
            [k["achievement"] for k in card["kpis"]],
            "%",
        )
    elif name == "units":
        below = units_below(year, unit)
        svg = charts.bars(
            _("Score (1-5) of the units below"),
            [u["unit"] for u in below],
            [u["score"] for u in below],
        )
    elif name == "history":
        months = history(year, unit)
        svg = charts.over_the_year(
            _("Completion and score over the year"),
            [m["label"] for m in months],
            (_("Completion (per cent)"), [m["completion"] for m in months]),
            (_("Overall score (1-5)"), [m["score"] for m in months]),
        )
    else:
        reports = [k["reports"] for k in card["kpis"]]
        svg = charts.completion(
            _("Reports due so far, by KPI"),
            _kpi_labels(card),
            [
                (_("approved"), [r["approved"] for r in reports]),
                (_("awaiting approval"), [r["pending"] for r in reports]),
                (
                    _("missing"),
                    [max(r["due"] - r["approved"] - r["pending"], 0) for r in reports],
                ),
            ],
        )
    headers = {"Content-Security-Policy": charts.SVG_POLICY, "Cache-Control": "private, no-store"}
    return Response(svg, mimetype="image/svg+xml", headers=headers)
