"""The inbox: the user's notifications, newest first; mark one or all read; open the report."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from services.portal.core import api, failed, local_path, signed_in

inbox = Blueprint("inbox", __name__)
PAGE_SIZE = 20


@inbox.get("/inbox")
@signed_in
def view():
    page = max(request.args.get("page", 1, type=int), 1)
    unread_only = request.args.get("unread") == "1"
    params = {
        "limit": PAGE_SIZE,
        "offset": (page - 1) * PAGE_SIZE,
        **({"unread": "true"} if unread_only else {}),
    }
    resp = api("notifications", "GET", "/inbox", params=params)
    if not resp.ok:
        failed(resp)
    total = int(resp.headers.get("X-Total-Count", 0))
    return render_template(
        "inbox.html",
        items=resp.json(),
        page=page,
        pages=max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1),
        total=total,
        unread=int(resp.headers.get("X-Unread-Count", 0)),
        unread_only=unread_only,
    )


@inbox.post("/inbox/<id:notification_id>/read")
@signed_in
def read(notification_id: str):
    resp = api("notifications", "POST", f"/inbox/{notification_id}/read")
    if resp.status_code == 404:
        abort(404)
    return redirect(local_path(request.form.get("back")) or url_for("inbox.view"))


@inbox.post("/inbox/<id:notification_id>/open")
@signed_in
def open_report(notification_id: str):
    """Mark the notification read and go to its report."""
    api("notifications", "POST", f"/inbox/{notification_id}/read")
    report_id = request.form.get("report_id", "")
    if not report_id:
        return redirect(url_for("inbox.view"))
    return redirect(url_for("reports.view", report_id=report_id))


@inbox.post("/inbox/read-all")
@signed_in
def read_all():
    resp = api("notifications", "POST", "/inbox/read-all")
    if resp.ok:
        flash(_("%(n)d notifications marked read.", n=resp.json().get("marked", 0)), "ok")
    return redirect(url_for("inbox.view"))
