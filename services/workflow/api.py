"""HTTP routes of the workflow: parse, call a use case, serialise."""

from __future__ import annotations

import re

from flask import current_app, jsonify, request
from flask.views import MethodView
from flask_smorest import Blueprint

from common.auth import (
    ADMIN,
    AUDITOR,
    REVIEWER,
    SERVICE,
    bearer_token,
    current_principal,
    require_roles,
)
from common.db import unit_of_work
from common.errors import Invalid
from services.workflow import (
    audit,
    delegations,
    progress,
    reading,
    schemas,
    service,
    transitions,
)
from services.workflow.gateways import Lookups

blp = Blueprint(
    "workflow", __name__, description="Reports, the approval chain, the audit trail, progress"
)

_VERSION_TAG = re.compile(r'^\s*(?:W/)?"?(\d{1,9})"?\s*$')


def _runtime():
    return current_app.extensions["rbm"]


def _session():
    return unit_of_work(_runtime().session_factory)


def _lookups() -> Lookups:
    """The catalogue and evidence, asked on behalf of the caller."""
    extras = _runtime().extras
    return Lookups(extras["catalogue"], extras["evidence"], extras["identity"], bearer_token())


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


def _tagged(report_dict: dict, status: int = 200):
    headers = {"ETag": f'"{report_dict["version"]}"'}
    if status == 201:
        headers["Location"] = f"{request.script_root}/reports/{report_dict['id']}"
    return report_dict, status, headers


@blp.route("/reports")
class Reports(MethodView):
    @blp.arguments(schemas.ReportQuery, location="query")
    @blp.response(200, schemas.ReportSchema(many=True))
    def get(self, query):
        """Reports the caller may see, filtered by year, unit, KPI, period and state."""
        principal = current_principal()
        limit, offset = query.pop("limit"), query.pop("offset")
        with _session() as session:
            rows, total = reading.list_reports(session, principal, query, limit, offset)
        response = jsonify(rows)
        response.headers["X-Total-Count"] = str(total)
        return response

    @blp.arguments(schemas.ReportCreate)
    @blp.response(201, schemas.ReportSchema)
    def post(self, body):
        """Create a draft (422 if the unit does not report that KPI then, 409 if one exists)."""
        principal = current_principal()
        lookups = _lookups()
        with _session() as session:
            report = service.create_report(session, principal, lookups, body)
            shown = reading.shown(session, report)
        return _tagged(shown, 201)


@blp.route("/reports/preview")
class ReportPreview(MethodView):
    @blp.arguments(schemas.ReportCreate)
    @blp.response(200, schemas.PreviewSchema)
    def post(self, body):
        """What saving these data would count: value, basis, each item's verdict (no write)."""
        principal = current_principal()
        lookups = _lookups()
        with _session() as session:
            return service.preview_report(session, principal, lookups, body)


@blp.route("/reports/<string:report_id>")
class ReportItem(MethodView):
    @blp.response(200, schemas.ReportSchema)
    def get(self, report_id):
        """One report with its data, evidence, state and history."""
        principal = current_principal()
        with _session() as session:
            return _tagged(reading.get_report(session, principal, report_id))

    @blp.arguments(schemas.ReportPatch)
    @blp.response(200, schemas.ReportSchema)
    def patch(self, body, report_id):
        """Change a draft or returned report's data (409 in any other state or version)."""
        principal = current_principal()
        expected = _expected_version(body)
        lookups = _lookups()
        with _session() as session:
            report = service.edit_report(session, principal, lookups, report_id, body, expected)
            shown = reading.shown(session, report)
        return _tagged(shown)


@blp.route("/reports/<string:report_id>/transitions")
class ReportTransitions(MethodView):
    @blp.arguments(schemas.TransitionRequest)
    @blp.response(200, schemas.ReportSchema)
    def post(self, body, report_id):
        """Submit, endorse, return, approve or reopen a report."""
        principal = current_principal()
        expected = _expected_version(body)
        with _session() as session:
            report = transitions.transition(
                session, principal, report_id, body["action"], body["comment"], expected
            )
            shown = reading.shown(session, report)
        return _tagged(shown)


@blp.route("/reports/transitions")
class BulkTransitions(MethodView):
    @blp.arguments(schemas.BulkRequest)
    @blp.response(200, schemas.BulkResponse)
    def post(self, body):
        """The same action on many reports; a result for each, one failing leaves the others."""
        principal = current_principal()
        targets = [(t["id"], t.get("version")) for t in body.get("reports") or []]
        targets += [(report_id, None) for report_id in body.get("ids") or []]
        with _session() as session:
            results = transitions.bulk_transition(
                session, principal, body["action"], body["comment"], targets
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
        principal = current_principal()
        with _session() as session:
            actor = delegations.actor_of(session, principal)
            report = reading.visible_report(session, actor, report_id)
            return audit.entries_of(session, report.id)


@blp.route("/audit/verify")
class AuditVerify(MethodView):
    @blp.response(200, schemas.VerifySchema)
    def get(self):
        """Check the hash chain of the whole audit trail (evidence packs carry the result)."""
        require_roles(AUDITOR, ADMIN, REVIEWER, SERVICE)
        with _session() as session:
            return audit.verify(session).as_dict()


@blp.route("/delegations")
class Delegations(MethodView):
    @blp.arguments(schemas.DelegationQuery, location="query")
    @blp.response(200, schemas.DelegationSchema(many=True))
    def get(self, query):
        """Delegations the caller gave or received (all of them for an admin)."""
        principal = current_principal()
        with _session() as session:
            return delegations.list_for(session, principal, query["active"])

    @blp.arguments(schemas.DelegationCreate)
    @blp.response(201, schemas.DelegationSchema)
    def post(self, body):
        """Name a stand-in who acts with your unit-head or reviewer rights for a date range."""
        principal = current_principal()
        lookups = _lookups()
        with _session() as session:
            return delegations.create(session, principal, lookups, **body)


@blp.route("/delegations/<string:delegation_id>")
class DelegationItem(MethodView):
    @blp.response(204)
    def delete(self, delegation_id):
        """End a delegation now; it stays on record."""
        principal = current_principal()
        with _session() as session:
            delegations.revoke(session, principal, delegation_id)


@blp.route("/progress")
class Progress(MethodView):
    @blp.arguments(schemas.ProgressQuery, location="query")
    @blp.response(200, schemas.ProgressSchema)
    def get(self, query):
        """Each unit x KPI x period of a year: state or missing, due date, late; and roll-ups."""
        principal = current_principal()
        lookups = _lookups()
        with _session() as session:
            result = progress.progress(session, principal, lookups, **query)
        return jsonify(result)
