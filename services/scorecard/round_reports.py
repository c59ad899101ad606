"""Round reports (รายงานผลการประเมินตนเอง): a unit's self-assessment at an as-of date, asked
for here, built in the background by `round_worker`, kept in the scorecard's own table.

Reviewers, auditors and admins may ask for any unit's; a unit head for their own units only.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from common.auth import UNIT_HEAD, Principal
from common.config import setting
from common.db import read_only, transactional
from common.errors import Conflict, DomainError, Forbidden, Invalid, NotFound
from common.events import utcnow
from common.fiscal import fiscal_year_dates
from services.scorecard.catalogue_copy import Catalogue
from services.scorecard.models import RoundReport, Unit
from services.scorecard.service import ensure_year

QUEUED, BUILDING, READY, FAILED, EXPIRED = "queued", "building", "ready", "failed", "expired"
FORMATS = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}


class RoundReportGone(DomainError):
    status, title = 410, "Gone"


@dataclass(frozen=True)
class RoundPolicy:
    """How long a built document is kept, how large it may be, and how long a worker's claim
    holds before another worker takes the report again."""

    keep_days: int = setting("RBM_SCORECARD_ROUND_REPORT_DAYS", 7)
    max_bytes: int = setting("RBM_SCORECARD_ROUND_REPORT_MAX_BYTES", 20 * 1024 * 1024)
    lease_seconds: int = setting("RBM_SCORECARD_ROUND_REPORT_LEASE_SECONDS", 600)
    max_attempts: int = 3

    def __post_init__(self) -> None:
        if self.keep_days < 1 or self.max_bytes < 1 or self.lease_seconds < 1:
            raise ValueError("Round report days, size and lease must be at least 1")

    @property
    def keep(self) -> timedelta:
        return timedelta(days=self.keep_days)

    @property
    def lease(self) -> timedelta:
        return timedelta(seconds=self.lease_seconds)


def _check_role(principal: Principal, unit: str) -> None:
    if principal.sees_all_units or principal.has_role_in(UNIT_HEAD, unit):
        return
    raise Forbidden(
        "Round reports are for reviewers, auditors, admins and a unit's own head, "
        f"not for you on {unit}."
    )


def _check_ask(session: Session, catalogue: Catalogue, ask: dict[str, Any]) -> None:
    ensure_year(session, catalogue, ask["year"])
    if session.get(Unit, ask["unit"]) is None:
        raise Invalid(f"No unit {ask['unit']}.", {"unit": ["Unknown unit."]})
    first, last = fiscal_year_dates(ask["year"])
    if not first <= ask["as_of"] <= last:
        raise Invalid(
            f"The as-of date must fall in fiscal year {ask['year']} ({first} to {last}).",
            {"as_of": [f"Must be between {first} and {last}."]},
        )


@transactional
def request_report(
    session: Session, principal: Principal, catalogue: Catalogue, ask: dict[str, Any]
) -> RoundReport:
    """A queued round report of `ask` (year, unit, as_of, format); the worker builds it."""
    _check_role(principal, ask["unit"])
    _check_ask(session, catalogue, ask)
    report = RoundReport(
        id=str(uuid.uuid4()),
        year=ask["year"],
        unit=ask["unit"],
        as_of=ask["as_of"],
        format=ask["format"],
        state=QUEUED,
        progress=0,
        attempts=0,
        size=0,
        requested_by=principal.username,
        requested_at=utcnow(),
    )
    session.add(report)
    session.flush()
    return report


@read_only
def list_reports(session: Session, principal: Principal, year: int) -> list[RoundReport]:
    """The caller's round reports of the year (everyone's for those who see every unit),
    newest first."""
    query = select(RoundReport).where(RoundReport.year == year)
    if not principal.sees_all_units:
        query = query.where(RoundReport.requested_by == principal.username)
    return list(session.scalars(query.order_by(RoundReport.requested_at.desc()).limit(50)))


@transactional
def get_report(session: Session, principal: Principal, year: int, report_id: str) -> RoundReport:
    """A round report its caller may see: their own, or any for those who see every unit."""
    report = session.get(RoundReport, report_id) if len(report_id) <= 36 else None
    if (
        report is None
        or report.year != year
        or not (principal.sees_all_units or report.requested_by == principal.username)
    ):
        raise NotFound(f"No round report {report_id}.")
    if report.state == READY and report.expires_at and _aware(report.expires_at) < utcnow():
        report.state, report.content = EXPIRED, None
    return report


@transactional
def ready_content(
    session: Session, principal: Principal, year: int, report_id: str
) -> tuple[RoundReport, bytes]:
    """The built document of a ready round report (409 before, 410 once expired)."""
    report = get_report.within(session, principal, year, report_id)
    if report.state == EXPIRED:
        raise RoundReportGone("The report was kept for its set time and is deleted; ask again.")
    if report.state != READY or report.content is None:
        raise Conflict(
            f"The report is {report.state}, not ready to download.", {"state": [report.state]}
        )
    return report, report.content


def file_name(report: RoundReport) -> str:
    return f"round-report-{report.year}-{report.unit}-{report.as_of.isoformat()}.{report.format}"


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
