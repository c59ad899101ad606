"""HTTP routes of the catalogue: parse, call a use case, serialise.

Every route needs a bearer token; changes need a catalogue writer (admin or the management
group's reviewer), except that a unit head may set their own unit's KPI owners.
"""

from collections.abc import Callable
from functools import wraps

from flask import jsonify, request
from flask.views import MethodView
from flask_smorest import Blueprint

from common.auth import Principal, current_principal
from common.round_trip import SENT_BACK, held, rows_held
from common.web import current_sessions, require_json_body
from services.catalogue import schemas
from services.catalogue.service import kpis, plans, scoring, units, years
from services.catalogue.service.base import require_assigner, require_writer

blp = Blueprint(
    "catalogue",
    __name__,
    description="Fiscal years, perspectives, CSFs, KPIs, units, targets, owners and schedule",
)


@blp.before_request
def _refuse_early():
    """401 before anything else, then bodies that are not UTF-8 JSON, before any parsing."""
    current_principal()
    if request.method in ("POST", "PUT", "PATCH"):
        require_json_body()


def _before_reading(requirement: Callable[[Principal], None]) -> Callable[[Callable], Callable]:
    """A view decorator: 403 from `requirement` before the body is even read."""

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def checked(*args, **kwargs):
            requirement(current_principal())
            return view(*args, **kwargs)

        return checked

    return decorate


writers_only = _before_reading(require_writer)
assigners_only = _before_reading(require_assigner)


# --- years --------------------------------------------------------------------------------


@blp.route("/years")
class Years(MethodView):
    @blp.response(200, schemas.YearSchema(many=True))
    def get(self):
        """Every fiscal year with its dates and status."""
        current_principal()
        return years.list_years(current_sessions())

    @writers_only
    @blp.arguments(schemas.YearCreateSchema)
    @blp.response(201, schemas.YearSchema)
    def post(self, body):
        """Open a year as a draft holding a copy of another year's whole catalogue."""
        actor = current_principal()
        return years.copy_year(current_sessions(), actor, body["year"], body["copy_from"])


@blp.route("/years/current")
class CurrentYear(MethodView):
    @blp.response(200, schemas.YearSchema)
    def get(self):
        """The year units report in now: today's fiscal year if open, else the latest open one."""
        current_principal()
        return years.current_year(current_sessions())


@blp.route("/years/<year:year>")
class YearItem(MethodView):
    @blp.response(200, schemas.YearSchema)
    def get(self, year):
        """One fiscal year."""
        current_principal()
        return years.get_year(current_sessions(), year)

    @writers_only
    @blp.arguments(schemas.YearUpdateSchema)
    @blp.response(200, schemas.YearSchema)
    def patch(self, body, year):
        """Change a year's status (draft → open → closed), due-day rule or `missing_counts_as`."""
        actor = current_principal()
        return years.change_year(current_sessions(), actor, year, body)


# --- perspectives, CSFs, KPIs -------------------------------------------------------------


@blp.route("/years/<year:year>/perspectives")
class Perspectives(MethodView):
    @blp.response(200, schemas.PerspectiveSchema(many=True))
    def get(self, year):
        """The year's perspectives, each with its CSFs and their KPI codes."""
        current_principal()
        return kpis.list_perspectives(current_sessions(), year)


@blp.route("/years/<year:year>/csfs")
class Csfs(MethodView):
    @blp.response(200, schemas.CsfSchema(many=True))
    def get(self, year):
        """The year's critical success factors."""
        current_principal()
        return kpis.list_csfs(current_sessions(), year)

    @writers_only
    @blp.arguments(schemas.CsfSchema)
    @blp.response(201, schemas.CsfSchema)
    def post(self, body, year):
        """Add a CSF under a perspective."""
        actor = current_principal()
        return kpis.create_csf(current_sessions(), actor, year, body)


@blp.route("/years/<year:year>/csfs/<string:code>")
class CsfItem(MethodView):
    @writers_only
    @blp.arguments(schemas.CsfUpdateSchema)
    @blp.response(200, schemas.CsfSchema)
    def patch(self, body, year, code):
        """Rename a CSF or move it to another perspective."""
        actor = current_principal()
        return kpis.change_csf(current_sessions(), actor, year, code, body)


@blp.route("/years/<year:year>/kpis")
class Kpis(MethodView):
    @blp.arguments(schemas.KpiQuerySchema, location="query")
    @blp.response(200, schemas.KpiSchema(many=True))
    def get(self, query, year):
        """The year's KPIs in number order."""
        current_principal()
        return kpis.list_kpis(current_sessions(), year, query)

    @writers_only
    @blp.arguments(schemas.KpiCreateSchema)
    @blp.response(201, schemas.KpiSchema)
    def post(self, body, year):
        """Add a KPI to a year; its CSF must exist."""
        actor = current_principal()
        return kpis.create_kpi(current_sessions(), actor, year, body)


@blp.route("/years/<year:year>/kpis/<string:code>")
class KpiItem(MethodView):
    @blp.response(200, schemas.KpiSchema)
    def get(self, year, code):
        """One KPI of a year."""
        current_principal()
        return kpis.get_kpi(current_sessions(), year, code)

    @writers_only
    @blp.arguments(schemas.KpiUpdateSchema)
    @blp.response(200, schemas.KpiSchema)
    def patch(self, body, year, code):
        """Change a KPI's names, method, cycle, applicability, counting rule or due days."""
        actor = current_principal()
        return kpis.change_kpi(current_sessions(), actor, year, code, body)


@blp.route("/years/<year:year>/kpis/<string:code>/scoring")
class KpiScoring(MethodView):
    @blp.response(200, schemas.ScoringSchema)
    def get(self, year, code):
        """How the KPI's results add up and score in the year (provisional until confirmed)."""
        current_principal()
        return scoring.get_scoring(current_sessions(), year, code)

    @writers_only
    @blp.arguments(schemas.ScoringPutSchema)
    @blp.response(200, schemas.ScoringSchema)
    def put(self, body, year, code):
        """Set the KPI's scoring: direction, aggregation, roll-up, weight, thresholds, the
        milestones or 4.1's level steps its form prints, and whether they are confirmed
        (the body the GET returns is taken back: its read-only fields as they are)."""
        actor = current_principal()
        sent_back = held(body.pop(SENT_BACK), schemas.ScoringSchema())
        return scoring.set_scoring(current_sessions(), actor, year, code, body, sent_back)


@blp.route("/years/<year:year>/scoring")
class YearScoring(MethodView):
    @blp.response(200, schemas.ScoringSchema(many=True))
    def get(self, year):
        """Every KPI's scoring in the year."""
        current_principal()
        return scoring.list_scoring(current_sessions(), year)


@blp.route("/years/<year:year>/kpis/<string:code>/periods")
class KpiPeriods(MethodView):
    @blp.response(200, schemas.PeriodSchema(many=True))
    def get(self, year, code):
        """The KPI's reporting periods with their dates and due dates."""
        current_principal()
        return kpis.kpi_periods(current_sessions(), year, code)


# --- units --------------------------------------------------------------------------------


@blp.route("/units")
class Units(MethodView):
    @blp.arguments(schemas.UnitQuerySchema, location="query")
    @blp.response(200, schemas.UnitSchema(many=True))
    def get(self, query):
        """Every unit of the organisation, optionally of one kind or under one parent; or
        the units above one (`above`), the department first."""
        current_principal()
        return units.list_units(current_sessions(), query)

    @writers_only
    @blp.arguments(schemas.UnitCreateSchema)
    @blp.response(201, schemas.UnitSchema)
    def post(self, body):
        """Add a unit to the tree."""
        actor = current_principal()
        return units.create_unit(current_sessions(), actor, body)


@blp.route("/units/<string:code>")
class UnitItem(MethodView):
    @blp.response(200, schemas.UnitSchema)
    def get(self, code):
        """One unit."""
        current_principal()
        return units.get_unit(current_sessions(), code)

    @writers_only
    @blp.arguments(schemas.UnitUpdateSchema)
    @blp.response(200, schemas.UnitSchema)
    def patch(self, body, code):
        """Rename a unit, change its kind or move it under another parent."""
        actor = current_principal()
        return units.change_unit(current_sessions(), actor, code, body)


# --- plans --------------------------------------------------------------------------------


@blp.route("/years/<year:year>/targets")
class Targets(MethodView):
    @blp.arguments(schemas.PlanQuerySchema, location="query")
    @blp.response(200, schemas.TargetSchema(many=True))
    def get(self, query, year):
        """Targets of the units the caller may see."""
        principal = current_principal()
        return plans.list_targets(current_sessions(), principal, year, **query)

    @writers_only
    @blp.arguments(schemas.TargetPutSchema(many=True))
    @blp.response(200, schemas.TargetSchema(many=True))
    def put(self, rows, year):
        """Set targets for the (unit, KPI) rows sent; other rows stay; all rows or none (the
        rows the GET returns are taken back, each with the year of the path)."""
        actor = current_principal()
        return plans.put_targets(current_sessions(), actor, year, rows_held(rows, {"year": year}))


@blp.route("/years/<year:year>/assignments")
class Assignments(MethodView):
    @blp.arguments(schemas.PlanQuerySchema, location="query")
    @blp.response(200, schemas.AssignmentSchema(many=True))
    def get(self, query, year):
        """Who is responsible for and who collects each KPI of the units the caller may see."""
        principal = current_principal()
        return plans.list_assignments(current_sessions(), principal, year, **query)

    @assigners_only
    @blp.arguments(schemas.AssignmentPutSchema(many=True))
    @blp.response(200, schemas.AssignmentSchema(many=True))
    def put(self, rows, year):
        """Set the owners of the (unit, KPI) rows sent; both names null removes a row (the
        rows the GET returns are taken back, each with the year of the path)."""
        actor = current_principal()
        return plans.put_assignments(
            current_sessions(), actor, year, rows_held(rows, {"year": year})
        )


@blp.route("/years/<year:year>/schedule")
class Schedule(MethodView):
    @blp.arguments(schemas.ScheduleQuerySchema, location="query")
    @blp.response(200, schemas.ScheduleRowSchema(many=True))
    def get(self, query, year):
        """The periods each unit reports, with due dates (applicability applied)."""
        current_principal()
        return plans.schedule(current_sessions(), year, **query)


ONE_ANSWER_OR_THE_TABLE = {
    "200": {
        "description": "With unit and kpi: the answer to that one question. Without them: "
        "the year's table, one row per KPI and unit type.",
        "content": {
            "application/json": {
                "schema": {
                    "oneOf": [
                        schemas.ApplicabilitySchema,
                        {"type": "array", "items": schemas.ApplicabilityRowSchema},
                    ]
                }
            }
        },
    }
}


@blp.route("/years/<year:year>/applicability")
class Applicability(MethodView):
    @blp.arguments(schemas.ApplicabilityQuerySchema, location="query")
    @blp.response(200, schemas.ApplicabilitySchema)
    @blp.doc(responses=ONE_ANSWER_OR_THE_TABLE)
    def get(self, query, year):
        """Who reports what: the year's table of KPI × unit type (method and cycle), or with
        unit and kpi, whether that unit reports it (in a period) and if not, why."""
        current_principal()
        if "unit" not in query:
            table = plans.applicability_table(current_sessions(), year)
            return jsonify(schemas.ApplicabilityRowSchema(many=True).dump(table))
        return plans.applicability(
            current_sessions(), year, query["unit"], query["kpi"], query.get("period"), query["via"]
        )
