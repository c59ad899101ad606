"""HTTP routes of the forms: download prefilled, list and replace templates."""

from flask import Response, current_app
from flask.views import MethodView
from flask_smorest import Blueprint

from common.auth import ADMIN, bearer_token, current_principal
from common.web import current_runtime, current_sessions, dependencies_of
from services.evidence import rules, schemas
from services.evidence.api import multipart_stream
from services.evidence.dependencies import Dependencies
from services.evidence.forms import service
from services.evidence.forms.lookups import Lookups

blp = Blueprint("evidence-forms", __name__, description="KPI forms (docxtpl templates)")
DOCX = rules.CONTENT_TYPES["docx"]


def _deps() -> Dependencies:
    return dependencies_of(current_app, Dependencies)


def _docx(filename: str, content: bytes) -> Response:
    response = Response(content, mimetype=DOCX)
    response.headers["Content-Disposition"] = rules.content_disposition(filename)
    response.headers["Cache-Control"] = "private, no-store"
    return response


@blp.route("/templates")
class Templates(MethodView):
    @blp.response(200, schemas.TemplateSchema(many=True))
    def get(self):
        """The KPIs that have a form, each with its template versions."""
        current_principal()
        runtime = current_runtime()
        return service.list_templates(runtime.session_factory, _deps().templates)


@blp.route("/templates/<year:year>/<kpi:kpi>")
class Form(MethodView):
    @blp.arguments(schemas.FormQuery, location="query")
    @blp.doc(responses={"200": {"description": "The prefilled .docx form."}})
    def get(self, query, year, kpi):
        """The KPI's form for a unit and period, prefilled from the catalogue (.docx)."""
        principal = current_principal()
        deps = _deps()
        lookups = Lookups(deps.catalogue, deps.identity, bearer_token())
        req = service.FormRequest(year, kpi, query["unit"], query["period"], query.get("version"))
        form = service.download_form(current_sessions(), deps.templates, lookups, principal, req)
        response = _docx(form.filename, form.content)
        response.headers["X-Template-Version"] = str(form.version.version)
        return response


@blp.route("/templates/<kpi:kpi>")
class TemplateUpload(MethodView):
    @blp.doc(requestBody=schemas.TEMPLATE_BODY)
    @blp.response(201, schemas.TemplateVersionSchema)
    def post(self, kpi):
        """Replace a KPI's template (admin): a docxtpl .docx, tried with sample data first."""
        principal = current_principal()
        runtime = current_runtime()
        stream, boundary = multipart_stream(service.MAX_TEMPLATE_BYTES)
        return service.replace_template(
            runtime.session_factory,
            _deps().templates,
            _deps().store,
            principal,
            kpi,
            stream,
            boundary,
        )


@blp.route("/templates/<kpi:kpi>/preview")
class TemplatePreview(MethodView):
    @blp.doc(requestBody=schemas.TEMPLATE_BODY)
    @blp.response(200, schemas.TemplatePreviewSchema)
    def post(self, kpi):
        """The form a new template would make with sample data (admin); nothing is stored."""
        principal = current_principal()
        principal.require_role(ADMIN)  # before the body is read: a refusal reads nothing
        runtime = current_runtime()
        stream, boundary = multipart_stream(service.MAX_TEMPLATE_BYTES)
        return service.preview_template(
            runtime.session_factory, _deps().templates, principal, kpi, stream, boundary
        )


@blp.route("/templates/<kpi:kpi>/versions/<int:version>")
class TemplateSource(MethodView):
    @blp.doc(responses={"200": {"description": "The template itself (.docx with Jinja tags)."}})
    def get(self, kpi, version):
        """One version of a KPI's template as uploaded, to edit and upload again."""
        current_principal()
        runtime = current_runtime()
        found, source = service.template_source(
            runtime.session_factory, _deps().templates, kpi, version
        )
        return _docx(f"template_{kpi}_v{found.version}.docx", source)
