"""Forms and evidence files through the portal: the user's token stays on the server.

Downloads stream from the evidence service to the browser; an upload's body streams from the
browser to the evidence service as it arrives (the portal never holds a whole file).
"""

from __future__ import annotations

import re

import requests
from flask import Blueprint, Response, abort, current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import Headers

from services.portal.core import IdConverter, api, local_path, problem, signed_in
from services.portal.dependencies import Service
from services.portal.labels import lang
from services.portal.security import framed_by_this_site

files = Blueprint("files", __name__)

CHUNK = 64 * 1024
# Room for the multipart framing and the small fields around the file itself.
FORM_OVERHEAD = 64 * 1024
PASSED_HEADERS = ("Content-Type", "Content-Length", "Content-Disposition", "ETag", "Last-Modified")
UPLOAD_TIMEOUT = 300.0


INLINE_TYPES = ("application/pdf", "image/png", "image/jpeg")


def stream(service: Service, path: str, inline: bool = False, **params) -> Response:
    """Relay a download: status 404 for what the user may not see, the bytes otherwise.

    `inline` lets the browser show a PDF or an image in the page instead of saving it.
    """
    resp = api(service, "GET", path, params=params, stream=True)
    if resp.status_code in (403, 404, 422):
        resp.close()
        abort(404)
    if not resp.ok:
        resp.close()
        abort(502)
    headers = Headers({k: resp.headers[k] for k in PASSED_HEADERS if k in resp.headers})
    headers["Cache-Control"] = "private, no-store"
    headers["X-Content-Type-Options"] = "nosniff"
    shown = headers.get("Content-Type", "").split(";")[0].strip() in INLINE_TYPES
    if inline and shown and "Content-Disposition" in headers:
        disposition = headers["Content-Disposition"].partition(";")[2]
        headers["Content-Disposition"] = f"inline;{disposition}"

    def body():
        try:
            yield from resp.iter_content(CHUNK)
        finally:
            resp.close()

    return Response(body(), headers=headers, direct_passthrough=True)


@files.get("/forms/<int:year>/<kpi:kpi>")
@signed_in
def form(year: int, kpi: str):
    """The KPI's prefilled form for a unit and period, to fill in and upload."""
    unit, period = request.args.get("unit", ""), request.args.get("period", "")
    return stream("evidence", f"/templates/{year}/{kpi}", unit=unit, period=period)


@files.get("/evidence/<id:file_id>")
@signed_in
def download(file_id: str):
    """The exact bytes of an evidence file."""
    return stream("evidence", f"/files/{file_id}/content")


@files.get("/evidence/<id:file_id>/view")
@signed_in
def view(file_id: str):
    """A PDF or image shown in the page (other types download as usual)."""
    return framed_by_this_site(stream("evidence", f"/files/{file_id}/content", inline=True))


class _Body:
    """The request body as it arrives, with its length (so it is not sent chunked)."""

    def __init__(self, stream, length: int):
        self.stream, self.length = stream, length

    def __len__(self) -> int:
        return self.length

    def __iter__(self):
        while chunk := self.stream.read(CHUNK):
            yield chunk


def pass_form_on(path: str, limit: int) -> requests.Response | None:
    """This request's multipart body passed to the evidence service's `path` as it arrives, and
    its answer; None when the body is larger than a file of `limit` bytes in its form."""
    length = request.content_length
    if length is None:
        abort(411)
    if length > limit + FORM_OVERHEAD:
        return None
    request.max_content_length = limit + FORM_OVERHEAD
    return api(
        "evidence",
        "POST",
        path,
        data=_Body(request.stream, length),
        headers={"Content-Type": request.headers["Content-Type"]},
        timeout=UPLOAD_TIMEOUT,
    )


def _back(back: str):
    """Back to the page of the upload; a page sending with progress (portal.js) goes there itself,
    so the messages wait for that page instead of being taken by the script's own request."""
    if request.headers.get("X-Upload-Progress") == "1":
        return "", 204, {"X-Back": back}
    return redirect(back)


@files.post("/evidence")
@signed_in
def upload():
    """Pass a multipart upload (unit, year, kpi, period, file) to the evidence service.

    With `report`, the new file is also attached to that (draft or returned) report.
    """
    back = local_path(request.args.get("back")) or url_for("pages.home")
    limit = current_app.extensions["rbm"].settings.max_upload_bytes
    resp = pass_form_on("/files", limit)
    if resp is None:
        flash(_("The file is larger than the limit of %(mb)d MB.", mb=limit // 2**20), "error")
        return _back(back)
    if resp.status_code != 201:
        _refused(resp, limit)
        return _back(back)
    stored = resp.json()
    flash(_("The file %(name)s was stored.", name=stored.get("filename", "")), "ok")
    warning = ((stored.get("extracted") or {}).get("warning") or {}).get("code")
    if warning in FORM_WARNINGS:
        flash(FORM_WARNINGS[warning], "error")
    report_id = request.args.get("report", "")
    if re.fullmatch(IdConverter.regex, report_id):
        _attach(report_id, stored["id"])
    return _back(back)


# What reading a stored form warns of, by its `warning.code`, in the user's language.
FORM_WARNINGS = {
    "form-blank": _l(
        "The form has nothing filled in: it gives no level, and a report with it cannot be "
        "submitted. Fill in its levels, then upload it again."
    ),
    "no-level-reached": _l("The form reads no level reached: the report's level will be 0."),
}


# Why the evidence service refused a file, by its `reason`, in the user's language.
REFUSALS = {
    "type-mismatch": _l("The file's content is not the type its name says."),
    "macros": _l("The file contains macros, which are not accepted."),
    "external-reference": _l("The file refers to content outside itself."),
    "dtd": _l("The file contains a document type definition, which is not accepted."),
    "zip-bomb": _l("The file unpacks to far more than its size."),
    "path": _l("The file contains parts with unsafe names."),
    "javascript": _l("The PDF contains JavaScript, which is not accepted."),
    "launch": _l("The PDF tries to start other programs."),
    "unchecked": _l("The file could not be checked (an encrypted PDF, say)."),
    "damaged": _l("The file is damaged."),
    "form-mismatch": _l("This form was made for another unit, year, KPI or period."),
    "form-values": _l("The numbers in the form's tables cannot be read."),
    "form-unreadable": _l("The form's tables cannot be read: download the form again."),
}


def _refused(resp, limit: int) -> None:
    status = resp.status_code
    messages = {
        403: _("You may not upload evidence for this unit."),
        413: _("The file is larger than the limit of %(mb)d MB.", mb=limit // 2**20),
        415: _("This type of file is not accepted: upload the filled form (.docx) or a PDF."),
        422: _("The file was refused: it is not what it claims to be, or it is not safe."),
    }
    flash(messages.get(status, _("The upload failed.")), "error")
    body = problem(resp)
    if why := REFUSALS.get(body.get("reason", "")):
        flash(str(why), "error")
    detail = body.get("detail")
    if detail and (lang() == "en" or status == 422):
        flash(detail, "detail")


def _attach(report_id: str, file_id: str) -> None:
    """Add the new file to the report's evidence (the last file listed is its latest form)."""
    report = api("workflow", "GET", f"/reports/{report_id}")
    if not report.ok:
        return
    current = report.json()
    ids = [*current.get("evidence_ids", []), file_id]
    resp = api(
        "workflow",
        "PATCH",
        f"/reports/{report_id}",
        json={"evidence_ids": ids, "version": current["version"]},
    )
    if resp.ok:
        flash(_("The file was added to the report's evidence."), "ok")
    else:
        flash(_("The file was stored but not added to the report."), "error")
