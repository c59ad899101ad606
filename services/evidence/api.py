"""HTTP routes of evidence: parse, call a use case, serialise."""

from typing import IO

from flask import Response, current_app, request
from flask.views import MethodView
from flask_smorest import Blueprint
from werkzeug.wsgi import wrap_file

from common.auth import bearer_token, current_principal
from common.errors import Invalid, UnsupportedMediaType
from common.web import current_runtime, current_sessions, dependencies_of
from services.evidence import intake, packs, rules, schemas, service
from services.evidence.dependencies import Dependencies
from services.evidence.forms.lookups import Lookups

blp = Blueprint("evidence", __name__, description="Form templates and evidence files")


def _deps() -> Dependencies:
    return dependencies_of(current_app, Dependencies)


def multipart_stream(limit: int) -> tuple[object, bytes]:
    """The raw request body and its boundary, read under the upload limit, not the JSON one."""
    if request.mimetype != "multipart/form-data" or not request.mimetype_params.get("boundary"):
        raise UnsupportedMediaType("Send the file as multipart/form-data.")
    request.max_content_length = limit + intake.FORM_OVERHEAD
    return request.stream, request.mimetype_params["boundary"].encode("latin-1")


@blp.route("/files")
class Files(MethodView):
    @blp.arguments(schemas.FileQuery, location="query")
    @blp.response(200, schemas.FileSchema(many=True))
    def get(self, query):
        """Evidence files the caller may see, newest first."""
        return service.list_files(current_sessions(), current_principal(), query)

    @blp.doc(requestBody=schemas.UPLOAD_BODY)
    @blp.response(201, schemas.FileSchema)
    def post(self):
        """Upload one evidence file (multipart: file, unit, year, kpi, period)."""
        principal = current_principal()
        runtime = current_runtime()
        limit = runtime.settings.max_upload_bytes
        stream, boundary = multipart_stream(limit)
        deps = _deps()
        lookups = Lookups(deps.catalogue, deps.identity, bearer_token())
        row = service.upload_file(
            runtime.session_factory, deps.store, principal, stream, boundary, limit, lookups.scoring
        )
        return row, 201, {"Location": f"{request.script_root}/files/{row.id}"}


@blp.route("/files/<string:file_id>")
class FileItem(MethodView):
    @blp.response(200, schemas.FileSchema)
    def get(self, file_id):
        """One file's metadata, with what was read from it if it is a filled form."""
        return service.get_file(current_sessions(), current_principal(), file_id)


@blp.route("/files/<string:file_id>/content")
class FileContent(MethodView):
    @blp.doc(responses={"200": {"description": "The exact bytes uploaded."}})
    def get(self, file_id):
        """The exact bytes uploaded, after checking them against their SHA-256."""
        runtime = current_runtime()
        row, spool = service.open_content(
            runtime.session_factory, _deps().store, current_principal(), file_id
        )
        response = Response(
            wrap_file(request.environ, spool), mimetype=row.content_type, direct_passthrough=True
        )
        response.headers["Content-Length"] = str(row.size)
        response.headers["Content-Disposition"] = rules.content_disposition(row.filename)
        response.headers["ETag"] = f'"{row.sha256}"'
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Cache-Control"] = "private, no-store"
        return response


@blp.route("/packs")
class Packs(MethodView):
    @blp.response(200, schemas.PackSchema(many=True))
    def get(self):
        """The caller's evidence packs (everyone's for those who see every unit), newest first."""
        return packs.list_packs(current_sessions(), current_principal())

    @blp.arguments(schemas.PackRequest)
    @blp.response(202, schemas.PackSchema)
    def post(self, body):
        """Ask for an evidence pack of a year (optionally one unit, KPI, period); built later."""
        runtime = current_runtime()
        pack = packs.request_pack(
            runtime.session_factory, current_principal(), body, _deps().pack_queue.enqueue
        )
        return pack, 202, {"Location": f"{request.script_root}/packs/{pack.id}"}


def _pack_body(most: int) -> IO[bytes]:
    if request.mimetype == "multipart/form-data":
        request.max_content_length = most + intake.FORM_OVERHEAD
        sent = request.files.get("pack")
        if sent is None:
            raise Invalid("Send the pack as the form's `pack` part.", {"pack": ["Required."]})
        return sent.stream
    if request.mimetype not in ("application/zip", "application/octet-stream"):
        raise UnsupportedMediaType("Send the pack as application/zip or multipart/form-data.")
    request.max_content_length = most
    return request.stream


@blp.route("/packs/verification")
class PackVerification(MethodView):
    @blp.doc(requestBody=schemas.PACK_BODY)
    @blp.response(200, schemas.PackVerdictSchema)
    def post(self):
        """Auditors: check a pack's zip and read the verdict. The zip is the body
        (application/zip) or the `pack` part of a form (multipart/form-data)."""
        principal = current_principal()
        most = current_runtime().settings.max_pack_check_bytes
        identity = _deps().identity
        return packs.check_pack(
            principal, _pack_body(most), most, lambda: identity.get("/jwks.json")
        )


@blp.route("/packs/<string:pack_id>")
class PackItem(MethodView):
    @blp.response(200, schemas.PackSchema)
    def get(self, pack_id):
        """A pack's state and progress."""
        return packs.get_pack(current_sessions(), current_principal(), pack_id)


@blp.route("/packs/<string:pack_id>/content")
class PackContent(MethodView):
    @blp.doc(
        responses={
            "200": {"description": "The zip: files, manifest.json, manifest.jws."},
            "410": {"description": "The pack outlived its set time and is deleted."},
        }
    )
    def get(self, pack_id):
        """The pack's zip, streamed from the object store."""
        pack = packs.ready_pack(current_sessions(), current_principal(), pack_id)
        body = _deps().store.stream(pack.object_key, pack.object_version)
        response = Response(body, mimetype="application/zip", direct_passthrough=True)
        response.headers["Content-Length"] = str(pack.size)
        response.headers["Content-Disposition"] = (
            f'attachment; filename="evidence-pack-{pack.year}-{pack.id[:8]}.zip"'
        )
        response.headers["Cache-Control"] = "private, no-store"
        return response
