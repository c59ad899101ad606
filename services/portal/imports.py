"""The import page (reviewers and admins): choose an imported KPI's file, see the dry run, confirm.

Stateless across requests (and replicas): the dry run shows the file's SHA-256, and the
confirmation asks for the file again; the portal sends it for writing only when it is the
very file that was checked, else it shows the dry run of the new one.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, render_template, request
from flask_babel import gettext as _

from common.auth import ADMIN, REVIEWER
from common.intake import sha256_of
from services.portal.core import (
    api,
    fetch_or,
    kpis_of,
    principal,
    problem,
    signed_in,
    year_arg,
)

imports = Blueprint("imports", __name__)

# What the workflow takes, plus the multipart framing and the small fields.
MAX_IMPORT_BYTES = 10 * 1024 * 1024 + 64 * 1024
ENCODINGS = ("utf-8", "cp874")


def may_import() -> bool:
    return principal().has_role(REVIEWER, ADMIN)


def _importers_only() -> None:
    if not may_import():
        abort(403)


def _imported_kpis(year: int) -> list[dict]:
    return [k for k in kpis_of(year).values() if k.get("imported")]


def _due_dates(year: int, kpis: list[dict]) -> dict[str, list[dict]]:
    """Each imported KPI's periods with the date its import is due: the lateness of an imported
    figure is the importer's, never a unit's."""
    return {
        k["code"]: fetch_or([], "catalogue", f"/years/{year}/kpis/{k['code']}/periods")
        for k in kpis
    }


def _page(year: int, kpi: str = "", encoding: str = "", **context):
    imported = _imported_kpis(year)
    return render_template(
        "imports.html",
        year=year,
        kpi=kpi,
        encoding=encoding,
        kpis=imported,
        due=_due_dates(year, imported),
        encodings=ENCODINGS,
        **context,
    )


@imports.get("/imports")
@signed_in
def view():
    _importers_only()
    return _page(year_arg())


@imports.post("/imports")
@signed_in
def send():
    """Check the file (dry run), or write it when it is the file that was checked."""
    _importers_only()
    request.max_content_length = MAX_IMPORT_BYTES
    form = request.form
    year = form.get("year", type=int) or year_arg()
    kpi, encoding = form.get("kpi", ""), form.get("encoding", "")
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        flash(_("Choose the file to import."), "error")
        return _page(year, kpi, encoding)
    sha256 = sha256_of(upload.stream)
    checked = form.get("checked", "")
    confirmed = bool(checked) and checked == sha256
    if checked and not confirmed:
        flash(_("This is not the file that was checked: here is its check."), "error")
    fields = {"year": str(year), "kpi": kpi, "dry_run": "false" if confirmed else "true"}
    if encoding in ENCODINGS:
        fields["encoding"] = encoding
    resp = api(
        "workflow",
        "POST",
        "/imports",
        data=fields,
        files={"file": (upload.filename, upload.stream)},
        timeout=current_app.extensions["rbm"].settings.http_timeout * 10,
    )
    body = problem(resp)
    if resp.status_code == 200:
        if confirmed:
            flash(_("The file was imported."), "ok")
        return _page(year, kpi, encoding, result=body, sha256=sha256)
    flash(body.get("detail") or _("The import failed."), "error")
    return _page(year, kpi, encoding, refused=body, status=resp.status_code)
