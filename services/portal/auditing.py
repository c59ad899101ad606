"""Auditors' pages: search reports and evidence, a report's timeline, evidence packs."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from common.auth import AUDITOR
from services.portal import thai
from services.portal.core import (
    api,
    current_year,
    fetch,
    fetch_or,
    kpis_of,
    principal,
    problem,
    signed_in,
    units,
    year_arg,
)
from services.portal.files import pass_form_on, stream
from services.portal.labels import DATE_PROBLEM, lang
from services.portal.names import people_named
from services.portal.review import PERIODS, STATES

auditing = Blueprint("auditing", __name__)
SEARCH_FIELDS = ("unit", "kpi", "period", "state", "person", "date_from", "date_to")
PACK_FIELDS = ("unit", "kpi", "period")


def _day(text: str) -> str:
    """An ISO day typed in a search box, or "" when it is not one."""
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        return ""


def _within(moment: str | None, first: str, last: str) -> bool:
    day = (moment or "")[:10]
    return bool(day) and (not first or day >= first) and (not last or day <= last)


def people_asked(text: str) -> list[str]:
    """The usernames a typed person stands for: a username as typed, else everyone whose
    display name or username holds the text (the text itself when no one's does)."""
    if not text:
        return []
    found = people_named(text)
    return [text.lower()] if text.lower() in found or not found else found


def _each_person(people: list[str], find: Callable[[str | None], list[dict]]) -> list[dict]:
    """What `find` answers for each person (or once for no one), each row once."""
    everyone: list[str | None] = [None]
    rows = [row for who in people or everyone for row in find(who)]
    return list({row["id"]: row for row in rows}.values())


def search_reports(year: int, asked: dict[str, str], people: list[str]) -> list[dict]:
    """Reports matching the search; a person matches anywhere in a report's audit trail."""
    params = {k: asked[k] for k in ("unit", "kpi", "period", "state") if asked[k]}

    def find(who: str | None) -> list[dict]:
        person = {"person": who} if who else {}
        return fetch("workflow", "/reports", year=year, limit=1000, **params, **person)

    found = _each_person(people, find)
    if asked["date_from"] or asked["date_to"]:
        found = [
            r for r in found if _within(r.get("updated_at"), asked["date_from"], asked["date_to"])
        ]
    return found


def search_files(year: int, asked: dict[str, str], people: list[str]) -> list[dict]:
    params = {k: asked[k] for k in ("unit", "kpi", "period") if asked[k]}
    if asked["date_from"]:
        params["uploaded_from"] = asked["date_from"]
    if asked["date_to"]:
        params["uploaded_to"] = asked["date_to"]

    def find(who: str | None) -> list[dict]:
        uploader = {"uploader": who} if who else {}
        return fetch_or([], "evidence", "/files", year=year, limit=1000, **params, **uploader)

    return _each_person(people, find)


@auditing.get("/audit/search")
@signed_in
def search():
    year = year_arg()
    asked = {name: request.args.get(name, "").strip()[:100] for name in SEARCH_FIELDS}
    # Dates typed as day, month and BE year; one that is no date is said so and not searched by.
    typed = {name: thai.typed_date(request.args, name) for name in ("date_from", "date_to")}
    asked.update((name, day[:100]) for name, (day, _why) in typed.items())
    wrong = {name: [str(DATE_PROBLEM[why])] for name, (_day, why) in typed.items() if why}
    query = {**asked, "date_from": _day(asked["date_from"]), "date_to": _day(asked["date_to"])}
    searched = any(asked.values()) or "year" in request.args
    people = people_asked(asked["person"]) if searched else []
    return render_template(
        "audit_search.html",
        year=year,
        asked=asked,
        errors=wrong,
        searched=searched,
        reports=search_reports(year, query, people) if searched else [],
        files=search_files(year, query, people) if searched else [],
        kpis=kpis_of(year),
        units=units(),
        periods=PERIODS,
        states=STATES,
    )


def chain_status(entries: list[dict], verdict: dict) -> dict[int, str]:
    """Each entry's place in the chain check: verified, or at/after the first broken entry."""
    first_bad = verdict.get("first_bad")
    return {
        e["seq"]: "broken" if first_bad is not None and e["seq"] >= first_bad else "verified"
        for e in entries
    }


@auditing.get("/reports/<id:report_id>/timeline")
@signed_in
def timeline(report_id: str):
    """Every change to a report: who, when, on whose behalf, what changed, and the chain."""
    report = fetch("workflow", f"/reports/{report_id}")
    entries = fetch("workflow", f"/reports/{report_id}/audit")
    verdict = fetch_or({}, "workflow", "/audit/verify")
    return render_template(
        "timeline.html",
        report=report,
        entries=entries,
        verdict=verdict,
        status=chain_status(entries, verdict),
        kpis=kpis_of(report["year"]),
        units=units(),
    )


@auditing.route("/packs", methods=["GET", "POST"])
@signed_in
def packs():
    """Evidence packs: ask for one, watch it build, download it."""
    if request.method == "POST":
        body = {"year": request.form.get("year", type=int) or current_year()}
        body.update({k: v for k in PACK_FIELDS if (v := request.form.get(k, "").strip())})
        resp = api("evidence", "POST", "/packs", json=body)
        if resp.status_code == 202:
            flash(_("The pack is being built; it appears below when ready."), "ok")
            return redirect(url_for("auditing.packs", pack=resp.json()["id"]))
        # The service's reason is English: a Thai page says only that it was refused.
        detail = problem(resp).get("detail") if lang() == "en" else None
        flash(detail or _("The request was refused."), "error")
        return redirect(url_for("auditing.packs"))
    listed = fetch_or([], "evidence", "/packs")
    return render_template(
        "packs.html",
        packs=listed,
        building=any(p["state"] in ("queued", "building") for p in listed),
        year=year_arg(),
        kpis=kpis_of(year_arg()),
        units=units(),
        periods=PERIODS,
        may_check=principal().has_role(AUDITOR),
    )


# A checked file's state, in the order a verdict lists them: what went wrong first.
FILE_STATES = ("changed", "missing", "unreadable", "extra", "ok")


@auditing.route("/packs/check", methods=["GET", "POST"])
@signed_in
def check_pack():
    """An auditor drops a pack's zip and reads the verdict: the signature, each file, the trail.

    The portal passes the form's body to the evidence service as it arrives, which checks the
    zip (the portal holds no file and no verifier of its own)."""
    if not principal().has_role(AUDITOR):
        abort(404)
    if request.method == "GET":
        return render_template("pack_check.html", verdict=None)
    most = current_app.extensions["rbm"].settings.max_pack_check_bytes
    resp = pass_form_on("/packs/verification", most)
    if resp is None:
        return _pack_refused(_("The pack is larger than the limit of %(mb)d MB.", mb=most // 2**20))
    if not resp.ok:
        refused = _("Choose the pack's .zip file.") if resp.status_code == 422 else None
        return _pack_refused(refused or _("The pack could not be checked."))
    verdict = resp.json()
    verdict["files"].sort(key=lambda f: FILE_STATES.index(f["state"]))
    return render_template("pack_check.html", verdict=verdict, language=lang())


def _pack_refused(message: str):
    flash(message, "error")
    return render_template("pack_check.html", verdict=None), 400


@auditing.get("/packs/<id:pack_id>/download")
@signed_in
def download_pack(pack_id: str):
    return stream("evidence", f"/packs/{pack_id}/content")
