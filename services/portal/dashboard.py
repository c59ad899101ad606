"""The dashboard: the scorecard of the user's scope with charts, drilling down from the
department to a region, a unit and the reports behind a number; and its exports."""

from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, request, url_for
from flask_babel import gettext as _

from services.portal import charts, thai
from services.portal.core import fetch, fetch_or, signed_in, unit_arg, unit_label, year_arg
from services.portal.labels import lang
from services.portal.unit_tree import BELOW

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


def not_submitted(reports: dict) -> int:
    """A KPI's reports due and neither approved nor awaiting approval. Its approved and
    pending also count reports sent before their due date, which `due` does not hold yet: the
    difference may fall short, never below zero."""
    return max(reports["due"] - reports["approved"] - reports["pending"], 0)


def counted(pending: bool) -> str:
    """The review list's state filter for what an actual counts: approved reports, and those
    awaiting approval when the scorecard includes them."""
    return "approved_or_pending" if pending else "approved"


def behind(year: int, unit: str, kpi: str, state: str) -> str:
    """The list of the reports behind a figure: the year's reports of the KPI in that state,
    of the unit and every unit below it (as the scorecard rolls them up)."""
    return url_for("review.view", year=year, unit=unit + BELOW, kpi=kpi, state=state)


def trail(card: dict) -> list[dict]:
    """The units above the shown one, department first, for the way back up (asked of the
    catalogue as those few units, not its whole tree)."""
    return fetch_or([], "catalogue", "/units", above=card["unit"]) if card.get("parent") else []


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
        counted=counted(pending),
        behind=behind,
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
    pending = request.args.get("include") == "pending"
    card = scorecard(year, unit, pending)
    if name == "kpis":
        svg = charts.bars(
            _("Achievement by KPI (per cent of target)"),
            _kpi_labels(card),
            [k["achievement"] for k in card["kpis"]],
            "%",
            links=[behind(year, unit, k["kpi"], counted(pending)) for k in card["kpis"]],
        )
    elif name == "units":
        below = units_below(year, unit)
        shown = {"include": "pending"} if pending else {}
        svg = charts.bars(
            _("Score (1-5) of the units below"),
            [u["unit"] for u in below],
            [u["score"] for u in below],
            links=[url_for("dashboard.view", year=year, unit=u["unit"], **shown) for u in below],
            names=[unit_label(u["unit"]) for u in below],
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
        kpis = [k["kpi"] for k in card["kpis"]]
        reports = [k["reports"] for k in card["kpis"]]
        svg = charts.completion(
            _("Reports due so far, by KPI"),
            kpis,
            [
                (
                    _("approved"),
                    [r["approved"] for r in reports],
                    [behind(year, unit, kpi, "approved") for kpi in kpis],
                ),
                (
                    _("awaiting approval"),
                    [r["pending"] for r in reports],
                    [behind(year, unit, kpi, "pending") for kpi in kpis],
                ),
                (
                    _("missing"),
                    [not_submitted(r) for r in reports],
                    [url_for("progress.view", year=year, unit=unit, kpi=kpi) for kpi in kpis],
                ),
            ],
        )
    headers = {
        "Content-Security-Policy": charts.SVG_POLICY,
        "X-Frame-Options": "SAMEORIGIN",  # the dashboard frames the charts with links
        "Cache-Control": "private, no-store",
    }
    return Response(svg, mimetype="image/svg+xml", headers=headers)
