"""HTTP routes of the scorecard: parse, call a use case, serialise."""

from dataclasses import replace

from flask import Response, current_app, request
from flask.views import MethodView
from flask_smorest import Blueprint

from common.auth import current_principal
from common.events import utcnow
from common.web import current_sessions, dependencies_of
from services.scorecard import round_reports, schemas
from services.scorecard.dependencies import Dependencies
from services.scorecard.service import Query, Scorecards

blp = Blueprint(
    "scorecard", __name__, description="Results against targets, scores and roll-ups (read model)"
)


def _scorecards() -> Scorecards:
    sessions = current_sessions()
    return Scorecards(sessions, dependencies_of(current_app, Dependencies).catalogue)


def _query(year: int, args: dict) -> Query:
    return Query(year, args["unit"], args.get("include") == "pending", args.get("as_of"))


@blp.route("/<int:year>")
class UnitScorecard(MethodView):
    @blp.arguments(schemas.ScorecardQuerySchema, location="query")
    @blp.response(200, schemas.ScorecardSchema)
    def get(self, args, year):
        """A unit's targets, actuals, achievement, status and scores; parents roll up."""
        principal = current_principal()
        return _scorecards().unit(principal, _query(year, args), utcnow())


@blp.route("/<int:year>/units")
class UnitsBelow(MethodView):
    @blp.arguments(schemas.ScorecardQuerySchema, location="query")
    @blp.response(200, schemas.UnitsBelowSchema)
    def get(self, args, year):
        """The units right below `unit`: each one's score and progress, for drilling down."""
        principal = current_principal()
        return _scorecards().units_below(principal, _query(year, args), utcnow())


@blp.route("/<int:year>/progress")
class Completion(MethodView):
    @blp.arguments(schemas.CompletionQuerySchema, location="query")
    @blp.response(200, schemas.CompletionSchema)
    def get(self, args, year):
        """The reports due, approved and pending of `unit` and of each unit right below it, of
        every KPI or of `kpi`, from the roll-up (no unit x KPI x period cell is read): the
        progress of a parent unit."""
        principal = current_principal()
        query = replace(_query(year, args), kpi=args.get("kpi"))
        return _scorecards().completion(principal, query, utcnow())


@blp.route("/<int:year>/history")
class History(MethodView):
    @blp.arguments(schemas.HistoryQuerySchema, location="query")
    @blp.response(200, schemas.HistorySchema)
    def get(self, args, year):
        """Completion and overall score of `unit` (rolled up) at the end of each month of the
        fiscal year so far, from the approvals given by then."""
        principal = current_principal()
        query = Query(year, args["unit"], as_of=args.get("as_of"))
        return _scorecards().history(principal, query, utcnow())


@blp.route("/<int:year>/round-reports")
class RoundReports(MethodView):
    @blp.response(200, schemas.RoundReportSchema(many=True))
    def get(self, year):
        """The caller's round reports of the year (everyone's for those who see every unit),
        newest first."""
        return round_reports.list_reports(current_sessions(), current_principal(), year)

    @blp.arguments(schemas.RoundReportRequest)
    @blp.response(202, schemas.RoundReportSchema)
    def post(self, body, year):
        """Ask for a unit's self-assessment report (รายงานผลการประเมินตนเอง) at `as_of`, as
        .docx or PDF: built in the background; poll it, then download its content."""
        catalogue = dependencies_of(current_app, Dependencies).catalogue
        ask = {**body, "year": year}
        report = round_reports.request_report(
            current_sessions(), current_principal(), catalogue, ask
        )
        location = f"{request.script_root}/{year}/round-reports/{report.id}"
        return report, 202, {"Location": location}


@blp.route("/<int:year>/round-reports/<string:report_id>")
class RoundReportItem(MethodView):
    @blp.response(200, schemas.RoundReportSchema)
    def get(self, year, report_id):
        """A round report's state and progress."""
        return round_reports.get_report(current_sessions(), current_principal(), year, report_id)


@blp.route("/<int:year>/round-reports/<string:report_id>/content")
class RoundReportContent(MethodView):
    @blp.doc(
        responses={
            "200": {"description": "The document (.docx or PDF)."},
            "409": {"description": "Not built yet (or its build failed)."},
            "410": {"description": "The document outlived its set time and is deleted."},
        }
    )
    def get(self, year, report_id):
        """The round report's document."""
        report, content = round_reports.ready_content(
            current_sessions(), current_principal(), year, report_id
        )
        response = Response(content, mimetype=round_reports.FORMATS[report.format])
        response.headers["Content-Disposition"] = (
            f'attachment; filename="{round_reports.file_name(report)}"'
        )
        response.headers["Cache-Control"] = "private, no-store"
        return response
