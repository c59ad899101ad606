"""The reviewer's queue: reports filtered by region, unit, KPI, period and state, by due date.

It is also the list of the reports behind a figure of the dashboard: `within` a unit (the unit
and every unit below it, as the scorecard rolls them up) and a group of states (approved, with
those awaiting approval when the scorecard includes them).
"""

from __future__ import annotations

from collections.abc import Iterable

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from services.portal import texts
from services.portal.core import (
    api,
    fetch,
    fetch_or,
    kpis_of,
    picker_holds,
    principal,
    problem,
    signed_in,
    units,
    year_arg,
)
from services.portal.labels import lang, period_label
from services.portal.unit_tree import BELOW, scope_of
from services.portal.views import kpi_order

review = Blueprint("review", __name__)
FILTERS = ("unit", "kpi", "period", "state")
# The queue as it first opens: what waits for approval, in every unit.
DEFAULT_FILTERS = {**dict.fromkeys(FILTERS, ""), "state": "endorsed"}
PERIODS = (*(f"M{n:02d}" for n in range(1, 13)), "Q1", "Q2", "Q3", "Q4", "H1", "H2", "Y")
# What the scorecard counts as awaiting approval, and its actual with `include=pending`.
STATE_GROUPS = {
    "pending": ("submitted", "endorsed"),
    "approved_or_pending": ("approved", "submitted", "endorsed"),
}
STATES = ("submitted", "endorsed", "returned", "approved", "draft", *STATE_GROUPS)
PAGE = 1000
MOST = 10 * PAGE  # a list longer than this is no list to read: narrow the filters


@review.app_template_filter("zip")
def zip_filter(values, texts) -> list[tuple]:
    """Pairs for a drop-down: `codes|zip(names)`."""
    return list(zip(values, texts, strict=False))


@review.app_template_filter("period_of")
def period_of(period: str, year: int) -> str:
    return period_label(year, period)


def holds_others(code: str, mine: Iterable[str]) -> bool:
    """Whether the unit or any unit below it is not one of `mine`, asked of the catalogue a
    level at a time (`?parent=`) until one is found."""
    own, level = set(mine), [code]
    while level:
        if set(level) - own:
            return True
        level = [u["code"] for c in level for u in fetch_or([], "catalogue", "/units", parent=c)]
    return False


def chosen_filters(args) -> dict[str, str]:
    """The queue's filters from its address: one unit picker (`unit`: "R1", or "R1*" with the
    units below it); the dashboard's and the home page's `within=R1` and an older `region=R1`
    read as "R1*"."""
    chosen = {name: args.get(name, DEFAULT_FILTERS[name]).strip()[:100] for name in FILTERS}
    for wider in ("within", "region"):
        if not chosen["unit"] and args.get(wider, "").strip():
            chosen["unit"] = scope_of(args[wider]).unit + BELOW
    return chosen


def _pages(year: int, asked: dict[str, str]) -> list[dict]:
    """Every page of the workflow's answer (a region's reports pass one page), up to MOST;
    the workflow answers only the reports the user may see."""
    found: list[dict] = []
    while len(found) < MOST:
        page = fetch("workflow", "/reports", year=year, limit=PAGE, offset=len(found), **asked)
        found += page
        if len(page) < PAGE:
            break
    return found


def queue(year: int, chosen: dict[str, str]) -> tuple[list[dict], bool]:
    """The year's reports matching the filters, soonest due first, with their due dates; and
    whether a state's reports reached MOST (the list may then be cut short)."""
    asked = {k: chosen[k] for k in ("kpi", "period") if chosen[k]}
    # The workflow narrows to a unit, or to a unit and those below it (a region is one).
    asked |= scope_of(chosen["unit"]).params()
    states = STATE_GROUPS.get(chosen["state"], (chosen["state"],))
    pages = [_pages(year, {**asked, "state": state} if state else asked) for state in states]
    found = [r for page in pages for r in page]
    found.sort(key=lambda r: (r["due_on"] or "9999", r["unit"], kpi_order(r["kpi"]), r["period"]))
    return found, any(len(page) >= MOST for page in pages)


@review.get("/review")
@signed_in
def view():
    year = year_arg()
    chosen = chosen_filters(request.args)
    known = units()
    me = principal()
    scope = scope_of(chosen["unit"])
    if scope.below and not picker_holds(scope.chosen, True) and picker_holds(scope.unit, True):
        chosen["unit"] = scope.unit  # nothing below it: the unit alone, as the picker says
    # The workflow lists one's own units' reports only; a scorecard also counts those below.
    others_below = scope.below and not me.sees_all_units and holds_others(scope.unit, me.units)
    reports, cut = queue(year, chosen)
    return render_template(
        "review.html",
        year=year,
        chosen=chosen,
        reports=reports,
        # Where a report opened from the queue leads back to after an action: this list.
        queue_url=url_for("review.view", year=year, **{k: v for k, v in chosen.items() if v}),
        cut=cut,
        most=MOST,
        others_below=others_below,
        kpis=kpis_of(year),
        units=known,
        periods=PERIODS,
        states=STATES,
    )


@review.post("/review/approve")
@signed_in
def approve():
    """Approve the ticked reports; each one's result is shown (one refused leaves the rest)."""
    # Back to the same queue, filters and year as they were, at the list.
    kept = {k: v for k, v in chosen_filters(request.args).items() if v}
    if request.args.get("year"):
        kept["year"] = request.args["year"]
    back = url_for("review.view", **kept, _anchor="queue")
    targets = []
    for ticked in request.form.getlist("report"):
        report_id, _sep, version = ticked.partition(":")
        targets.append(
            {"id": report_id, **({"version": int(version)} if version.isdigit() else {})}
        )
    if not targets:
        flash(_("Tick the reports first."), "error")
        return redirect(back)
    resp = api(
        "workflow", "POST", "/reports/transitions", json={"action": "approve", "reports": targets}
    )
    if not resp.ok:
        flash(problem(resp).get("detail") or _("The request was refused."), "error")
        return redirect(back)
    for result in resp.json()["results"]:
        label = request.form.get(f"label-{result['id']}", result["id"])
        if result["ok"]:
            flash(_("%(report)s: approved.", report=label), "ok")
        else:
            flash(
                _(
                    "%(report)s: not approved (%(why)s).",
                    report=label,
                    why=texts.refusal_detail(result.get("detail", ""), lang()),
                ),
                "error",
            )
    return redirect(back)
