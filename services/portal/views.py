"""Sign-in, the language switch, the home page ("what needs me") and the KPI catalogue."""

from __future__ import annotations

import contextlib
import secrets
from datetime import timedelta

import requests
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _

from common.auth import OUTSIDE_HEADER
from common.errors import DomainError
from services.portal import rights, thai
from services.portal.core import (
    actor,
    client,
    department,
    fetch,
    fetch_or,
    kpis_of,
    local_path,
    signed_in,
    units,
    year_arg,
)

pages = Blueprint("pages", __name__)
LANGUAGES = ("th", "en")
# Periods due within this many days count as "due" on the home page, as well as overdue ones.
DUE_SOON_DAYS = 14
OPEN_STATES = ("missing", "draft", "returned")


@pages.get("/")
@signed_in
def home():
    year = year_arg()
    me = actor()
    today = thai.today_here()
    todo, on_results = _reporter_rows(me, year, today)
    head_units = set(rights.acts_as(me, "unit_head"))
    to_endorse = []
    if head_units:
        # Work waiting is shown whatever its year: an open older year still needs its steps.
        submitted = fetch("workflow", "/reports", state="submitted", limit=1000)
        to_endorse = [r for r in submitted if r["unit"] in head_units]
    to_approve = None
    if rights.acts_as(me, "reviewer"):
        to_approve = fetch("workflow", "/reports", state="endorsed", limit=1000)
    return render_template(
        "home.html",
        me=fetch("identity", "/me"),
        year=year,
        todo=todo,
        on_results=on_results,
        to_endorse=to_endorse,
        to_approve=to_approve,
        summary=_year_so_far(year) if me.sees_all_units else None,
        kpis=kpis_of(year),
        units=units(),
    )


def _reporter_rows(me: rights.Actor, year: int, today):
    """Periods of the reporter's units due or overdue and not submitted; on-results KPIs."""
    todo, on_results = [], {}
    horizon = today + timedelta(days=DUE_SOON_DAYS)
    for unit in rights.acts_as(me, "reporter"):
        progress = fetch_or({}, "workflow", "/progress", year=year, unit=unit)
        for row in progress.get("rows", []):
            if row["state"] not in OPEN_STATES:
                continue
            if row.get("optional"):
                on_results.setdefault((row["unit"], row["kpi"]), []).append(row)
            elif thai.as_date(row["due_on"]) <= horizon:
                row["days_late"] = thai.days_late(row["due_on"], today)
                todo.append(row)
    todo.sort(key=lambda r: (r["due_on"], r["unit"], kpi_order(r["kpi"])))
    return todo, on_results


def _year_so_far(year: int) -> dict | None:
    """The department's reports due so far, approved, awaiting approval and overdue (due and
    not submitted): the scorecard's roll-up, never the unit x KPI x period matrix."""
    root = department()
    rollup = fetch_or({}, "scorecard", f"/{year}/progress", unit=root) if root else {}
    if not rollup.get("reports"):
        return None
    reports = rollup["reports"]
    due = reports["due"]
    # The approved and pending also count reports sent before their due date, which `due`
    # does not hold yet: the difference may fall short of the overdue, never below zero.
    overdue = max(due - reports["approved"] - reports["pending"], 0)
    return {
        **reports,
        "overdue": overdue,
        "approved_share": reports["approved"] / due if due else None,
        "overdue_share": overdue / due if due else None,
        "as_of": rollup["as_of"],
    }


def kpi_order(code: str) -> tuple[int, ...]:
    return tuple(int(part) if part.isdigit() else 0 for part in code.split("."))


@pages.get("/kpis")
@signed_in
def kpis():
    year = year_arg()
    listed = sorted(kpis_of(year).values(), key=lambda k: kpi_order(k["code"]))
    return render_template("kpis.html", kpis=listed, year=year)


@pages.get("/audit")
@signed_in
def audit():
    """Whether the audit trail's hash chain is intact (reviewers, auditors, administrators)."""
    return render_template("audit.html", result=fetch("workflow", "/audit/verify"))


@pages.route("/login", methods=["GET", "POST"])
def login():
    if request.method == "GET":
        return render_template("login.html")
    settings = current_app.extensions["rbm"].settings
    try:
        resp = requests.post(
            f"{settings.service_url('identity')}/token",
            json={
                "username": request.form.get("username", ""),
                "password": request.form.get("password", ""),
            },
            # A person signing in from outside: identity refuses service accounts here.
            headers={"X-Forwarded-For": _forwarded_for(), OUTSIDE_HEADER: "1"},
            timeout=settings.http_timeout,
        )
    except requests.RequestException:
        abort(503)
    if resp.status_code != 200:
        flash(_("The username or password is not correct."), "error")
        return render_template("login.html"), 401
    lang = session.get("lang")
    session.clear()
    session.update(token=resp.json()["access_token"], csrf=secrets.token_urlsafe(24))
    if lang:
        session["lang"] = lang
    return redirect(local_path(request.args.get("next")) or "/")


def _forwarded_for() -> str:
    """The addresses this request came through, ending with whoever sent it to the portal."""
    # Identity limits failed sign-ins per client, and believes this header from the portal.
    earlier = request.headers.get("X-Forwarded-For", "")
    return ", ".join(part for part in (earlier, request.remote_addr or "") if part)


@pages.post("/logout")
def logout():
    """End the session everywhere: identity revokes its token, so a copied cookie is dead too."""
    token = session.get("token")
    if token:
        with contextlib.suppress(DomainError):  # identity away: this portal still refuses it
            client("identity").call("POST", "/logout", token)
        with contextlib.suppress(DomainError):
            who = current_app.extensions["rbm"].verifier.verify(token)
            current_app.extensions["rbm"].verifier.revocations.revoke_token(
                who.token_id, who.expires_at
            )
    session.clear()
    return redirect(url_for("pages.login"))


@pages.get("/lang/<code>")
def language(code: str):
    if code in LANGUAGES:
        session["lang"] = code
    back = request.referrer or "/"
    return redirect(back if back.startswith(request.host_url) else "/")
