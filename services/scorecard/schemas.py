"""Request and response schemas of the scorecard (they also make its OpenAPI)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from common.fields import StrictBoolean, Text, Timestamp
from services.scorecard.rules import STATUSES


class ScorecardQuerySchema(Schema):
    unit = Text(required=True, validate=validate.Length(min=1, max=32))
    include = Text(
        load_default=None,
        validate=validate.OneOf(["pending"]),
        metadata={"description": "`pending` adds submitted and endorsed reports, marked."},
    )
    as_of = fields.Date(
        load_default=None,
        metadata={"description": "The day the elapsed part of the year is taken at (today)."},
    )


class CompletionQuerySchema(ScorecardQuerySchema):
    kpi = Text(
        load_default=None,
        validate=validate.Length(min=1, max=16),
        metadata={"description": "One KPI's reports (every KPI's when not given)."},
    )


class YearPath(Schema):
    year = fields.Integer(validate=validate.Range(min=2500, max=3000))


class ProgressSchema(Schema):
    due = fields.Integer(metadata={"description": "Reports due by `as_of`."})
    approved = fields.Integer()
    pending = fields.Integer(metadata={"description": "Submitted or endorsed, not yet approved."})


class BasisSchema(Schema):
    """How a KPI's actual was reached, with its numbers."""

    formula = Text(
        metadata={
            "enum": ["ratio", "sum", "mean"],
            "description": "The roll-up: `ratio` Σ numerators / Σ denominators x 100; `sum` "
            "Σ the units' actuals; `mean` of the units that must report (a level's missing "
            "units counted at `missing_counts_as`).",
        }
    )
    numerator = fields.Float(
        allow_none=True,
        metadata={
            "description": "Σ numerators (ratio), "
            "Σ actuals (sum, mean with the missing counted); null without a value."
        },
    )
    denominator = fields.Float(
        allow_none=True,
        metadata={"description": "Σ denominators (ratio), units averaged (mean); null for sum."},
    )
    units = fields.Integer(metadata={"description": "Units whose approved figures are counted."})
    missing = fields.Integer(
        metadata={"description": "Units that must have reported by `as_of` and have not."}
    )
    capped = fields.Integer(
        metadata={
            "description": "Units whose share of staff (10.1, 15.2) was capped at 100 %: more "
            "people counted than staff."
        }
    )
    keys = fields.Integer(
        metadata={
            "description": "Keys counted once across the units (2.2's [agency, month]: an "
            "agency served by several units in a month counts one)."
        }
    )
    text = Text(
        metadata={
            "description": "All of it in English, e.g. `Σ 12 units 340 / 400 = 85 %, 2 units "
            "missing`; Thai documents and pages write the same fields in Thai."
        }
    )


class KpiCardSchema(Schema):
    kpi = Text()
    perspective = Text()
    name_th = Text()
    name_en = Text()
    measure = Text()
    direction = Text(metadata={"enum": ["up", "down"]})
    aggregation = Text()
    rollup = Text()
    target = fields.Float(allow_none=True)
    actual = fields.Float(allow_none=True)
    achievement = fields.Float(allow_none=True, metadata={"description": "Per cent of target."})
    status = Text(metadata={"enum": list(STATUSES)})
    score = fields.Float(
        allow_none=True,
        metadata={
            "description": "1.0-5.0, linear between the five thresholds; null without a value "
            "(a missing KPI enters the weighted scores at `missing_counts_as`). Where the "
            "management group has set no thresholds, they are derived around the target by "
            "OPDC's convention: the target scores 3 (achievement 80/90/100/110/120 % -> 1..5; "
            "a level target t: t-2..t+2), marked `provisional`."
        },
    )
    weight = fields.Float()
    missing = StrictBoolean(
        metadata={"description": "Due by `as_of` (for a parent, for units below) and no value."}
    )
    basis = fields.Nested(BasisSchema)
    provisional = StrictBoolean(
        metadata={
            "description": "The thresholds are derived or not confirmed by the "
            "management group yet."
        }
    )
    includes_pending = StrictBoolean()
    reports = fields.Nested(ProgressSchema)


class FiguresSchema(Schema):
    """What every answer of a year says of its figures beside them."""

    stale = StrictBoolean(
        metadata={
            "description": "The unit tree or the year's structure changed since the figures "
            "were counted: these are the last figures, served while the year is counted again "
            "in the background."
        }
    )
    counted_at = Timestamp(
        allow_none=True,
        metadata={"description": "When the year was last counted: the time its figures stand at."},
    )


MISSING = "Due KPIs (weight above 0) with no approved value: each counted at `missing_counts_as`."


class PerspectiveScoreSchema(Schema):
    code = Text()
    score = fields.Float(allow_none=True)
    weight = fields.Float()
    missing = fields.Integer(metadata={"description": MISSING})


class ScorecardSchema(FiguresSchema):
    year = fields.Integer()
    unit = Text()
    name_th = Text()
    name_en = Text()
    kind = Text()
    parent = Text(allow_none=True)
    as_of = fields.Date()
    include_pending = StrictBoolean()
    score = fields.Float(
        allow_none=True,
        metadata={"description": "Weighted mean of the KPIs' scores, missing ones included."},
    )
    missing = fields.Integer(metadata={"description": MISSING})
    missing_counts_as = fields.Float(
        metadata={
            "description": "What a missing KPI (and a level's missing unit) scores: the "
            "lowest score, 1.0, unless the year's catalogue sets another)."
        }
    )
    perspectives = fields.List(fields.Nested(PerspectiveScoreSchema))
    kpis = fields.List(fields.Nested(KpiCardSchema))
    reports = fields.Nested(ProgressSchema)


class UnitKpiSchema(Schema):
    kpi = Text()
    actual = fields.Float(allow_none=True)
    target = fields.Float(allow_none=True)
    achievement = fields.Float(allow_none=True)
    status = Text(metadata={"enum": list(STATUSES)})
    score = fields.Float(allow_none=True)


class UnitRowSchema(Schema):
    unit = Text()
    name_th = Text()
    name_en = Text()
    kind = Text()
    score = fields.Float(allow_none=True)
    missing = fields.Integer(metadata={"description": MISSING})
    reports = fields.Nested(ProgressSchema)
    kpis = fields.List(fields.Nested(UnitKpiSchema))


class UnitsBelowSchema(FiguresSchema):
    year = fields.Integer()
    unit = Text()
    as_of = fields.Date()
    units = fields.List(fields.Nested(UnitRowSchema))


class CompletionRowSchema(Schema):
    unit = Text()
    name_th = Text()
    name_en = Text()
    kind = Text()
    has_units = StrictBoolean(metadata={"description": "Units report below it: drill down."})
    reports = fields.Nested(ProgressSchema)
    completion = fields.Float(
        allow_none=True, metadata={"description": "Approved per cent of those due; null if none."}
    )


class CompletionSchema(FiguresSchema):
    year = fields.Integer()
    unit = Text()
    as_of = fields.Date()
    reports = fields.Nested(ProgressSchema, metadata={"description": "The unit and all below."})
    completion = fields.Float(allow_none=True)
    units = fields.List(fields.Nested(CompletionRowSchema))


class HistoryQuerySchema(Schema):
    unit = Text(required=True, validate=validate.Length(min=1, max=32))
    as_of = fields.Date(
        load_default=None,
        metadata={"description": "The last day counted (today); later months are left out."},
    )


class MonthReportsSchema(Schema):
    due = fields.Integer(metadata={"description": "Reports due by the month's `as_of`."})
    approved = fields.Integer(metadata={"description": "Approved by then."})


class MonthSchema(Schema):
    month = Text(metadata={"description": "`YYYY-MM` (Common Era) of the fiscal year's month."})
    fiscal_month = fields.Integer(metadata={"description": "1 = October ... 12 = September."})
    as_of = fields.Date(metadata={"description": "Its last day, or `as_of` during the month."})
    completion = fields.Float(
        allow_none=True, metadata={"description": "Approved per cent of those due; null if none."}
    )
    score = fields.Float(
        allow_none=True, metadata={"description": "Overall weighted 1.0-5.0 at the month's end."}
    )
    missing = fields.Integer(metadata={"description": MISSING})
    reports = fields.Nested(MonthReportsSchema)


class HistorySchema(FiguresSchema):
    year = fields.Integer()
    unit = Text()
    as_of = fields.Date()
    months = fields.List(
        fields.Nested(MonthSchema),
        metadata={"description": "Each month of the fiscal year so far, October first."},
    )


class RoundReportRequest(Schema):
    unit = Text(required=True, validate=validate.Length(min=1, max=32))
    as_of = fields.Date(
        required=True,
        metadata={"description": "The day the round is read at, in the fiscal year (6, 9, 12 "
                  "months: 31 March, 30 June, 30 September): its results as they stood at "
                  "the day's end, from the reports approved by then of periods ended by then."},
    )  # fmt: skip
    format = Text(required=True, validate=validate.OneOf(["docx", "pdf"]))


class RoundReportSchema(Schema):
    id = Text()
    state = Text(metadata={"enum": ["queued", "building", "ready", "failed", "expired"]})
    progress = fields.Integer(metadata={"description": "Per cent done."})
    year = fields.Integer()
    unit = Text()
    as_of = fields.Date()
    format = Text(metadata={"enum": ["docx", "pdf"]})
    size = fields.Integer(metadata={"description": "Bytes of the document once ready."})
    requested_by = Text()
    requested_at = Timestamp()
    finished_at = Timestamp(allow_none=True)
    expires_at = Timestamp(allow_none=True)
    error = Text(allow_none=True)
