"""A KPI's scoring data in a year: read by anyone signed in, set by the management group.

Without a stored row the KPI scores by the provisional default of `scoring.default_scoring`;
setting it stores a row, announces `catalogue.scoring.changed` (who, before and after: the
record of the change) and, once `confirmed`, the criteria stop being provisional. The milestones
and 4.1's steps are what the forms print; a row stored before they existed (NULL) keeps the
default ones.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from common.auth import Principal
from common.db import read_only, transactional
from common.errors import Invalid
from common.events import record_event, utcnow
from services.catalogue.events import ScoringChanged
from services.catalogue.models import Kpi, Outbox, Scoring
from services.catalogue.scoring import default_scoring, scoring_problems, thresholds_on
from services.catalogue.service.base import editable_year, find_kpi, find_year, require_writer

SCORING_FIELDS = (
    "direction",
    "aggregation",
    "rollup",
    "weight",
    "thresholds",
    "milestones",
    "level_steps",
    "confirmed",
)


def scoring_of(kpi: Kpi, row: Scoring | None) -> dict[str, Any]:
    """The KPI's scoring: its stored row, or the provisional default."""
    out = default_scoring(kpi.code, kpi.measure, kpi.method, kpi.counting_rule)
    if row is not None:
        stored = {name: getattr(row, name) for name in SCORING_FIELDS}
        out.update({name: value for name, value in stored.items() if value is not None})
        out["updated_by"], out["updated_at"] = row.updated_by, row.updated_at
    out.update(year=kpi.year, kpi=kpi.code, measure=kpi.measure)
    out["provisional"] = not out["confirmed"]
    return out


@read_only
def get_scoring(session: Session, year: int, code: str) -> dict[str, Any]:
    kpi = find_kpi(session, year, code)
    return scoring_of(kpi, session.get(Scoring, (year, code)))


@read_only
def list_scoring(session: Session, year: int) -> list[dict[str, Any]]:
    """Every KPI's scoring in the year."""
    find_year(session, year)
    rows = {r.kpi: r for r in session.scalars(select(Scoring).where(Scoring.year == year))}
    kpis = session.scalars(select(Kpi).where(Kpi.year == year))
    return [scoring_of(k, rows.get(k.code)) for k in kpis]


@transactional
def set_scoring(
    session: Session,
    actor: Principal,
    year: int,
    code: str,
    body: Mapping[str, Any],
    sent_back: Callable[[Mapping[str, Any]], None] = lambda _scoring: None,
) -> dict[str, Any]:
    """Store the KPI's scoring (fields left out keep their current value) and announce it;
    `sent_back` checks the current scoring against what the caller read of it. Setting what
    is already set changes nothing."""
    require_writer(actor)
    editable_year(session, year)
    kpi = find_kpi(session, year, code)
    row = session.get(Scoring, (year, code))
    before = scoring_of(kpi, row)
    sent_back(before)
    after = {name: body.get(name, before[name]) for name in SCORING_FIELDS}
    if problems := scoring_problems(after, code, kpi.measure):
        raise Invalid(f"The scoring of KPI {code} is not valid.", problems)
    if all(after[name] == before[name] for name in SCORING_FIELDS):
        return before
    if row is None:
        row = Scoring(year=year, kpi=code)
        session.add(row)
    for name, value in after.items():
        setattr(row, name, value)
    row.updated_by, row.updated_at = actor.username, utcnow()
    session.flush()
    event = ScoringChanged(
        year=year,
        kpi=code,
        thresholds_on=thresholds_on(kpi.measure),
        previous={name: before[name] for name in SCORING_FIELDS},
        **after,
    )
    record_event(session, Outbox, event, actor.username)
    return scoring_of(kpi, row)
