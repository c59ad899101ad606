"""HTTP routes of the workflow: parse, call a use case, serialise."""

from __future__ import annotations

import re

from flask import current_app, request
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import ValidationError

from common.auth import (
    ADMIN,
    AUDITOR,
    IMPORT_SCOPE,
    REVIEWER,
    SERVICE,
    bearer_token,
    current_principal,
    require_roles,
)
from common.errors import PROBLEM, Conflict, Invalid, Unavailable, UnsupportedMediaType
from common.web import current_sessions, dependencies_of, require_json_body
from services.workflow import (
    anchors,
    delegations,
    imports,
    progress,
    reading,
    schemas,
    service,
    transitions,
)
from services.workflow.dependencies import Dependencies
from services.workflow.gateways import Gateways, HttpGateways
from services.workflow.import_files import MAX_BYTES as MAX_IMPORT_BYTES

blp = Blueprint(
    "workflow", __name__, description="Reports, the approval chain, the audit trail, progress"
)

_VERSION_TAG = re.compile(r'^\s*(?:W/)?"?(\d{1,9})"?\s*$')


def _deps() -> Dependencies:
    return dependencies_of(current_app, Dependencies)


def _gateways(for_caller: bool = True) -> Gateways:
    """The catalogue, evidence and identity, asked on behalf of the caller (their token is
    forwarded), or on the workflow's own account."""
    deps = _deps()
    token = bearer_token() if for_caller else None
    return HttpGateways(deps.catalogue, deps.evidence, deps.identity, token)


def _expected_version(body: dict) -> int | None:
    """The version the caller acted on: `version` in the body, else the If-Match header."""
    if body.get("version") is not None:
        return body["version"]
    header = request.headers.get("If-Match")
    if header is None or header.strip() == "*":
        return None
    match = _VERSION_TAG.match(header)
    if not match:
        raise Invalid("If-Match must hold a report version, as in ETag.", {"If-Match": ["Bad."]})
    return int(match.group(1))


def _tagged(report: reading.ReportView, status: int = 200):
    headers = {"ETag": f'"{report.version}"'}
    if status == 201:
        headers["Location"] = f"{request.script_root}/reports/{report.id}"
    return report, status, headers


@blp.before_request
def _refuse_bodiless_patch():
    """401 first, then a PATCH without a JSON body; every POST's body has required fields."""
    if request.method == "PATCH":
        current_principal()
        require_json_body()


@blp.route("/reports")
class Reports(MethodView):
    @blp.arguments(schemas.ReportQuery, location="query")
    @blp.response(200, schemas.ReportSchema(many=True))
    def get(self, query):
        """Reports the caller may see, filtered by year, unit (or a unit and those below it), KPI,
        period, state and person."""
        principal = current_principal()
        limit, offset = query.pop("limit"), query.pop("offset")
        rows, total = reading.list_reports(
            current_sessions(), principal, _gateways(), query, limit, offset
        )
        return rows, {"X-Total-Count": str(total)}

    @blp.arguments(schemas.ReportCreate)
    @blp.response(201, schemas.ReportSchema)
    def post(self, body):
        """Create a draft (422 if the unit does not report that KPI then, 409 if one exists)."""
        principal = current_principal()
        return _tagged(service.create_report(current_sessions(), principal, _gateways(), body), 201)


@blp.route("/reports/preview")
class ReportPreview(MethodView):
    @blp.arguments(schemas.ReportCreate)
    @blp.response(200, schemas.PreviewSchema)
    def post(self, body):
        """What saving these data would count: value, basis, each item's verdict (no write)."""
        principal = current_principal()
        return service.preview_report(current_sessions(), principal, _gateways(), body)


@blp.route("/reports/<string:report_id>")
class ReportItem(MethodView):
    @blp.response(200, schemas.ReportSchema)
    def get(self, report_id):
        """One report with its data, evidence, state and history."""
        principal = current_principal()
        return _tagged(reading.get_report(current_sessions(), principal, _gateways(), report_id))

    @blp.arguments(schemas.ReportPatch)
    @blp.response(200, schemas.ReportSchema)
    def patch(self, body, report_id):
        """Change a draft or returned report's data (409 in any other state or version)."""
        principal = current_principal()
        expected = _expected_version(body)
        report = service.edit_report(
            current_sessions(), principal, _gateways(), report_id, body, expected
        )
        return _tagged(report)


@blp.route("/reports/<string:report_id>/transitions")
class ReportTransitions(MethodView):
    @blp.arguments(schemas.TransitionRequest)
    @blp.response(200, schemas.ReportSchema)
    def post(self, body, report_id):
        """Submit, endorse, return, approve or reopen a report."""
        principal = current_principal()
        expected = _expected_version(body)
        report = transitions.transition(
            current_sessions(),
            principal,
            _gateways(),
            report_id,
            body["action"],
            body["comment"],
            expected,
        )
        return _tagged(report)


@blp.route("/reports/transitions")
class BulkTransitions(MethodView):
    @blp.arguments(schemas.BulkRequest)
    @blp.response(200, schemas.BulkResponse)
    def post(self, body):
        """The same action on many reports; a result for each, one failing leaves the others."""
        principal = current_principal()
        targets = [(t["id"], t.get("version")) for t in body.get("reports") or []]
        targets += [(report_id, None) for report_id in body.get("ids") or []]
        results = transitions.bulk_transition(
            current_sessions(),
            principal,
            _gateways(),
            body["action"],
            body["comment"],
            targets,
        )
        succeeded = sum(1 for r in results if r["ok"])
        return {
            "action": body["action"],
            "succeeded": succeeded,
            "failed": len(results) - succeeded,
            "results": results,
        }


@blp.route("/reports/<string:report_id>/audit")
class ReportAudit(MethodView):
    @blp.response(200, schemas.AuditEntrySchema(many=True))
    def get(self, report_id):
        """Every change to the report, oldest first: who, on whose behalf, when, what changed."""
        return reading.report_audit(current_sessions(), current_principal(), report_id)


@blp.route("/audit/verify")
class AuditVerify(MethodView):
    @blp.response(200, schemas.VerifySchema)
    def get(self):
        """Check the trail's hash chain, its anchors in the bucket, and every report against it."""
        require_roles(AUDITOR, ADMIN, REVIEWER, SERVICE)
        return anchors.verify(current_sessions(), _deps().anchors)


@blp.route("/audit/anchors")
class AuditAnchors(MethodView):
    @blp.response(201, schemas.AnchorSchema)
    @blp.alt_response(409, description="The trail is empty: nothing to anchor.")
    def post(self):
        """Write the trail's head into the object-locked bucket now (auditor, admin)."""
        require_roles(AUDITOR, ADMIN)
        store = _deps().anchors
        if store is None:
            raise Unavailable("No object store is configured for audit anchors.")
        anchor = anchors.anchor_now(current_sessions(), store)
        if anchor is None:
            raise Conflict("The audit trail is empty: there is nothing to anchor yet.")
        return anchor


@blp.route("/rights")
class Rights(MethodView):
    @blp.response(200, schemas.RightsSchema)
    def get(self):
        """What the caller may do: roles by unit (own and delegated), and what they may delegate."""
        return reading.rights_of(current_sessions(), current_principal())


@blp.route("/delegations")
class Delegations(MethodView):
    @blp.arguments(schemas.DelegationQuery, location="query")
    @blp.response(200, schemas.DelegationSchema(many=True))
    def get(self, query):
        """Delegations the caller gave or received (all of them for an admin)."""
        return delegations.list_for(current_sessions(), current_principal(), query["active"])

    @blp.arguments(schemas.DelegationCreate)
    @blp.response(201, schemas.DelegationSchema)
    def post(self, body):
        """Name a stand-in who acts with your unit-head or reviewer rights for a date range."""
        principal = current_principal()
        return delegations.create(current_sessions(), principal, _gateways(), **body)


@blp.route("/delegations/<string:delegation_id>")
class DelegationItem(MethodView):
    @blp.response(204)
    def delete(self, delegation_id):
        """End a delegation now; it stays on record."""
        delegations.revoke(current_sessions(), current_principal(), delegation_id)


@blp.route("/progress")
class Progress(MethodView):
    @blp.arguments(schemas.ProgressQuery, location="query")
    @blp.response(200, schemas.ProgressSchema)
    def get(self, query):
        """Each unit x KPI x period of a year: state or missing, due date, late; and roll-ups."""
        principal = current_principal()
        return progress.progress(current_sessions(), principal, _gateways(), **query)


# Room for the form fields and multipart framing on top of the file itself.
FORM_OVERHEAD = 64 * 1024


@blp.before_request
def _import_limit():
    """An import's body may be larger than a JSON body; the file itself is bounded by reading."""
    if request.endpoint == "workflow.Imports":
        request.max_content_length = MAX_IMPORT_BYTES + FORM_OVERHEAD


@blp.route("/imports")
class Imports(MethodView):
    @blp.doc(requestBody=schemas.IMPORT_BODY)
    @blp.response(200, schemas.ImportResult)
    @blp.alt_response(
        422,
        schema=schemas.ImportProblem,
        content_type=PROBLEM,
        description="Bad rows; none written",
    )
    @blp.alt_response(
        413, schema=schemas.ImportProblem, content_type=PROBLEM, description="File too large"
    )
    @blp.alt_response(
        415, schema=schemas.ImportProblem, content_type=PROBLEM, description="Not CSV or .xlsx"
    )
    def post(self):
        """Import an imported KPI's figures from a CSV or .xlsx file (dry run first)."""
        principal = current_principal(scope=IMPORT_SCOPE)
        imports.importable(principal)
        form, upload = _import_form()
        # The catalogue and evidence are asked on the workflow's own account: a machine
        # account's import-only token opens nothing else.
        gateways = _gateways(for_caller=False)
        return imports.run_import(
            current_sessions(),
            principal,
            gateways,
            upload,
            form["year"],
            form["kpi"],
            form["dry_run"],
        )


def _import_form() -> tuple[dict, imports.Upload]:
    """The multipart fields, checked by their schema, and the file (spooled by werkzeug)."""
    if request.mimetype != "multipart/form-data":
        raise UnsupportedMediaType("Send the file and its fields as multipart/form-data.")
    try:
        form = schemas.ImportForm().load(request.form.to_dict())
    except ValidationError as exc:
        raise Invalid("Some fields are not valid.", exc.normalized_messages()) from exc
    found = request.files.getlist("file")
    if len(found) != 1 or not found[0].filename:
        raise Invalid("Send one file, in the 'file' field.", {"file": ["One file, with its name."]})
    return form, imports.Upload(found[0].filename, found[0].stream, form.get("encoding"))
