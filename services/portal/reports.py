"""A report's page, its transitions (one or many), and the form that creates or edits it."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from services.portal import forms, rights, texts, thai
from services.portal.core import (
    actor,
    api,
    fetch,
    fetch_or,
    kpis_of,
    local_path,
    problem,
    signed_in,
    units,
    year_arg,
)
from services.portal.labels import DATE_PROBLEM, lang

reports = Blueprint("reports", __name__)

DONE = {
    "submit": _l("The report was submitted to the unit head."),
    "endorse": _l("The report was endorsed and sent to the management group."),
    "approve": _l("The report was approved."),
    "return": _l("The report was returned to its unit."),
    "reopen": _l("The report was reopened."),
}


def refusal(resp) -> str:
    """Why the workflow refused, in the user's language (the API's own words follow)."""
    body = problem(resp)
    errors = body.get("errors") or {}
    if resp.status_code == 422 and "comment" in errors:
        return _("A return needs a comment saying why.")
    if resp.status_code == 409:
        return _("The report changed meanwhile (its state or data), so nothing was done.")
    if resp.status_code == 403 and body.get("reason") == "separation_of_duties":
        return texts.separation_refusal()
    if resp.status_code == 403:
        return _("Your roles do not allow this on this report.")
    if resp.status_code == 422 and errors:
        # Why, in the user's language: a submit without a value says what the value lacks.
        said = texts.field_messages(errors, lang())
        return " ".join(message for messages in said.values() for message in messages)
    return _("The request was refused.")


def _flash_refusal(resp) -> None:
    detail = problem(resp).get("detail")
    flash(refusal(resp), "error")
    if detail and lang() == "en":
        flash(detail, "detail")


# --- the report page --------------------------------------------------------------------


@reports.get("/reports/<id:report_id>")
@signed_in
def view(report_id: str):
    report = fetch("workflow", f"/reports/{report_id}")
    kpi = kpis_of(report["year"]).get(report["kpi"], {})
    audit = fetch_or([], "workflow", f"/reports/{report_id}/audit")
    sent_back = [h for h in report.get("history", []) if h.get("action") in ("return", "reopen")]
    return render_template(
        "report.html",
        report=report,
        back=local_path(request.args.get("back")),
        sent_back=sent_back[-1] if report["state"] == "returned" and sent_back else None,
        kpi=kpi,
        shape=forms.shape_of(kpi),
        unit=units().get(report["unit"], {}),
        actions=rights.actions(report),
        editable=rights.may_edit(report),
        audit=audit,
        files=[
            fetch_or({"id": f["id"]}, "evidence", f"/files/{f['id']}") for f in report["evidence"]
        ],
        reason=lambda item: texts.not_counted_reason(
            item, report.get("counting_rule"), report["year"], lang()
        ),
    )


@reports.post("/reports/<id:report_id>/transitions")
@signed_in
def transition(report_id: str):
    action = request.form.get("action", "")
    body: dict[str, Any] = {"action": action, "comment": request.form.get("comment", "").strip()}
    if request.form.get("version", "").isdigit():
        body["version"] = int(request.form["version"])
    resp = api("workflow", "POST", f"/reports/{report_id}/transitions", json=body)
    if resp.status_code == 404:
        abort(404)
    # Opened from a list (the review queue), the report leads back to it, filters and place.
    back = local_path(request.form.get("back"))
    if resp.ok:
        flash(DONE.get(action, _("Done.")), "ok")
        return redirect(back or url_for("reports.view", report_id=report_id))
    _flash_refusal(resp)
    return redirect(url_for("reports.view", report_id=report_id, back=back))


@reports.post("/reports/transitions")
@signed_in
def bulk():
    """The same action on the reports ticked in a list (approve many, endorse many)."""
    action = request.form.get("action", "")
    targets = []
    for ticked in request.form.getlist("report"):
        report_id, _sep, version = ticked.partition(":")
        target = {"id": report_id}
        if version.isdigit():
            target["version"] = int(version)
        targets.append(target)
    back = local_path(request.form.get("back")) or url_for("pages.home")
    if not targets:
        flash(_("Tick the reports first."), "error")
        return redirect(back)
    body = {"action": action, "reports": targets}
    resp = api("workflow", "POST", "/reports/transitions", json=body)
    if not resp.ok:
        _flash_refusal(resp)
        return redirect(back)
    result = resp.json()
    flash(_("%(n)d reports done.", n=result["succeeded"]), "ok")
    if result["failed"]:
        failed = _("%(n)d reports were not: they changed or are not yours.", n=result["failed"])
        flash(failed, "error")
    return redirect(back)


# --- creating and editing ----------------------------------------------------------------


def _slot_args() -> dict[str, Any]:
    source = request.form if request.method == "POST" else request.args
    return {
        "year": year_arg() if request.method == "GET" else _int(source.get("year")),
        "unit": (source.get("unit") or "").strip(),
        "kpi": (source.get("kpi") or "").strip(),
        "period": (source.get("period") or "").strip(),
    }


def _int(text: str | None) -> int:
    return int(text) if text and text.isdigit() else 0


@reports.route("/reports/new", methods=["GET", "POST"])
@signed_in
def new():
    slot = _slot_args()
    me = actor()
    writers = rights.writer_units(me)
    if not slot["unit"] and len(writers) == 1:
        slot["unit"] = writers[0]
    if slot["unit"] and slot["unit"] not in writers:
        abort(404)
    if not slot["unit"] or not slot["kpi"] or not slot["period"]:
        return _choose(slot, writers)
    kpi = kpis_of(slot["year"]).get(slot["kpi"])
    if kpi is None:
        abort(404)
    applies = _applicability(slot)
    shape = forms.shape_of(_as_reported(kpi, applies))
    if request.method == "GET":
        return _form(slot, kpi, shape, applies=applies)
    return _post_form(slot, kpi, shape, applies=applies, report=None)


def _applicability(slot: dict) -> dict:
    """Whether the unit reports the KPI in the period, and the period's dates."""
    return fetch(
        "catalogue",
        f"/years/{slot['year']}/applicability",
        unit=slot["unit"],
        kpi=slot["kpi"],
        period=slot["period"],
    )


def _as_reported(kpi: dict, applies: dict) -> dict:
    """The KPI as this unit reports it: the catalogue's table says how (the department types
    the KPIs regional offices need not report)."""
    method = (applies.get("reporting") or {}).get("method")
    return {**kpi, "method": method} if method in ("entry", "template") else kpi


def not_reported(applies: dict | None) -> str | None:
    """Why the unit does not report the KPI in the period, in the page's language."""
    if not applies or applies.get("reports"):
        return None
    reasons = {
        "imported": _(
            "Its figures come in through the management group's import, never typed by a unit."
        ),
        "unit": _("Units of this kind do not report this KPI."),
        "period": _("This period is not one of the KPI's reporting periods."),
    }
    return reasons.get(applies.get("why") or "")


def _choose(slot: dict, writers: list[str]):
    """Pick the unit, then the KPI, then the period of a new report."""
    year = slot["year"]
    rows: list[dict] = []
    if slot["unit"]:
        params = {"year": year, "unit": slot["unit"]}
        if slot["kpi"]:
            params["kpi"] = slot["kpi"]
        # The progress holds only what the unit types or uploads: imports are never its due.
        rows = fetch("workflow", "/progress", **params).get("rows", [])
    return render_template(
        "choose.html", slot=slot, writers=writers, rows=rows, kpis=kpis_of(year), units=units()
    )


@reports.route("/reports/<id:report_id>/edit", methods=["GET", "POST"])
@signed_in
def edit(report_id: str):
    report = fetch("workflow", f"/reports/{report_id}")
    if not rights.may_edit(report):
        flash(_("This report cannot be changed in its state, or not by you."), "error")
        return redirect(url_for("reports.view", report_id=report_id))
    slot = {k: report[k] for k in ("year", "unit", "kpi", "period")}
    kpi = kpis_of(report["year"]).get(report["kpi"], {})
    applies = _applicability(slot)
    shape = forms.shape_of(_as_reported(kpi, applies))
    if request.method == "GET":
        return _form(slot, kpi, shape, applies=applies, report=report)
    return _post_form(slot, kpi, shape, applies=applies, report=report)


def _files_of(slot: dict) -> list[dict]:
    """Evidence files uploaded for the slot, oldest first."""
    listed = fetch_or(
        [],
        "evidence",
        "/files",
        unit=slot["unit"],
        year=slot["year"],
        kpi=slot["kpi"],
        period=slot["period"],
    )
    return sorted(listed, key=lambda f: str(f.get("uploaded_at") or ""))


def _form(
    slot: dict,
    kpi: dict,
    shape: forms.Shape,
    *,
    applies: dict | None = None,
    report: dict | None = None,
    rows: list[dict] | None = None,
    values: dict | None = None,
    errors: dict | None = None,
    chosen: list[str] | None = None,
    status: int = 200,
    preview: dict | None = None,
):
    if values is None:
        values = {
            "note": (report or {}).get("note") or "",
            "value": _entered(report),
            "numerator": ((report or {}).get("value_basis") or {}).get("numerator"),
        }
    show_saved = rows is None and report is not None
    if rows is None:
        rows = forms.with_blank_rows(forms.stored_items((report or {}).get("items")))
    files = _files_of(slot) if shape.kind == "evidence" else []
    if chosen is None:
        attached = [str(i) for i in (report or {}).get("evidence_ids") or []]
        chosen = attached if report else [str(f["id"]) for f in files]
    return (
        render_template(
            "report_form.html",
            slot=slot,
            kpi=kpi,
            shape=shape,
            applies=applies,
            not_reported=not_reported(applies),
            report=report,
            rows=rows,
            saved=(report or {}).get("items") or [],
            show_saved=show_saved,
            may_submit=rights.may_submit(actor(), report, slot["unit"]),
            values=values,
            errors=errors or {},
            general=forms.unplaced(errors or {}, shape, len(rows)),
            files=files,
            chosen=chosen,
            preview=preview,
            unit=units().get(slot["unit"], {}),
            reason=lambda item: texts.not_counted_reason(
                item, kpi.get("counting_rule"), slot["year"], lang()
            ),
        ),
        status,
    )


def _entered(report: dict | None) -> Any:
    if report and report.get("value_source") == "entered":
        return report.get("value")
    return None


def _date_problems(shape: forms.Shape, items: list[dict]) -> dict[str, list[str]]:
    """Item dates typed as day, month and BE year that are no date: why, on their field (the
    API only says that they are not dates)."""
    found = {}
    for n, item in enumerate(items):
        for column in shape.columns:
            if column.type == forms.DATE and (why := thai.typed_problem(item.get(column.name))):
                found[f"items.{n}.{column.name}"] = [str(DATE_PROBLEM[why])]
    return found


def _post_form(
    slot: dict, kpi: dict, shape: forms.Shape, *, applies: dict | None, report: dict | None
):
    """Add or remove an item row, or save the report (and submit it when asked)."""
    op = request.form.get("op", "save")
    values = {k: request.form.get(k, "") for k in ("note", "value", "numerator")}
    chosen = request.form.getlist("evidence_ids")
    again = dict(applies=applies, report=report, values=values, chosen=chosen)
    if op == "add" or op.startswith("remove-"):
        rows = forms.posted_rows(shape.columns, request.form)
        rows = rows + [{}] if op == "add" else forms.removed(rows, op.removeprefix("remove-"))
        return _form(slot, kpi, shape, rows=rows, **again)
    body = forms.report_body(shape, request.form)
    if shape.kind == "evidence":
        body["evidence_ids"] = forms.evidence_ids(chosen, _files_of(slot))
        if values["value"].strip():
            body["value"] = forms.report_body(forms.Shape("value"), request.form)["value"]
    if op == "preview":
        resp = api("workflow", "POST", "/reports/preview", json={**slot, **body})
        if resp.ok:
            rows = forms.with_blank_rows(body.get("items") or [])
            return _form(slot, kpi, shape, rows=rows, preview=resp.json(), **again)
    elif report is None:
        resp = api("workflow", "POST", "/reports", json={**slot, **body})
    else:
        body["version"] = report["version"]
        resp = api("workflow", "PATCH", f"/reports/{report['id']}", json=body)
    if resp.status_code == 409 and problem(resp).get("report_id"):
        flash(_("This unit already has a report for that KPI and period: here it is."), "error")
        return redirect(url_for("reports.view", report_id=problem(resp)["report_id"]))
    if not resp.ok:
        if resp.status_code == 404:
            abort(404)
        body_problem = problem(resp)
        errors = texts.field_messages(body_problem.get("errors"), lang())
        errors.update(_date_problems(shape, body.get("items") or []))
        if resp.status_code != 422:
            _flash_refusal(resp)
        rows = forms.with_blank_rows(body.get("items") or [])
        return _form(slot, kpi, shape, rows=rows, errors=errors, status=resp.status_code, **again)
    saved = resp.json()
    flash(_("The report was saved."), "ok")
    if op == "submit":
        sent = api(
            "workflow",
            "POST",
            f"/reports/{saved['id']}/transitions",
            json={"action": "submit", "version": saved["version"]},
        )
        if sent.ok:
            flash(DONE["submit"], "ok")
        else:
            _flash_refusal(sent)
    return redirect(url_for("reports.view", report_id=saved["id"]))
