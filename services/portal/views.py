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
from services.portal.dashboard import not_submitted

pages = Blueprint("pages", __name__)
LANGUAGES = ("th", "en")
# Periods due within this many days count as "due" on the home page, as well as overdue ones.
DUE_SOON_DAYS = 14
OPEN_STATES = ("missing", "draft")


@pages.get("/")
@signed_in
def home():
    """The day's work of each role: what was returned, what is due, what waits for a step."""
    year = year_arg()
    me = actor()
    todo, on_results = _reporter_rows(me, year, thai.today_here())
    return render_template(
        "home.html",
        me=fetch("identity", "/me"),
        year=year,
        returned=_returned_to_me() if rights.acts_as(me, "reporter") else [],
        todo=todo,
        on_results=on_results,
        to_endorse=_waiting("submitted", "endorse") if rights.acts_as(me, "unit_head") else [],
        review_queue=_review_queue(year) if rights.acts_as(me, "reviewer") else None,
        summary=_year_so_far(year) if me.sees_all_units else None,
        kpis=kpis_of(year),
        units=units(),
    )


def _waiting(state: str, action: str) -> list[dict]:
    """Reports in `state` on which the workflow lets this user take `action` now (separation
    of duties included), whatever their year: an open older year still needs its steps."""
    found = fetch("workflow", "/reports", state=state, limit=1000)
    return [r for r in found if action in rights.actions(r)]


def _returned_to_me() -> list[dict]:
    """Returned reports this user may correct, each with the last return (who, when, why),
    longest waiting first."""
    returned = _waiting("returned", "submit")
    for report in returned:
        history = fetch_or({}, "workflow", f"/reports/{report['id']}").get("history", [])
        backs = [h for h in history if h.get("action") in ("return", "reopen")]
        report["sent_back"] = backs[-1] if backs else None
    return sorted(returned, key=lambda r: r["updated_at"])


def _review_queue(year: int) -> list[dict]:
    """The rows of the review queue as it first opens, from the query that lists them there."""
    # Imported here: the review module takes `kpi_order` from this one.
    from services.portal.review import DEFAULT_FILTERS, queue

    return queue(year, DEFAULT_FILTERS)[0]


def _reporter_rows(me: rights.Actor, year: int, today):
    """Periods of the reporter's units due or overdue and not yet written or submitted (the
    returned ones have a list of their own); on-results KPIs."""
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
    card = fetch_or({}, "scorecard", f"/{year}", unit=root) if root else {}
    if not card.get("reports"):
        return None
    reports = card["reports"]
    due = reports["due"]
    # KPI by KPI, as the dashboard's completion chart: a report on results (never due) or
    # one sent before its due date takes nothing off another KPI's overdue.
    overdue = sum(not_submitted(kpi["reports"]) for kpi in card["kpis"])
    return {
        **reports,
        "overdue": overdue,
        "approved_share": reports["approved"] / due if due else None,
        "overdue_share": overdue / due if due else None,
        "as_of": card["as_of"],
        "unit": root,
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
