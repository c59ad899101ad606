"""Fiscal years: reading them, changing status and due-day rule, opening one by copying."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from common.auth import Principal
from common.db import read_only, transactional
from common.errors import Conflict, Invalid, NotFound
from common.events import record_event
from common.fiscal import fiscal_year_dates, fiscal_year_of, today
from services.catalogue import rules
from services.catalogue.events import YearChanged, YearOpened
from services.catalogue.models import (
    Assignment,
    Csf,
    Kpi,
    Outbox,
    Perspective,
    Scoring,
    Target,
    Year,
)
from services.catalogue.scoring import missing_counts_as_problem
from services.catalogue.service.base import find_year, require_writer

# Everything that makes a year's catalogue, in the order foreign keys need them.
YEAR_TABLES = (Perspective, Csf, Kpi, Target, Assignment, Scoring)


def year_dict(row: Year) -> dict[str, Any]:
    starts_on, ends_on = fiscal_year_dates(row.year)
    return {
        "year": row.year,
        "starts_on": starts_on.isoformat(),
        "ends_on": ends_on.isoformat(),
        "status": row.status,
        "due_days": row.due_days,
        "missing_counts_as": row.missing_counts_as,
        "copied_from": row.copied_from,
    }


@read_only
def list_years(session: Session) -> list[dict[str, Any]]:
    return [year_dict(y) for y in session.scalars(select(Year).order_by(Year.year))]


@read_only
def get_year(session: Session, year: int) -> dict[str, Any]:
    return year_dict(find_year(session, year))


@read_only
def current_year(session: Session) -> dict[str, Any]:
    """The year units report in now: today's fiscal year if it is open, else the latest open."""
    open_years = list(session.scalars(select(Year.year).where(Year.status == "open")))
    if not open_years:
        raise NotFound("No fiscal year is open.")
    this_year = fiscal_year_of(today())
    return get_year.within(session, this_year if this_year in open_years else max(open_years))


@transactional
def change_year(
    session: Session, actor: Principal, year: int, changes: dict[str, Any]
) -> dict[str, Any]:
    """Move a year through draft → open → closed (→ open), or change its due-day rule or
    what a KPI due without an approved value scores."""
    require_writer(actor)
    row = find_year(session, year)
    if "due_days" in changes and (problem := rules.due_days_problem(changes["due_days"])):
        raise Invalid("The due-day rule is not valid.", {"due_days": [problem]})
    missing = changes.get("missing_counts_as", row.missing_counts_as)
    if problem := missing_counts_as_problem(missing):
        raise Invalid("What a missing KPI scores is not valid.", {"missing_counts_as": [problem]})
    previous = (row.status, row.due_days, row.missing_counts_as)
    status = changes.get("status", row.status)
    if problem := rules.year_transition_problem(row.status, status):
        raise Conflict(f"Year {year}: {problem}", {"status": [problem]})
    row.status, row.due_days = status, changes.get("due_days", row.due_days)
    row.missing_counts_as = missing
    if (row.status, row.due_days, row.missing_counts_as) != previous:
        data = year_dict(row)
        event = YearChanged(
            year=row.year,
            status=row.status,
            previous_status=previous[0],
            starts_on=data["starts_on"],
            ends_on=data["ends_on"],
            due_days=row.due_days,
            missing_counts_as=row.missing_counts_as,
        )
        record_event(session, Outbox, event, actor.username)
    return year_dict(row)


def _clone(row: Any, **overrides: Any) -> Any:
    values = {c.key: getattr(row, c.key) for c in row.__table__.columns}
    return type(row)(**{**values, **overrides})


@transactional
def copy_year(session: Session, actor: Principal, year: int, copy_from: int) -> dict[str, Any]:
    """Open `year` as a draft holding a copy of `copy_from`'s whole catalogue.

    KPIs, CSFs, perspectives, targets, owners and due-day rules are copied; the new year then
    changes on its own. One `catalogue.year.opened` event names the copied KPIs.
    """
    require_writer(actor)
    if problem := rules.year_problem(year):
        raise Invalid("The year is not valid.", {"year": [problem]})
    source = session.get(Year, copy_from)
    if source is None:
        raise Invalid(f"No fiscal year {copy_from} to copy.", {"copy_from": ["Unknown year."]})
    if session.get(Year, year) is not None:
        raise Conflict(f"Year {year} already exists.", {"year": ["Already exists."]})
    new = Year(
        year=year,
        status="draft",
        due_days=source.due_days,
        missing_counts_as=source.missing_counts_as,
        copied_from=copy_from,
    )
    session.add(new)
    session.flush()
    for model in YEAR_TABLES:
        for row in session.scalars(select(model).where(model.year == copy_from)):
            session.add(_clone(row, year=year))
        session.flush()
    codes = session.scalars(select(Kpi.code).where(Kpi.year == year))
    record_event(
        session, Outbox, opened_event(new, sorted(codes, key=rules.kpi_sort_key)), actor.username
    )
    return year_dict(new)


def opened_event(row: Year, kpi_codes: list[str]) -> YearOpened:
    data = year_dict(row)
    return YearOpened(
        year=row.year,
        status=row.status,
        starts_on=data["starts_on"],
        ends_on=data["ends_on"],
        due_days=row.due_days,
        copied_from=row.copied_from,
        kpis=kpi_codes,
    )
