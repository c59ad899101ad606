"""Request and response schemas of the workflow (they also make its OpenAPI)."""

from __future__ import annotations

import re

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from common.fields import YEARS, Integer, Limit, Number, Offset, Text, Timestamp
from common.fiscal import PERIODS
from services.workflow.rules import DELEGABLE, STATES, TRANSITIONS

FILE_ID = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")


class FileId(fields.Raw):
    """An evidence file id as the evidence service gives it: text or a whole number."""

    def __init__(self, **kwargs):
        text = {"type": "string", "pattern": FILE_ID.pattern}
        documented = {"oneOf": [text, {"type": "integer"}]}
        super().__init__(metadata=documented, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise ValidationError("A file id: text or a whole number.")
        if isinstance(value, str) and not FILE_ID.fullmatch(value):
            raise ValidationError("A file id: 1 to 64 letters, digits, '.', '_' or '-'.")
        return value


YEAR = YEARS


class ReportData(Schema):
    """What a unit writes; `value` only where it is not counted or computed."""

    value = Number(allow_none=True, metadata={"description": "entered number or level"})
    numerator = Number(
        allow_none=True,
        metadata={"description": "percentage KPIs: the count over the catalogue's denominator"},
    )
    items = fields.Raw(
        allow_none=True, metadata={"description": "list KPIs: the items to count (see API.md)"}
    )
    evidence_ids = fields.List(FileId(), allow_none=True)
    note = Text(allow_none=True, validate=validate.Length(max=5000))


class ReportCreate(ReportData):
    year = Integer(required=True, validate=YEAR)
    kpi = Text(required=True, validate=validate.Length(min=1, max=16))
    unit = Text(required=True, validate=validate.Length(min=1, max=32))
    period = Text(required=True, validate=validate.OneOf(PERIODS))


class ReportPatch(ReportData):
    version = Integer(metadata={"description": "the version you edited (or send If-Match)"})


# Query strings carry numbers as text, so query schemas parse them (unlike JSON bodies).
class ReportQuery(Schema):
    year = fields.Integer(validate=YEAR)
    unit = Text(validate=validate.Length(max=32))
    kpi = Text(validate=validate.Length(max=16))
    period = Text(validate=validate.OneOf(PERIODS))
    state = Text(validate=validate.OneOf(STATES))
    within = Text(
        validate=validate.Length(min=1, max=32),
        metadata={
            "description": "Only reports of this unit and of every unit below it (a region: "
            "its provincial offices too; the department: every unit)."
        },
    )
    person = Text(
        validate=validate.Length(min=1, max=100),
        metadata={
            "description": "Only reports this username created, last changed, or acted on or "
            "was acted for in any entry of the audit trail (submitter, endorser, approver, a "
            "delegate or the person they stood in for)."
        },
    )
    limit = Limit()
    offset = Offset()


class HistorySchema(Schema):
    seq = fields.Integer()
    at = Timestamp()
    action = Text()
    actor = Text()
    on_behalf_of = Text(allow_none=True)
    from_state = Text(allow_none=True)
    to_state = Text(allow_none=True)
    comment = Text()


class ReportSchema(Schema):
    id = Text()
    year = fields.Integer()
    kpi = Text()
    unit = Text()
    period = Text()
    state = Text()
    value = fields.Float(allow_none=True)
    value_source = Text(
        allow_none=True,
        metadata={"description": "counted | computed | evidence | entered | import"},
    )
    value_basis = fields.Raw(allow_none=True)
    items = fields.Raw(metadata={"description": "each item with `counted`, and `reason` if not"})
    evidence_ids = fields.List(fields.Raw())
    evidence = fields.Raw()
    note = Text()
    version = fields.Integer()
    method = Text()
    measure = Text()
    counting_rule = Text(allow_none=True)
    created_by = Text()
    created_at = Timestamp()
    updated_by = Text()
    updated_at = Timestamp()
    submitted_at = Timestamp(allow_none=True)
    approved_at = Timestamp(allow_none=True)
    frozen = fields.Raw(allow_none=True)
    history = fields.List(fields.Nested(HistorySchema))
    actions = fields.List(
        Text(validate=validate.OneOf(TRANSITIONS)),
        metadata={"description": "the transitions the caller may take now"},
    )
    editable = fields.Boolean(metadata={"description": "whether the caller may change its data"})
    due_on = fields.Date(
        allow_none=True,
        metadata={
            "description": "the due date of its period in the catalogue's schedule; null when "
            "the schedule has no such period for the unit"
        },
    )
    late = fields.Boolean(
        metadata={
            "description": "first submitted after the due date (in Thailand), or not submitted "
            "and the due date has passed; never for a KPI reported when there are results, "
            "nor without a due date"
        }
    )


class GrantSchema(Schema):
    unit = Text(metadata={"description": "empty for a role held across every unit"})
    role = Text()
    on_behalf_of = Text(allow_none=True, metadata={"description": "the delegator"})


class UnitRoleSchema(Schema):
    unit = Text()
    role = Text()


class RightsSchema(Schema):
    username = Text()
    grants = fields.List(fields.Nested(GrantSchema))
    sees_all_units = fields.Boolean()
    writer_units = fields.List(Text(), metadata={"description": "may create reports"})
    submitter_units = fields.List(Text(), metadata={"description": "may submit"})
    delegable = fields.List(
        fields.Nested(UnitRoleSchema), metadata={"description": "roles one may hand to a stand-in"}
    )


class TransitionRequest(Schema):
    action = Text(required=True, validate=validate.OneOf(TRANSITIONS))
    comment = Text(load_default="", validate=validate.Length(max=2000))
    version = Integer(metadata={"description": "the version you acted on (or send If-Match)"})


class PreviewSchema(Schema):
    value = fields.Float(allow_none=True)
    value_basis = fields.Raw(allow_none=True)
    items = fields.Raw(metadata={"description": "each item with `counted`, and `reason` if not"})


class BulkTarget(Schema):
    id = Text(required=True, validate=validate.Length(min=1, max=64))
    version = Integer()


class BulkRequest(Schema):
    action = Text(required=True, validate=validate.OneOf(TRANSITIONS))
    comment = Text(load_default="", validate=validate.Length(max=2000))
    reports = fields.List(fields.Nested(BulkTarget), validate=validate.Length(max=1000))
    ids = fields.List(
        Text(validate=validate.Length(min=1, max=64)), validate=validate.Length(max=1000)
    )

    @validates_schema
    def _some_reports(self, data, **_kwargs):
        if not data.get("reports") and not data.get("ids"):
            raise ValidationError(
                "Name the reports: `reports` [{id, version}] or `ids`.", "reports"
            )


class BulkResult(Schema):
    id = Text()
    ok = fields.Boolean()
    status = fields.Integer()
    state = Text()
    version = fields.Integer()
    detail = Text()


class BulkResponse(Schema):
    action = Text()
    succeeded = fields.Integer()
    failed = fields.Integer()
    results = fields.List(fields.Nested(BulkResult))


class AuditEntrySchema(Schema):
    seq = fields.Integer()
    at = Timestamp()
    subject = Text()
    subject_id = Text()
    actor = Text()
    on_behalf_of = Text(allow_none=True)
    action = Text()
    changes = fields.Raw(metadata={"description": "{field: {before, after}}"})
    comment = Text()
    prev_hash = Text()
    hash = Text()


class VerifySchema(Schema):
    intact = fields.Boolean()
    entries = fields.Integer()
    first_bad = fields.Integer(allow_none=True)
    problem = Text(allow_none=True)
    anchors = fields.Integer(metadata={"description": "anchors in the bucket checked"})


class AnchorSchema(Schema):
    seq = fields.Integer()
    hash = Text()
    at = Text(metadata={"description": "ISO 8601 with offset"})
    key = Text()


class DelegationCreate(Schema):
    delegate = Text(required=True, validate=validate.Length(min=1, max=64))
    starts_on = fields.Date(required=True)
    ends_on = fields.Date(required=True)
    unit = Text(validate=validate.Length(min=1, max=32))
    role = Text(validate=validate.OneOf(sorted(DELEGABLE)))
    reason = Text(load_default="", validate=validate.Length(max=2000))


class DelegationQuery(Schema):
    active = fields.Boolean(load_default=False)


class DelegationSchema(Schema):
    id = Text()
    delegator = Text()
    delegate = Text()
    unit = Text()
    role = Text()
    starts_on = fields.Date()
    ends_on = fields.Date()
    reason = Text()
    created_at = Timestamp()
    revoked_at = Timestamp(allow_none=True)
    revoked_by = Text(allow_none=True)


class ProgressQuery(Schema):
    year = fields.Integer(required=True, validate=YEAR)
    unit = Text(validate=validate.Length(min=1, max=32))
    kpi = Text(validate=validate.Length(min=1, max=16))


class ProgressRow(Schema):
    unit = Text()
    kpi = Text()
    period = Text()
    state = Text(metadata={"description": "the report's state, or `missing`"})
    report_id = Text(allow_none=True)
    due_on = Text()
    late = fields.Boolean()
    optional = fields.Boolean()


class ProgressSchema(Schema):
    year = fields.Integer()
    rows = fields.List(fields.Nested(ProgressRow))
    by_unit = fields.List(fields.Dict())
    by_region = fields.List(fields.Dict())
    by_kpi = fields.List(fields.Dict())
    total = fields.Dict()


# --- imports -----------------------------------------------------------------------------------

IMPORT_ENCODINGS = ("utf-8", "utf-8-sig", "cp874", "windows-874", "tis-620")


class ImportForm(Schema):
    year = fields.Integer(required=True, validate=YEAR)
    kpi = Text(required=True, validate=validate.Length(min=1, max=16))
    dry_run = fields.Boolean(
        load_default=False, metadata={"description": "true: check and say what would change"}
    )
    encoding = Text(
        validate=validate.OneOf(IMPORT_ENCODINGS),
        metadata={"description": "a CSV's encoding; detected (UTF-8 or cp874) when left out"},
    )


# flask-smorest documents one schema per location: a body of a file and fields is written out.
IMPORT_BODY = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": ["file", "year", "kpi"],
                "properties": {
                    "file": {"type": "string", "format": "binary", "description": "CSV or .xlsx"},
                    "year": {"type": "integer", "minimum": 2500, "maximum": 3000},
                    "kpi": {"type": "string", "maxLength": 16, "example": "3.1"},
                    "dry_run": {"type": "boolean", "default": False},
                    "encoding": {"type": "string", "enum": list(IMPORT_ENCODINGS)},
                },
            }
        }
    },
}


class ImportRow(Schema):
    line = fields.Integer()
    unit = Text()
    period = Text()
    value = fields.Float()
    action = Text(metadata={"enum": ["create", "update", "unchanged"]})


class ImportSource(Schema):
    filename = Text()
    sha256 = Text()
    encoding = Text(allow_none=True, metadata={"description": "a CSV's, as read"})


class ImportResult(Schema):
    valid = fields.Boolean()
    dry_run = fields.Boolean()
    file = fields.Nested(ImportSource)
    evidence_id = Text(metadata={"description": "the source file kept as evidence"})
    rows = fields.List(fields.Nested(ImportRow))
    created = fields.Integer()
    updated = fields.Integer()
    unchanged = fields.Integer()


class ImportRowProblem(Schema):
    line = fields.Integer()
    errors = fields.List(Text())


class ImportProblem(Schema):
    type = Text()
    title = Text()
    status = fields.Integer()
    detail = Text()
    errors = fields.Dict()
    reason = Text()
    rows = fields.List(fields.Nested(ImportRowProblem))
    bad_rows = fields.Integer()
