"""The reviewer's queue: reports filtered by region, unit, KPI, period and state, by due date."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from services.portal.core import api, fetch, kpis_of, problem, signed_in, units, year_arg
from services.portal.labels import period_label
from services.portal.views import kpi_order

review = Blueprint("review", __name__)
FILTERS = ("region", "unit", "kpi", "period", "state")
PERIODS = (*(f"M{n:02d}" for n in range(1, 13)), "Q1", "Q2", "Q3", "Q4", "H1", "H2", "Y")
STATES = ("submitted", "endorsed", "returned", "approved", "draft")


@review.app_template_filter("zip")
def zip_filter(values, texts) -> list[tuple]:
    """Pairs for a drop-down: `codes|zip(names)`."""
    return list(zip(values, texts, strict=False))


@review.app_template_filter("period_of")
def period_of(period: str, year: int) -> str:
    return period_label(year, period)


def region_of(code: str, known: dict[str, dict]) -> str:
    """The regional office a unit is or hangs under ("" for units outside the regions)."""
    unit = known.get(code, {})
    if unit.get("kind") == "region":
        return code
    parent = known.get(unit.get("parent") or "", {})
    return parent.get("code", "") if parent.get("kind") == "region" else ""


def queue(year: int, chosen: dict[str, str]) -> list[dict]:
    """The year's reports matching the filters, soonest due first (each carries its due date
    and late flag)."""
    asked = {k: chosen[k] for k in ("unit", "kpi", "period", "state") if chosen[k]}
    found = fetch("workflow", "/reports", year=year, limit=1000, **asked)
    known = units()
    if chosen["region"]:
        found = [r for r in found if region_of(r["unit"], known) == chosen["region"]]
    found.sort(key=lambda r: (r["due_on"] or "9999", r["unit"], kpi_order(r["kpi"]), r["period"]))
    return found


@review.get("/review")
@signed_in
def view():
    year = year_arg()
    chosen = {name: request.args.get(name, "").strip() for name in FILTERS}
    if "state" not in request.args:
        chosen["state"] = "endorsed"
    known = units()
    return render_template(
        "review.html",
        year=year,
        chosen=chosen,
        reports=queue(year, chosen),
        regions=sorted(c for c, u in known.items() if u.get("kind") == "region"),
        unit_choices=sorted(known),
        kpis=kpis_of(year),
        units=known,
        periods=PERIODS,
        states=STATES,
    )


@review.post("/review/approve")
@signed_in
def approve():
    """Approve the ticked reports; each one's result is shown (one refused leaves the rest)."""
    back = url_for("review.view", **{k: v for k, v in request.args.items() if k in FILTERS})
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
                    why=result.get("detail", ""),
                ),
                "error",
            )
    return redirect(back)
