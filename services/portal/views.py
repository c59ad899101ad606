"""Pages of the portal: each calls the services' APIs with the signed-in user's token."""

from __future__ import annotations

import secrets
from functools import wraps

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

from services.portal import labels

pages = Blueprint("pages", __name__, template_folder="templates")
labels.register(pages)
LANGUAGES = ("th", "en")
DEFAULT_YEAR = 2547
ACTIONS = ("submit", "endorse", "approve", "return")


def _client(service: str):
    return current_app.extensions["rbm"].extras[service]


def _api(service: str, method: str, path: str, **kwargs):
    return _client(service).call(method, path, session["token"], **kwargs)


def signed_in(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        if "token" not in session:
            return redirect(url_for("pages.login", next=request.path))
        return view(*args, **kwargs)

    return wrapper


@pages.before_request
def _csrf() -> None:
    """Every form carries the session's CSRF token (the cookie is also SameSite=Lax)."""
    session.setdefault("csrf", secrets.token_urlsafe(24))
    if request.method == "POST":
        sent = request.form.get("csrf", "")
        if not secrets.compare_digest(sent, session["csrf"]):
            abort(400, "The form has expired: reload the page and try again.")


@pages.get("/")
@signed_in
def home():
    me = _api("identity", "GET", "/me")
    if me.status_code == 401:
        session.clear()
        return redirect(url_for("pages.login"))
    reports = _api("workflow", "GET", "/reports", params={"year": DEFAULT_YEAR})
    inbox = _api("notifications", "GET", "/inbox", params={"unread": "true"})
    return render_template(
        "home.html",
        me=me.json(),
        reports=reports.json() if reports.ok else [],
        unread=_unread_count(inbox),
        year=DEFAULT_YEAR,
    )


def _unread_count(resp) -> int:
    if not resp.ok:
        return 0
    body = resp.json()
    return body.get("unread", 0) if isinstance(body, dict) else len(body)


@pages.get("/kpis")
@signed_in
def kpis():
    year = request.args.get("year", DEFAULT_YEAR, type=int)
    resp = _api("catalogue", "GET", f"/years/{year}/kpis")
    return render_template("kpis.html", kpis=resp.json() if resp.ok else [], year=year)


@pages.get("/reports/<report_id>")
@signed_in
def report(report_id: str):
    resp = _api("workflow", "GET", f"/reports/{report_id}")
    if resp.status_code in (403, 404):
        abort(404)
    return render_template("report.html", report=resp.json(), actions=ACTIONS)


@pages.post("/reports/<report_id>/transitions")
@signed_in
def transition(report_id: str):
    action = request.form.get("action", "")
    body = {"action": action, "comment": request.form.get("comment") or None}
    resp = _api("workflow", "POST", f"/reports/{report_id}/transitions", json=body)
    if not resp.ok:
        flash(resp.json().get("detail", _("The action was refused.")), "error")
    return redirect(url_for("pages.report", report_id=report_id))


@pages.get("/inbox")
@signed_in
def inbox():
    resp = _api("notifications", "GET", "/inbox")
    body = resp.json() if resp.ok else []
    items = body.get("items", []) if isinstance(body, dict) else body
    return render_template("inbox.html", items=items)


@pages.route("/login", methods=["GET", "POST"])
def login():
    if request.method == "GET":
        return render_template("login.html")
    settings = current_app.extensions["rbm"].settings
    resp = requests.post(
        f"{settings.service_url('identity')}/token",
        json={
            "username": request.form.get("username", ""),
            "password": request.form.get("password", ""),
        },
        timeout=settings.http_timeout,
    )
    if resp.status_code != 200:
        flash(_("The username or password is not correct."), "error")
        return render_template("login.html"), 401
    lang = session.get("lang")
    session.clear()
    session.update(token=resp.json()["access_token"], csrf=secrets.token_urlsafe(24))
    if lang:
        session["lang"] = lang
    target = request.args.get("next", "")
    return redirect(target if target.startswith("/") and not target.startswith("//") else "/")


@pages.post("/logout")
def logout():
    session.pop("token", None)
    return redirect(url_for("pages.login"))


@pages.get("/lang/<code>")
def language(code: str):
    if code in LANGUAGES:
        session["lang"] = code
    back = request.referrer or "/"
    return redirect(back if back.startswith(request.host_url) else "/")
