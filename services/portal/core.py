"""What every page shares: the signed-in user, CSRF, and calls to the services with their token.

The portal keeps no data: the session cookie holds the user's token, and each page asks the
services' APIs on the user's behalf, so every rule of scope and role is the services' own.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from functools import wraps
from typing import Any
from urllib.parse import unquote, urlsplit

import requests
from flask import Flask, abort, current_app, g, redirect, request, session, url_for
from flask_babel import gettext as _
from werkzeug.routing import BaseConverter

from common import fiscal
from common.auth import Principal
from common.errors import DomainError, Unauthorized
from common.fields import MAX_YEAR, MIN_YEAR
from common.web import dependencies_of
from services.portal import rights, unit_tree
from services.portal.dependencies import Dependencies, Service
from services.portal.labels import localized

MAX_NEXT = 2000


class SignedOut(Exception):
    """The user's token is missing, expired or refused: they sign in again."""


def client(service: Service):
    return dependencies_of(current_app, Dependencies).client(service)


def api(service: Service, method: str, path: str, **kwargs: Any) -> requests.Response:
    """The raw response of a call on the user's behalf; SignedOut when their token is refused."""
    token = session.get("token")
    if not token:
        raise SignedOut
    resp = client(service).call(method, path, token, **kwargs)
    if resp.status_code == 401:
        raise SignedOut
    return resp


def fetch(service: Service, path: str, **params: Any) -> Any:
    """The JSON of a GET a page needs; 404 (HTML) for what the user may not see."""
    resp = api(service, "GET", path, params=params)
    if resp.status_code in (403, 404):
        abort(404)
    if resp.status_code >= 400:
        failed(resp)
    return resp.json()


def failed(resp: requests.Response):
    """The error page for a service's refusal: 503 (a service is not answering) when it or the
    gateway says it is unavailable, else 502."""
    abort(503 if resp.status_code in (502, 503, 504) else 502)


def fetch_or(default: Any, service: Service, path: str, **params: Any) -> Any:
    """The JSON of a GET a page can do without (a badge, a list of names): `default` on failure."""
    resp = api(service, "GET", path, params=params)
    return resp.json() if resp.ok else default


def problem(resp: requests.Response) -> dict:
    """The problem+json body of a refused call (an empty one when it is not JSON)."""
    try:
        body = resp.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def principal() -> Principal:
    """Who is signed in, from their token (verified with identity's public keys)."""
    if "principal" not in g:
        token = session.get("token")
        if not token:
            raise SignedOut
        try:
            g.principal = current_app.extensions["rbm"].verifier.verify(token)
        except Unauthorized as exc:
            raise SignedOut from exc
    return g.principal


def actor() -> rights.Actor:
    """The signed-in user with the rights delegated to them today, as the workflow says."""
    if "actor" not in g:
        principal()
        g.actor = rights.Actor.of(fetch_or({}, "workflow", "/rights"))
    return g.actor


def signed_in(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        principal()
        return view(*args, **kwargs)

    return wrapper


def catalogue_years() -> list[int]:
    """The years the catalogue holds, newest first (for the year switch)."""
    return sorted((y["year"] for y in fetch_or([], "catalogue", "/years")), reverse=True)


def year_arg() -> int:
    default = current_year()
    year = request.args.get("year", default, type=int)
    return year if MIN_YEAR <= year <= MAX_YEAR else default


def current_year() -> int:
    """The catalogue's current year (today's fiscal year when it cannot say)."""
    if "current_year" not in g:
        found = fetch_or({}, "catalogue", "/years/current")
        g.current_year = found.get("year") or fiscal.fiscal_year_of(fiscal.today())
    return g.current_year


def back_to_login():
    session.pop("token", None)
    target = request.full_path if request.method == "GET" else request.path
    return redirect(url_for("pages.login", next=target.rstrip("?")))


def local_path(target: str | None) -> str | None:
    """A path on this site (never another site's address) to go back to.

    Browsers drop tabs and newlines and read a backslash as a slash, which turns such a path
    into `//another.site`: the path is checked both as sent and percent-decoded.
    """
    if not target or len(target) > MAX_NEXT:
        return None
    path = target.split("?", 1)[0].split("#", 1)[0]
    decoded = path
    for _round in range(3):  # %252F is %2F is /
        decoded = unquote(decoded)
    for text in (target, decoded):
        if any(ch.isspace() or not ch.isprintable() or ch == "\\" for ch in text):
            return None
    for text in (path, decoded):
        if not text.startswith("/") or text.startswith("//") or urlsplit(text).netloc:
            return None
    return target


def csrf_token() -> str:
    return session.setdefault("csrf", secrets.token_urlsafe(24))


def _check_csrf() -> None:
    """Every POST carries the session's CSRF token (the cookie is also SameSite=Lax).

    File uploads send it in the query string: their body goes to the evidence service as it
    arrives, unread by the portal.
    """
    if request.method != "POST":
        return
    if request.mimetype == "multipart/form-data":
        sent = request.args.get("csrf", "")
    else:
        sent = request.form.get("csrf", "")
    if not secrets.compare_digest(sent, session.get("csrf", "")) or not sent:
        abort(400, _("The form has expired: reload the page and try again."))


def unread_count() -> int | None:
    """The signed-in user's unread notifications, for the header badge."""
    if "token" not in session:
        return None
    if "unread" not in g:
        try:
            g.unread = fetch_or({}, "notifications", "/inbox/unread-count").get("unread")
        except (SignedOut, DomainError):
            # A badge is not worth a failed page (nor a failed error page).
            g.unread = None
    return g.unread


def sees_all_units() -> bool:
    """Whether the signed-in user is a reviewer, auditor or administrator (for the menu)."""
    try:
        return principal().sees_all_units
    except SignedOut:
        return False


def is_admin() -> bool:
    """Whether the signed-in user administers the system (for the menu)."""
    try:
        return principal().has_role("admin")
    except SignedOut:
        return False


def home_unit() -> str:
    """The unit the dashboard and the progress open on: the department for those who see all,
    else one's own."""
    me = principal()
    if me.sees_all_units or not me.units:
        return department() or abort(503)
    return sorted(me.units)[0]


def department() -> str | None:
    """The root of the catalogue's unit tree (the unit under no other); None when the
    catalogue does not answer."""
    roots = sorted(code for code, unit in units().items() if not unit.get("parent"))
    return roots[0] if roots else None


def unit_arg() -> str:
    """The unit a page shows: `?unit=`, else the one it opens on."""
    unit = request.args.get("unit", "").strip() or home_unit()
    if len(unit) > 32:
        abort(404)
    return unit


def kpis_of(year: int) -> dict[str, dict]:
    """The year's KPIs by code (for names and methods), asked once per request."""
    cache = g.setdefault("kpis", {})
    if year not in cache:
        cache[year] = {k["code"]: k for k in fetch_or([], "catalogue", f"/years/{year}/kpis")}
    return cache[year]


def units() -> dict[str, dict]:
    """Every unit by code (for names), asked once per request."""
    if "units" not in g:
        g.units = {u["code"]: u for u in fetch_or([], "catalogue", "/units")}
    return g.units


def unit_label(code: str | None) -> str:
    """A unit as every page names it: its name with its code beside ("…เขต 1 (R1)")."""
    if not code:
        return ""
    name = localized(units().get(code))
    return f"{name} ({code})" if name else code


def picker_tree() -> list[unit_tree.Node]:
    """The units a unit picker offers the signed-in user: the whole tree for those who see
    every unit, else their own units and those below them (asked of the catalogue level by
    level)."""
    if "picker_tree" not in g:
        me = principal()
        if me.sees_all_units or not me.units:
            g.picker_tree = unit_tree.tree(units(), [department() or ""])
        else:
            g.picker_tree = unit_tree.tree(units_under(me.units), me.units)
    return g.picker_tree


def units_under(codes: Iterable[str]) -> dict[str, dict]:
    """The given units and every unit below them, by code, asked of the catalogue level by
    level (`?parent=`), never its whole list."""
    found = {u["code"]: u for c in codes if (u := fetch_or({}, "catalogue", f"/units/{c}"))}
    level = list(found)
    while level:
        below = [
            u
            for c in level
            for u in fetch_or([], "catalogue", "/units", parent=c)
            if u["code"] not in found
        ]
        found.update((u["code"], u) for u in below)
        level = [u["code"] for u in below]
    return found


def picker_holds(value: str, below: bool) -> bool:
    """Whether the unit picker offers `value` (else it is shown as it came, to be corrected)."""
    return any(o.value == value for group in unit_groups(below) for o in group.options)


def unit_groups(below: bool) -> list[unit_tree.Group]:
    """The unit picker's options in groups (see unit_tree.groups)."""
    return unit_tree.groups(picker_tree(), below)


class IdConverter(BaseConverter):
    """An object id in a page's address (letters, digits, - and _), never a path of its own."""

    regex = r"[A-Za-z0-9_-]{1,64}"


class KpiConverter(BaseConverter):
    """A KPI code such as 4.1 or 11.1."""

    regex = r"[0-9]{1,3}(?:\.[0-9]{1,3}){0,2}"


def init_app(app: Flask) -> None:
    """CSRF on every POST, sign-in on an expired token, URL converters, template helpers."""
    app.url_map.converters.update(id=IdConverter, kpi=KpiConverter)
    app.before_request(_check_csrf)
    app.register_error_handler(SignedOut, lambda _exc: back_to_login())
    app.jinja_env.globals.update(
        csrf_token=csrf_token,
        unread_count=unread_count,
        sees_all_units=sees_all_units,
        catalogue_years=catalogue_years,
        is_admin=is_admin,
        unit_groups=unit_groups,
        picker_holds=picker_holds,
    )
    app.add_template_filter(unit_label, "unit_label")
