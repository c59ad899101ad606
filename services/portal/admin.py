"""Administrators' pages: users and memberships, the catalogue's years, targets and owners,
the due-date schedule, the scorecard's scoring data and the form templates. Every change goes
through the owning service's API, which checks the role again and says what is wrong."""

from __future__ import annotations

import base64
import csv
import io
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from common import intake
from common.errors import DomainError, PayloadTooLarge, UnsupportedMediaType
from common.intake.text import encoding_of
from services.portal import memberships
from services.portal.core import (
    api,
    fetch,
    fetch_or,
    kpis_of,
    principal,
    problem,
    signed_in,
    units,
    year_arg,
)
from services.portal.labels import lang
from services.portal.paging import paged
from services.portal.texts import field_messages
from services.portal.unit_tree import natural
from services.portal.views import kpi_order

admin = Blueprint("admin", __name__, url_prefix="/admin")
ROLES = ("reporter", "unit_head", "reviewer", "auditor", "admin")
# Under the portal's 1 MB request limit, with room for the form around the file.
MAX_SHEET_BYTES = 900_000
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PLAN_COLUMNS = ("target", "denominator", "responsible", "data_collector")
# Rows a page of the long admin lists holds.
SCHEDULE_PAGE = 25
USERS_PAGE = 30


YEAR_STATUS = {"draft": _l("draft"), "open": _l("open"), "closed": _l("closed")}
# The catalogue's scoring codes in words (services/catalogue/scoring.py says what each means).
SCORING_WORDS = {
    "direction": {"up": _l("more is better"), "down": _l("less is better")},
    "aggregation": {
        "sum": _l("sum of the periods"),
        "distinct": _l("distinct people over the year"),
        "latest": _l("latest period's value"),
        "ratio": _l("summed numerators over summed denominators"),
    },
    "rollup": {
        "sum": _l("sum of the units"),
        "mean": _l("mean of the units with a value"),
        "ratio": _l("summed numerators over summed denominators"),
    },
    "thresholds_on": {"level": _l("level"), "achievement": _l("achievement (per cent of target)")},
}


@admin.app_template_filter("year_status")
def year_status(code: str) -> str:
    return str(YEAR_STATUS.get(code, code))


@admin.before_request
def _admins_only():
    if not principal().has_role("admin"):
        abort(404)


def _refused(resp) -> None:
    body = problem(resp)
    flash(body.get("detail") or _("The request was refused."), "error")
    for name, messages in (body.get("errors") or {}).items():
        flash(f"{name}: {'; '.join(map(str, messages))}", "detail")


def unconfirmed(destructive: bool) -> bool:
    """A change that cannot be taken back came without its box ticked: say so, change nothing.
    (The box is `required` in the page; this holds when the page is bypassed.)"""
    if destructive and request.form.get("sure") != "yes":
        flash(_("Nothing was changed: tick the box to confirm first."), "error")
        return True
    return False


# --- users ---------------------------------------------------------------------------------


USER_FIELDS = ("username", "display_name", "email")
BLANK_ROW = {"unit": "", "role": ""}


@admin.get("/users")
@signed_in
def users():
    editing = request.args.get("edit", "").strip()[:64]
    rows = []
    if editing:
        found = fetch_or({}, "identity", f"/users/{editing}/memberships")
        rows = memberships.stored_rows(found.get("memberships", [])) or [BLANK_ROW]
    return _users_page(editing=editing, rows=rows)


def _users_page(
    editing: str = "",
    rows: list | None = None,
    errors: dict | None = None,
    new: dict | None = None,
    status: int = 200,
):
    """The users (those holding a role in a unit when asked, a page at a time), one user's
    memberships in a form when chosen, and the new user's form, each as typed."""
    asked = {"unit": request.args.get("unit", "").strip()[:32]}
    asked["role"] = request.args.get("role", "") if request.args.get("role") in ROLES else ""
    asked["q"] = request.args.get("q", "").strip()[:200]
    listed = fetch("identity", "/users", **{k: v for k, v in asked.items() if v})
    shown, pager = paged(sorted(listed, key=lambda u: u["username"]), USERS_PAGE)
    new = new or {}
    return (
        render_template(
            "admin_users.html",
            users=shown,
            pager=pager,
            asked=asked,
            roles=ROLES,
            editing=editing,
            rows=rows or [],
            new=new,
            new_rows=new.get("rows") or [BLANK_ROW],
            errors=errors or {},
        ),
        status,
    )


def _posted_rows() -> list[dict[str, str]]:
    return memberships.posted_rows(request.form.getlist("m-unit"), request.form.getlist("m-role"))


def _refusal_errors(resp, rows: list[dict[str, str]]) -> dict:
    """identity's refusal by field, in the user's language, the memberships' by row."""
    body = problem(resp)
    said = body.get("errors") or {}
    errors: dict[str, Any] = field_messages(
        {k: v for k, v in said.items() if k != "memberships"}, lang()
    )
    errors["rows"] = memberships.row_errors(_messages(said.get("memberships")), rows)
    if not said:
        flash(body.get("detail") or _("The request was refused."), "error")
    return errors


def _messages(value) -> list[str]:
    """The messages of a field's errors, however nested (a list, or one list per entry)."""
    if isinstance(value, dict):
        return [m for inner in value.values() for m in _messages(inner)]
    if isinstance(value, list | tuple):
        return [m for inner in value for m in _messages(inner)]
    return [str(value)] if value else []


@admin.post("/users")
@signed_in
def create_user():
    form = request.form
    new = {name: form.get(name, "").strip() for name in USER_FIELDS}
    new["rows"] = _posted_rows()
    if (changed := memberships.edited(new["rows"], form.get("op", ""))) is not None:
        return _users_page(new={**new, "rows": changed})
    body = {
        **{name: new[name] for name in USER_FIELDS},
        "password": form.get("password", ""),
        # As text: identity reads it (its one rule for it) and names a wrong entry.
        "memberships": memberships.as_text(new["rows"]),
    }
    resp = api("identity", "POST", "/users", json=body)
    if resp.status_code == 201:
        flash(_("User %(name)s created.", name=body["username"]), "ok")
        return redirect(url_for("admin.users"))
    errors = _refusal_errors(resp, new["rows"])
    return _users_page(new=new, errors={"new": errors}, status=resp.status_code)


@admin.post("/users/<username>")
@signed_in
def change_user(username: str):
    """Disable or enable a user, or replace their memberships."""
    if "m-unit" in request.form or "m-role" in request.form:
        return _change_memberships(username)
    body = {"active": request.form.get("active") == "true"}
    if unconfirmed(not body["active"]):
        return redirect(url_for("admin.users"))
    resp = api("identity", "PATCH", f"/users/{username}", json=body)
    if resp.ok:
        flash(_("User %(name)s changed.", name=username), "ok")
    else:
        _refused(resp)
    return redirect(url_for("admin.users"))


def _change_memberships(username: str):
    rows = _posted_rows()
    if (changed := memberships.edited(rows, request.form.get("op", ""))) is not None:
        return _users_page(editing=username, rows=changed)
    body = {"memberships": memberships.as_text(rows)}
    resp = api("identity", "PUT", f"/users/{username}/memberships", json=body)
    if resp.ok:
        flash(_("User %(name)s changed.", name=username), "ok")
        return redirect(url_for("admin.users"))
    errors = _refusal_errors(resp, rows)
    return _users_page(
        editing=username, rows=rows, errors={"edit": errors}, status=resp.status_code
    )


@admin.post("/users/import")
@signed_in
def import_users():
    """A CSV of users: a preview with each line's errors first, then all rows or none."""
    upload = request.files.get("file")
    raw = upload.read(MAX_SHEET_BYTES + 1) if upload else request.form.get("csv", "").encode()
    if not raw or len(raw) > MAX_SHEET_BYTES:
        flash(_("Choose a CSV file (at most 900 KB)."), "error")
        return redirect(url_for("admin.users"))
    try:
        intake.inspect(io.BytesIO(raw), "csv")
    except DomainError as exc:
        flash(exc.detail, "error")
        return redirect(url_for("admin.users"))
    commit = request.form.get("commit") == "true"
    resp = api(
        "identity",
        "POST",
        "/users/import",
        params={"commit": "true" if commit else "false"},
        files={"file": ("users.csv", raw, "text/csv")},
    )
    if not resp.ok:
        _refused(resp)
        return redirect(url_for("admin.users"))
    result = resp.json()
    if result.get("committed"):
        flash(_("%(n)d users imported.", n=len(result["rows"])), "ok")
        return redirect(url_for("admin.users"))
    return render_template("admin_import.html", result=result, csv=raw.decode("utf-8-sig"))


# --- years and schedule --------------------------------------------------------------------


@admin.route("/years", methods=["GET", "POST"])
@signed_in
def years():
    """Open the next year as a copy, open or close a year, change its due-day rule."""
    if request.method == "POST":
        form = request.form
        if form.get("copy_from"):
            body = {
                "year": form.get("year", type=int),
                "copy_from": form.get("copy_from", type=int),
            }
            resp = api("catalogue", "POST", "/years", json=body)
        else:
            if unconfirmed(form.get("status") == "closed"):
                return redirect(url_for("admin.years"))
            change: dict[str, Any] = {}
            if form.get("status"):
                change["status"] = form["status"]
            if form.get("due_days", "").strip():
                change["due_days"] = form.get("due_days", type=int)
            resp = api("catalogue", "PATCH", f"/years/{form.get('year', type=int)}", json=change)
        if resp.ok:
            flash(_("Fiscal year %(year)s saved.", year=resp.json().get("year")), "ok")
        else:
            _refused(resp)
        return redirect(url_for("admin.years"))
    listed = fetch("catalogue", "/years")
    latest = max((y["year"] for y in listed), default=2547)
    return render_template("admin_years.html", years=listed, next_year=latest + 1)


@admin.get("/schedule")
@signed_in
def schedule():
    """The year's due dates, a page at a time; the catalogue narrows them to a unit or KPI."""
    year = year_arg()
    asked = {k: request.args.get(k, "").strip()[:32] for k in ("unit", "kpi")}
    rows = fetch("catalogue", f"/years/{year}/schedule", **{k: v for k, v in asked.items() if v})
    rows.sort(key=lambda r: (r["due_on"], kpi_order(r["kpi"]), natural(r["unit"])))
    shown, pager = paged(rows, SCHEDULE_PAGE)
    return render_template(
        "admin_schedule.html",
        year=year,
        asked=asked,
        rows=shown,
        pager=pager,
        about=fetch("catalogue", f"/years/{year}"),
        kpis=kpis_of(year),
    )


# --- targets and owners --------------------------------------------------------------------


def _plan(year: int, unit: str) -> list[dict]:
    """One row per KPI the unit reports: its target and owners as the catalogue holds them."""
    targets = {t["kpi"]: t for t in fetch_or([], "catalogue", f"/years/{year}/targets", unit=unit)}
    owners = {
        a["kpi"]: a for a in fetch_or([], "catalogue", f"/years/{year}/assignments", unit=unit)
    }
    # The KPIs the unit has a part in (typed, uploaded or imported), from the year's table.
    kind = units().get(unit, {}).get("kind")
    table = fetch_or([], "catalogue", f"/years/{year}/applicability")
    reported = {r["kpi"] for r in table if r["unit_type"] == kind and r["method"] != "none"}
    return [
        {
            "kpi": code,
            **dict.fromkeys(PLAN_COLUMNS),
            **targets.get(code, {}),
            **owners.get(code, {}),
        }
        for code in sorted(reported | targets.keys(), key=kpi_order)
    ]


def _number(text: str) -> float | None:
    text = text.strip().replace(",", "")
    return float(text) if text else None


def sheet_kind(filename: str) -> str:
    """csv or xlsx from a sheet's name; 415 for any other."""
    ext = filename.rpartition(".")[2].lower() if "." in filename else ""
    if ext not in ("csv", "xlsx"):
        detail = f"Send a CSV or .xlsx sheet, not '.{ext or 'no extension'}'."
        raise UnsupportedMediaType(detail, {"sheet": [detail]}, reason="type-not-allowed")
    return ext


def sheet_rows(filename: str, raw: bytes) -> list[dict[str, str]]:
    """Rows of a CSV (UTF-8 or cp874) or .xlsx sheet with the columns unit, kpi, target, ...

    The sheet passes the common intake first, as every upload does (its type by content, a
    workbook's package, cells that would run); a DomainError says what is wrong."""
    if len(raw) > MAX_SHEET_BYTES:
        detail = f"The sheet is larger than {MAX_SHEET_BYTES:,} bytes."
        raise PayloadTooLarge(detail, {"sheet": [detail]})
    spool = io.BytesIO(raw)
    kind = intake.inspect(spool, sheet_kind(filename), intake.SHEET_LIMITS)
    if kind == "xlsx":
        from openpyxl import load_workbook

        sheet = load_workbook(spool, read_only=True, data_only=True).active
        lines = [
            ["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)
        ]
    else:
        lines = list(csv.reader(io.StringIO(raw.decode(encoding_of(spool)))))
    header = [h.strip().lower() for h in lines[0]] if lines else []
    return [
        dict(zip(header, (c.strip() for c in line), strict=False))
        for line in lines[1:]
        if any(line)
    ]


def _put_plan(year: int, rows: list[dict[str, str]]) -> bool:
    """Send targets and owners of the given rows; False (with the reasons shown) if refused."""
    targets, owners = [], []
    try:
        for row in rows:
            if row.get("target", "").strip():
                target = {"unit": row["unit"], "kpi": row["kpi"], "target": _number(row["target"])}
                target["denominator"] = _number(row.get("denominator", ""))
                targets.append(target)
            if "responsible" in row or "data_collector" in row:
                owners.append(
                    {
                        "unit": row["unit"],
                        "kpi": row["kpi"],
                        "responsible": row.get("responsible", "").strip() or None,
                        "data_collector": row.get("data_collector", "").strip() or None,
                    }
                )
    except (KeyError, ValueError):
        flash(_("Every row needs unit and kpi, and numbers in target and denominator."), "error")
        return False
    for path, body in ((f"/years/{year}/targets", targets), (f"/years/{year}/assignments", owners)):
        if body:
            resp = api("catalogue", "PUT", path, json=body)
            if not resp.ok:
                _refused(resp)
                return False
    return True


@admin.route("/targets", methods=["GET", "POST"])
@signed_in
def targets():
    """Targets and owners of a unit's KPIs as an editable grid; or a CSV/xlsx of many units."""
    year = year_arg() if request.method == "GET" else request.form.get("year", type=int)
    unit = (request.args.get("unit") or request.form.get("unit") or "R1").strip()
    if request.method == "POST":
        upload = request.files.get("sheet")
        if upload and upload.filename:
            try:
                rows = sheet_rows(upload.filename, upload.read(MAX_SHEET_BYTES + 1))
            except DomainError as exc:
                rows = []
                flash(exc.detail, "error")
            except (ValueError, KeyError, OSError, IndexError):
                rows = []
                flash(_("The sheet cannot be read: a CSV in UTF-8 or an .xlsx file."), "error")
        else:
            rows = [
                {
                    "unit": unit,
                    "kpi": kpi,
                    **{c: request.form.get(f"{c}-{kpi}", "") for c in PLAN_COLUMNS},
                }
                for kpi in request.form.getlist("kpi")
            ]
            if wrong := _not_numbers(rows):
                return _targets_page(year, unit, request.form.to_dict(), wrong, 422)
        if rows and _put_plan(year, rows):
            flash(_("Targets and owners saved (%(n)d rows).", n=len(rows)), "ok")
        return redirect(url_for("admin.targets", year=year, unit=unit))
    return _targets_page(year, unit)


def _targets_page(year: int, unit: str, typed=None, errors=None, status: int = 200):
    """The unit's grid; a refused one shown again as typed, each error on its box."""
    page = render_template(
        "admin_targets.html",
        year=year,
        unit=unit,
        rows=_plan(year, unit),
        typed=typed or {},
        errors=errors or {},
        kpis=kpis_of(year),
    )
    return page, status


def _not_numbers(rows: list[dict[str, str]]) -> dict[str, list[str]]:
    """The grid's target and denominator boxes that hold text that is no number."""
    wrong = {}
    for row in rows:
        for column in ("target", "denominator"):
            try:
                _number(row.get(column, ""))
            except ValueError:
                wrong[f"{column}-{row['kpi']}"] = [_("A number is needed.")]
    return wrong


# --- scoring data ---------------------------------------------------------------------------


THRESHOLD_FIELDS = tuple(f"t{score}" for score in range(1, 6))
# What the forms print for levels 1..5: 7.1's and 9.3's milestones, 4.1's steps.
MILESTONE_FIELDS = tuple(f"m{level}" for level in range(1, 6))
STEP_FIELDS = tuple(f"s{level}" for level in range(1, 6))


def scoring_change(form) -> dict[str, Any]:
    """The scoring an admin sent: the choices, the weight, five thresholds, the forms' milestones
    or steps, and whether the criteria are confirmed (the button pressed). ValueError names a
    box that holds no number."""
    change: dict[str, Any] = {
        name: form[name] for name in ("direction", "aggregation", "rollup") if form.get(name)
    }
    if all(name in form for name in MILESTONE_FIELDS):
        change["milestones"] = [form[name].strip() for name in MILESTONE_FIELDS]
    numbers: dict[str, float] = {}
    for name in ("weight", *THRESHOLD_FIELDS, *STEP_FIELDS):
        if name in form:
            try:
                value = _number(form[name])
            except ValueError:
                value = None
            if value is None:
                raise ValueError(name)
            numbers[name] = value
    if "weight" in numbers:
        change["weight"] = numbers["weight"]
    if all(name in numbers for name in THRESHOLD_FIELDS):
        change["thresholds"] = [numbers[name] for name in THRESHOLD_FIELDS]
    if all(name in numbers for name in STEP_FIELDS):
        change["level_steps"] = [numbers[name] for name in STEP_FIELDS]
    change["confirmed"] = form.get("confirmed") == "true"
    return change


@admin.get("/scoring")
@signed_in
def scoring():
    """Each KPI's scoring in a year; the one chosen (`kpi`) in a form to edit and confirm."""
    return _scoring_page(year_arg(), request.args.get("kpi"))


def _scoring_page(year: int, kpi: str | None, typed=None, errors=None, status: int = 200):
    """The scoring page; a refused form shown again as typed, each error on its field."""
    rows = sorted(
        fetch_or([], "catalogue", f"/years/{year}/scoring"), key=lambda r: kpi_order(r["kpi"])
    )
    chosen = next((r for r in rows if r["kpi"] == kpi), None)
    page = render_template(
        "admin_scoring.html",
        year=year,
        rows=rows,
        chosen=chosen,
        typed=typed or {},
        errors=errors or {},
        words=SCORING_WORDS,
        kpis=kpis_of(year),
    )
    return page, status


@admin.post("/scoring/<kpi:kpi>")
@signed_in
def change_scoring(kpi: str):
    year = request.form.get("year", type=int) or year_arg()
    typed = request.form.to_dict()
    try:
        change = scoring_change(request.form)
    except ValueError as exc:
        said = {exc.args[0]: [_("A number is needed.")]}
        return _scoring_page(year, kpi, typed, said, 422)
    if unconfirmed(change.get("confirmed") is True):
        return _scoring_page(year, kpi, typed, status=422)
    resp = api("catalogue", "PUT", f"/years/{year}/kpis/{kpi}/scoring", json=change)
    if not resp.ok:
        said = field_messages(problem(resp).get("errors"), lang())
        if not said:
            _refused(resp)
        return _scoring_page(year, kpi, typed, said, resp.status_code)
    if resp.json()["confirmed"]:
        flash(_("The scoring of KPI %(kpi)s is confirmed.", kpi=kpi), "ok")
    else:
        flash(_("The scoring of KPI %(kpi)s is saved, still provisional.", kpi=kpi), "ok")
    return redirect(url_for("admin.scoring", year=year) + f"#scoring-{kpi}")


# --- form templates ------------------------------------------------------------------------


@admin.get("/templates")
@signed_in
def templates():
    return render_template("admin_templates.html", templates=fetch("evidence", "/templates"))


def _template_file() -> tuple[str, bytes] | None:
    """The template an admin sent: a file now, or the one they previewed (kept in the form)."""
    upload = request.files.get("file")
    if upload and upload.filename:
        return upload.filename, upload.read(MAX_SHEET_BYTES + 1)
    kept = request.form.get("kept", "")
    if kept:
        try:
            return request.form.get("filename", "template.docx"), base64.b64decode(
                kept, validate=True
            )
        except ValueError:
            return None
    return None


@admin.post("/templates/<kpi:kpi>")
@signed_in
def upload_template(kpi: str):
    """First the sample render of a new template; it takes effect only when confirmed."""
    sent = _template_file()
    if sent is None or len(sent[1]) > MAX_SHEET_BYTES:
        flash(_("Choose a .docx template (at most 900 KB)."), "error")
        return redirect(url_for("admin.templates"))
    filename, content = sent
    confirmed = request.form.get("confirm") == "true"
    path = f"/templates/{kpi}" if confirmed else f"/templates/{kpi}/preview"
    resp = api("evidence", "POST", path, files={"file": (filename, content, DOCX)})
    if not resp.ok:
        _refused(resp)
        return redirect(url_for("admin.templates"))
    if confirmed:
        flash(
            _("Version %(n)s of form %(kpi)s takes effect now.", n=resp.json()["version"], kpi=kpi),
            "ok",
        )
        return redirect(url_for("admin.templates"))
    return render_template(
        "admin_template_preview.html",
        kpi=kpi,
        preview=resp.json(),
        filename=filename,
        kept=base64.b64encode(content).decode(),
    )
