"""Request and response schemas of the catalogue (they also make its OpenAPI)."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from common.fields import YEARS, Integer, Number, StrictBoolean, Text, Timestamp
from common.round_trip import round_trip
from services.catalogue import rules, scoring

# Some character that is not white space, and no NUL; a pattern, so that the OpenAPI says it too.
NOT_BLANK = validate.Regexp(r"^[^\x00]*[^\s\x00][^\x00]*$", error="Must not be blank.")


def text(max_length: int, **kwargs) -> Text:
    """A non-blank string of at most `max_length` characters."""
    return Text(validate=[validate.Length(max=max_length), NOT_BLANK], **kwargs)


def optional_text(max_length: int, **kwargs) -> Text:
    return Text(validate=validate.Length(max=max_length), allow_none=True, **kwargs)


def one_of(choices, **kwargs) -> Text:
    return Text(validate=validate.OneOf(choices), **kwargs)


IMPORTED_DOC = "Reports come through an import (feed, survey), never typed in by the unit."


# --- years --------------------------------------------------------------------------------


MISSING_COUNTS_AS_DOC = (
    "The score (0 to 5) a KPI due without an approved value enters the year's overall and "
    "perspective scores at (default 1.0, the lowest score): silence never beats a weak result."
)


class YearSchema(Schema):
    year = fields.Integer()
    starts_on = Text(metadata={"format": "date"})
    ends_on = Text(metadata={"format": "date"})
    status = Text(metadata={"enum": list(rules.YEAR_STATUSES)})
    due_days = fields.Integer(metadata={"description": "Days after a period's end it is due."})
    missing_counts_as = fields.Float(metadata={"description": MISSING_COUNTS_AS_DOC})
    copied_from = fields.Integer(allow_none=True)


class YearCreateSchema(Schema):
    year = Integer(required=True, validate=YEARS)
    copy_from = Integer(required=True, validate=YEARS)


class YearUpdateSchema(Schema):
    status = one_of(rules.YEAR_STATUSES)
    due_days = Integer(validate=validate.Range(min=0, max=rules.MAX_DUE_DAYS))
    missing_counts_as = Number(
        validate=validate.Range(min=0, max=scoring.MAX_SCORE),
        metadata={"description": MISSING_COUNTS_AS_DOC},
    )


# --- perspectives, CSFs, KPIs -------------------------------------------------------------


class CsfSchema(Schema):
    year = fields.Integer(dump_only=True)
    code = Text(required=True, validate=validate.Regexp(rules.CSF_CODE, error="1 to 99."))
    perspective = Text(required=True, validate=validate.Length(min=1, max=2))
    name_th = text(500, required=True)
    name_en = text(500, required=True)
    kpis = fields.List(Text(), dump_only=True)


class CsfUpdateSchema(Schema):
    perspective = Text(validate=validate.Length(min=1, max=2))
    name_th = text(500)
    name_en = text(500)


class PerspectiveSchema(Schema):
    code = Text()
    name_th = Text()
    name_en = Text()
    csfs = fields.List(fields.Nested(CsfSchema))


class ItemFieldSchema(Schema):
    name = Text(required=True, validate=validate.Regexp(rules.ITEM_FIELD_NAME))
    type = one_of(rules.ITEM_FIELD_TYPES, required=True)
    required = StrictBoolean(load_default=True)
    label_th = text(200, required=True)
    label_en = Text(load_default="", validate=validate.Length(max=200))


class KpiUpdateSchema(Schema):
    """Every field an admin may change; code and CSF name the KPI and stay."""

    name_th = text(500)
    name_en = Text(validate=validate.Length(max=500))
    mandatory = StrictBoolean()
    headline = StrictBoolean()
    method = one_of(rules.METHODS)
    cycle = one_of(rules.CYCLES)
    measure = one_of(rules.MEASURES)
    applies_to = fields.List(one_of(rules.UNIT_KINDS), validate=validate.Length(max=5))
    counting_rule = one_of(rules.COUNTING_RULES, allow_none=True)
    item_fields = fields.List(fields.Nested(ItemFieldSchema), validate=validate.Length(max=20))
    source_th = optional_text(300)
    source_en = optional_text(300)
    reporting_th = optional_text(2000)
    denominator_label = optional_text(300)
    note = optional_text(2000)
    due_days = Integer(allow_none=True, metadata={"description": "null: the year's rule."})


class KpiCreateSchema(KpiUpdateSchema):
    code = Text(
        required=True,
        validate=validate.Regexp(rules.KPI_CODE, error="Like '4.1': CSF number, dot, n."),
    )
    name_th = text(500, required=True)
    name_en = Text(load_default="", validate=validate.Length(max=500))
    mandatory = StrictBoolean(load_default=False)
    headline = StrictBoolean(load_default=False)
    method = one_of(rules.METHODS, required=True)
    cycle = one_of(rules.CYCLES, required=True)
    measure = one_of(rules.MEASURES, required=True)
    applies_to = fields.List(
        one_of(rules.UNIT_KINDS), required=True, validate=validate.Length(max=5)
    )
    item_fields = fields.List(
        fields.Nested(ItemFieldSchema), load_default=list, validate=validate.Length(max=20)
    )


class KpiSchema(KpiCreateSchema):
    year = fields.Integer()
    csf = Text()
    perspective = Text()
    periods = fields.List(Text())
    imported = fields.Boolean(metadata={"description": IMPORTED_DOC})


class KpiQuerySchema(Schema):
    perspective = Text()
    csf = Text()
    method = one_of(rules.METHODS)
    cycle = one_of(rules.CYCLES)
    applies_to = one_of(rules.UNIT_KINDS, metadata={"description": "KPIs this unit kind reports"})


class PeriodSchema(Schema):
    period = Text()
    starts_on = Text(metadata={"format": "date"})
    ends_on = Text(metadata={"format": "date"})
    due_on = Text(metadata={"format": "date"})


# --- units --------------------------------------------------------------------------------


class UnitSchema(Schema):
    code = Text()
    name_th = Text()
    name_en = Text()
    kind = Text(metadata={"enum": list(rules.UNIT_KINDS)})
    parent = Text(allow_none=True)
    sample = fields.Boolean(metadata={"description": "Demo data, not a real office."})


class UnitCreateSchema(Schema):
    code = Text(
        required=True,
        validate=validate.Regexp(
            rules.UNIT_CODE,
            error="Capitals and digits, from a letter, optionally '-' and a suffix.",
        ),
    )
    name_th = text(300, required=True)
    name_en = Text(load_default="", validate=validate.Length(max=300))
    kind = one_of(rules.UNIT_KINDS, required=True)
    parent = Text(load_default=None, allow_none=True, validate=validate.Length(max=32))


class UnitUpdateSchema(Schema):
    name_th = text(300)
    name_en = Text(validate=validate.Length(max=300))
    kind = one_of(rules.UNIT_KINDS)
    parent = Text(allow_none=True, validate=validate.Length(max=32))


class UnitQuerySchema(Schema):
    kind = one_of(rules.UNIT_KINDS)
    parent = Text(validate=validate.Length(max=32))
    above = Text(
        validate=validate.Length(max=32),
        metadata={"description": "Only the units above this one, the department first."},
    )


# --- scoring ------------------------------------------------------------------------------


class ScoringUpdateSchema(Schema):
    """What the management group sets; a field left out keeps its current value."""

    direction = one_of(scoring.DIRECTIONS)
    aggregation = one_of(scoring.AGGREGATIONS)
    rollup = one_of(scoring.ROLLUPS)
    weight = Number(validate=validate.Range(min=0, max=scoring.MAX_WEIGHT))
    thresholds = fields.List(
        Number(validate=validate.Range(min=-1e9, max=1e9)),
        validate=validate.Length(equal=5),
        metadata={"description": "The values at which the score is 1, 2, 3, 4 and 5."},
    )
    milestones = fields.List(
        text(scoring.MAX_MILESTONE),
        validate=validate.Length(equal=5),
        metadata={
            "description": "What a unit must have done for levels 1 to 5, as the KPI's form "
            "prints them (7.1, 9.3); only a level KPI told by milestones has them."
        },
    )
    level_steps = fields.List(
        Number(validate=validate.Range(min=0, max=100)),
        validate=validate.Length(equal=5),
        metadata={
            "description": "4.1: the weighted average % reduction of cycle time that reaches "
            "levels 1 to 5, printed on its form and used to read a filled one."
        },
    )
    confirmed = StrictBoolean()


class ScoringSchema(ScoringUpdateSchema):
    year = fields.Integer()
    kpi = Text()
    measure = Text()
    thresholds_on = Text(
        metadata={"enum": ["level", "achievement"], "description": "What the thresholds measure."}
    )
    provisional = fields.Boolean(
        metadata={"description": "True while the criteria are the seeded ones, not confirmed."}
    )
    milestones = fields.List(
        Text(),
        allow_none=True,
        metadata={"description": "Levels 1 to 5 as the form prints them; null: not told so."},
    )
    level_steps = fields.List(
        Number(),
        allow_none=True,
        metadata={"description": "4.1's % reduction for levels 1 to 5; null for other KPIs."},
    )
    updated_by = Text(allow_none=True)
    updated_at = Timestamp(allow_none=True)


ScoringPutSchema = round_trip("ScoringPutSchema", ScoringUpdateSchema, ScoringSchema)


# --- plans: targets, owners, schedule, applicability --------------------------------------


class PlanRowSchema(Schema):
    year = fields.Integer(dump_only=True)
    unit = Text(required=True, validate=validate.Length(min=1, max=32))
    kpi = Text(required=True, validate=validate.Length(min=1, max=8))


class TargetSchema(PlanRowSchema):
    target = Number(required=True)
    denominator = Number(load_default=None, allow_none=True)
    denominator_label = optional_text(300, load_default=None)


class AssignmentSchema(PlanRowSchema):
    responsible = Text(load_default=None, allow_none=True)
    data_collector = Text(load_default=None, allow_none=True)


TargetPutSchema = round_trip("TargetPutSchema", TargetSchema, TargetSchema)
AssignmentPutSchema = round_trip("AssignmentPutSchema", AssignmentSchema, AssignmentSchema)


class PlanQuerySchema(Schema):
    unit = Text(validate=validate.Length(min=1, max=32))
    kpi = Text(validate=validate.Length(min=1, max=8))


VIA_DOC = "typed in by the unit (default), or imported"


class ScheduleQuerySchema(PlanQuerySchema):
    period = Text(validate=validate.Length(min=1, max=8))
    via = one_of(
        (rules.TYPED, rules.IMPORTED),
        load_default=rules.TYPED,
        metadata={
            "description": "typed (default): the slots units are due to type or upload; "
            "imported: the slots imports bring in, with the import's due dates"
        },
    )


class ScheduleRowSchema(PeriodSchema):
    unit = Text()
    kpi = Text()
    optional = fields.Boolean(metadata={"description": "On-results: report only with results"})
    imported = fields.Boolean(metadata={"description": "A slot an import brings in (via=imported)"})


# OpenAPI 3.0 cannot say that one query parameter needs another: the descriptions say it, and
# a query that breaks it is answered 422 naming the parameter.
QUESTION_DOC = "With `unit` and `kpi` both (one question), or neither (the year's table): "


class ApplicabilityQuerySchema(Schema):
    unit = Text(
        validate=validate.Length(min=1, max=32),
        metadata={"description": QUESTION_DOC + "a unit without `kpi` is refused (422)."},
    )
    kpi = Text(
        validate=validate.Length(min=1, max=8),
        metadata={"description": QUESTION_DOC + "a KPI without `unit` is refused (422)."},
    )
    period = Text(
        validate=validate.Length(min=1, max=8),
        metadata={
            "description": "Only with `unit` and `kpi`: whether the unit reports the KPI in "
            "this period (alone, refused with 422)."
        },
    )
    via = one_of(
        (rules.TYPED, rules.IMPORTED), load_default=rules.TYPED, metadata={"description": VIA_DOC}
    )

    @validates_schema
    def _one_question_or_the_table(self, data, **_kwargs):
        """Both unit and KPI ask one question; neither asks for the whole table."""
        asked = [name for name in ("unit", "kpi") if name in data]
        if len(asked) == 1:
            missing = "kpi" if asked == ["unit"] else "unit"
            raise ValidationError(f"Name a {missing} too, or neither for the table.", missing)
        if not asked and "period" in data:
            raise ValidationError("A period is asked about with a unit and a KPI.", "period")


class ApplicabilityRowSchema(Schema):
    kpi = Text(metadata={"description": "The KPI's code"})
    unit_type = one_of(rules.UNIT_KINDS, metadata={"description": "A kind of unit"})
    method = one_of(
        rules.WAYS,
        metadata={
            "description": "entry: typed in rbm by the unit; template: the unit uploads the "
            "filled form; import: brought in by the management group's import (never due "
            "from the unit); none: not reported by that kind of unit"
        },
    )
    cycle = one_of(rules.CYCLES, metadata={"description": "The cycle its periods follow"})


class ApplicabilitySchema(Schema):
    reports = fields.Boolean()
    reason = Text(allow_none=True)
    why = one_of(
        (rules.WHY_IMPORTED, rules.WHY_TYPED, rules.WHY_UNIT, rules.WHY_PERIOD),
        allow_none=True,
        metadata={
            "description": "Why not, as a code pages translate: imported (not typed by units), "
            "typed (not imported), unit (not this kind of unit), period (not in its cycle)"
        },
    )
    period = fields.Nested(PeriodSchema, allow_none=True)
    year = fields.Integer()
    year_status = Text()
    unit = Text()
    kpi = Text()
    method = Text(metadata={"description": "The KPI's method in the catalogue"})
    cycle = Text(metadata={"description": "The KPI's cycle in the catalogue"})
    reporting = fields.Nested(
        ApplicabilityRowSchema, metadata={"description": "The unit's row of the table"}
    )
    optional = fields.Boolean()
    imported = fields.Boolean(metadata={"description": IMPORTED_DOC})
