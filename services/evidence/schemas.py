"""Request and response schemas of evidence (they also make its OpenAPI)."""

from datetime import UTC

from marshmallow import Schema, fields, validate

from common.fields import MAX_YEAR, MIN_YEAR, Count, Limit, Offset, Text, Timestamp, Year
from common.fiscal import PERIODS
from services.evidence.rules import KPI_CODE, UNIT_CODE


class FileSchema(Schema):
    id = Text()
    filename = Text()
    size = fields.Integer()
    sha256 = Text()
    content_type = Text()
    uploaded_by = Text()
    uploaded_at = Timestamp()
    unit = Text()
    year = fields.Integer()
    kpi = Text()
    period = Text()
    version = fields.Integer()
    previous_id = Text(allow_none=True)
    extracted = fields.Dict(allow_none=True, metadata={"description": "values read from a form"})


class FileQuery(Schema):
    unit = Text(validate=validate.Length(max=32))
    year = Year()
    kpi = Text(validate=validate.Length(max=16))
    period = Text(validate=validate.OneOf(PERIODS))
    uploader = Text(validate=validate.Length(max=100))
    uploaded_from = fields.Date(metadata={"description": "uploaded on or after this day (UTC)"})
    uploaded_to = fields.Date(metadata={"description": "uploaded on or before this day (UTC)"})
    latest = fields.Boolean(
        load_default=False, metadata={"description": "only the newest version of each report"}
    )
    limit = Limit()
    offset = Offset()


UPLOAD_BODY = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": ["file", "unit", "year", "kpi", "period"],
                "properties": {
                    "file": {"type": "string", "format": "binary"},
                    "unit": {"type": "string", "pattern": UNIT_CODE.pattern, "example": "R1"},
                    "year": {
                        "type": "integer",
                        "minimum": MIN_YEAR,
                        "maximum": MAX_YEAR,
                        "example": 2547,
                    },
                    "kpi": {"type": "string", "pattern": KPI_CODE.pattern, "example": "4.1"},
                    "period": {"type": "string", "enum": list(PERIODS), "example": "Q1"},
                },
            }
        }
    },
}


class FormQuery(Schema):
    unit = Text(required=True, validate=validate.Regexp(UNIT_CODE))
    period = Text(required=True, validate=validate.OneOf(PERIODS))
    version = Count(metadata={"description": "an older template version"})


class TemplateVersionSchema(Schema):
    kpi = Text()
    version = fields.Integer()
    filename = Text()
    size = fields.Integer()
    sha256 = Text()
    created_by = Text()
    created_at = Timestamp()
    builtin = fields.Boolean(metadata={"description": "shipped with rbm (version 1)"})


class TemplateSchema(Schema):
    kpi = Text()
    template_id = Text()
    versions = fields.List(fields.Nested(TemplateVersionSchema))


TEMPLATE_BODY = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": ["file"],
                "properties": {"file": {"type": "string", "format": "binary"}},
            }
        }
    },
}


class TemplatePreviewSchema(Schema):
    kpi = Text()
    version = fields.Integer(metadata={"description": "the version it would become"})
    paragraphs = fields.List(Text())
    tables = fields.List(fields.List(fields.List(Text())))


class PackRequest(Schema):
    year = Year(strict=True, required=True)
    unit = Text(validate=validate.Length(min=1, max=32))
    kpi = Text(validate=validate.Length(min=1, max=16))
    period = Text(validate=validate.OneOf(PERIODS))


class UtcDateTime(fields.DateTime):
    """A moment with its offset: stored naive moments (SQLite) are UTC."""

    def _serialize(self, value, attr, obj, **kwargs):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return super()._serialize(value, attr, obj, **kwargs)


class PackSchema(Schema):
    id = Text()
    state = Text(metadata={"enum": ["queued", "building", "ready", "failed", "expired"]})
    progress = fields.Integer(metadata={"description": "percent done"})
    files = fields.Integer()
    size = fields.Integer(metadata={"description": "bytes of the zip once ready"})
    year = fields.Integer()
    unit = Text(allow_none=True)
    kpi = Text(allow_none=True)
    period = Text(allow_none=True)
    requested_by = Text()
    requested_at = UtcDateTime()
    finished_at = UtcDateTime(allow_none=True)
    expires_at = UtcDateTime(allow_none=True)
    error = Text(allow_none=True)


class CheckedFileSchema(Schema):
    path = Text()
    size = fields.Integer(allow_none=True)
    sha256 = Text(allow_none=True)
    state = Text(metadata={"enum": ["ok", "changed", "missing", "unreadable", "extra"]})


class CheckProblemSchema(Schema):
    subject = Text(allow_none=True, metadata={"description": "the file it concerns, if one"})
    problem = Text(metadata={"description": "a code, e.g. changed, bad-signature, twice"})
    text = fields.Dict(keys=Text(), values=Text(), metadata={"description": "th and en"})


class PackVerdictSchema(Schema):
    intact = fields.Boolean()
    signature = Text(metadata={"enum": ["valid", "invalid", "unchecked"]})
    key_id = Text(allow_none=True)
    audit = Text(metadata={"enum": ["intact", "broken", "unchecked"]})
    pack_id = Text(allow_none=True)
    created_at = Text(allow_none=True)
    files = fields.List(fields.Nested(CheckedFileSchema))
    problems = fields.List(fields.Nested(CheckProblemSchema))


PACK_BODY = {
    "required": True,
    "content": {
        "application/zip": {"schema": {"type": "string", "format": "binary"}},
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": ["pack"],
                "properties": {"pack": {"type": "string", "format": "binary"}},
            }
        },
    },
}
