"""The stand-ins page (delegations given and received) and the notification settings page."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from services.portal import thai
from services.portal.core import SignedOut, actor, api, fetch, principal, problem, signed_in
from services.portal.labels import DATE_PROBLEM, KIND, lang
from services.portal.texts import field_messages

preferences = Blueprint("preferences", __name__)
DELIVERIES = ("immediate", "digest", "in_app")
DELEGATION_FIELDS = ("delegate", "grant", "starts_on", "ends_on", "reason")


def delegable() -> list[tuple[str, str]]:
    """The (unit, role) pairs the signed-in user holds themselves and may hand on."""
    return sorted(actor().delegable)


def holds_delegable() -> bool:
    """Whether the header offers the stand-ins page (unit heads and reviewers)."""
    try:
        return bool(delegable())
    except SignedOut:
        return False


@preferences.get("/delegations")
@signed_in
def delegations():
    return _delegations_page()


def _delegations_page(values: dict | None = None, errors: dict | None = None, status: int = 200):
    listed = fetch("workflow", "/delegations")
    return (
        render_template(
            "delegations.html",
            delegations=listed,
            me=principal().username,
            grants=delegable(),
            values=values or {},
            errors=errors or {},
        ),
        status,
    )


@preferences.post("/delegations")
@signed_in
def delegate():
    grants = delegable()
    if not grants:
        abort(403)
    values = {name: request.form.get(name, "").strip() for name in DELEGATION_FIELDS}
    typed = {name: thai.typed_date(request.form, name) for name in ("starts_on", "ends_on")}
    values.update((name, day) for name, (day, _problem) in typed.items())
    wrong = {name: [str(DATE_PROBLEM[why])] for name, (_day, why) in typed.items() if why}
    if wrong:
        return _delegations_page(values, wrong, 422)
    body = {k: values[k] for k in ("delegate", "starts_on", "ends_on", "reason")}
    unit, _sep, role = values["grant"].partition("|")
    if (unit, role) in grants:
        body.update(unit=unit, role=role)
    resp = api("workflow", "POST", "/delegations", json=body)
    if resp.ok:
        flash(_("The stand-in was named."), "ok")
        return redirect(url_for("preferences.delegations"))
    errors = field_messages(problem(resp).get("errors"), lang())
    # The role and the unit are chosen together in one list: their errors go next to it.
    grant_errors = errors.pop("unit", []) + errors.pop("role", [])
    if grant_errors:
        errors["grant"] = grant_errors
    if not errors:
        flash(_("The request was refused."), "error")
    return _delegations_page(values, errors, resp.status_code)


@preferences.post("/delegations/<id:delegation_id>/revoke")
@signed_in
def revoke(delegation_id: str):
    resp = api("workflow", "DELETE", f"/delegations/{delegation_id}")
    if resp.status_code == 404:
        abort(404)
    if resp.ok:
        flash(_("The delegation was ended."), "ok")
    else:
        flash(_("Only the one who named the stand-in ends the delegation."), "error")
    return redirect(url_for("preferences.delegations"))


@preferences.get("/settings/notifications")
@signed_in
def notifications():
    chosen = fetch("notifications", "/preferences")
    return _notifications_page(chosen, {})


def _notifications_page(chosen: dict, errors: dict, status: int = 200):
    return (
        render_template(
            "notification_settings.html",
            kinds=list(KIND),
            deliveries=DELIVERIES,
            chosen=chosen,
            errors=errors,
        ),
        status,
    )


@preferences.post("/settings/notifications")
@signed_in
def save_notifications():
    chosen = {kind: request.form.get(kind, "") for kind in KIND if request.form.get(kind)}
    resp = api("notifications", "PUT", "/preferences", json=chosen)
    if resp.ok:
        flash(_("Your notification settings were saved."), "ok")
        return redirect(url_for("preferences.notifications"))
    errors = field_messages(problem(resp).get("errors"), lang())
    if not errors:
        flash(_("The request was refused."), "error")
    return _notifications_page(chosen, errors, resp.status_code)
