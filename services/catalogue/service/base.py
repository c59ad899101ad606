"""Lookups and permission checks every catalogue use case shares."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from common.auth import ADMIN, REVIEWER, UNIT_HEAD, Principal
from common.errors import Conflict, Forbidden, NotFound
from services.catalogue import rules
from services.catalogue.models import Kpi, Unit, Year

# The management group owns the catalogue; the IT centre's admins run it.
CATALOGUE_WRITERS = (ADMIN, REVIEWER)
SEED_ACTOR = "catalogue-seed"


def facts(kpi: Kpi) -> rules.KpiFacts:
    """What the applicability rules read of a KPI."""
    return rules.KpiFacts(kpi.code, kpi.method, kpi.cycle, tuple(kpi.applies_to), kpi.source_en)


def require_writer(principal: Principal) -> None:
    if not principal.has_role(*CATALOGUE_WRITERS):
        raise Forbidden(
            "Only the management group (reviewer) or an admin may change the catalogue."
        )


def require_assigner(principal: Principal) -> None:
    if not principal.has_role(*CATALOGUE_WRITERS, UNIT_HEAD):
        raise Forbidden("Only a unit head, the management group or an admin may set KPI owners.")


def may_assign(principal: Principal, unit: str) -> bool:
    """Owners of a unit's KPIs are set by catalogue writers, or by that unit's own head."""
    return principal.has_role(*CATALOGUE_WRITERS) or principal.has_role_in(UNIT_HEAD, unit)


def find_year(session: Session, year: int) -> Year:
    row = session.get(Year, year)
    if row is None:
        raise NotFound(f"No fiscal year {year} in the catalogue.", {"year": ["Unknown year."]})
    return row


def editable_year(session: Session, year: int) -> Year:
    """The year, if its catalogue may still change (a closed year is frozen)."""
    row = find_year(session, year)
    if row.status == "closed":
        raise Conflict(f"Year {year} is closed: reopen it to change its catalogue.")
    return row


def storable(code: str) -> bool:
    # A NUL from a URL would make PostgreSQL fail the query instead of finding nothing.
    return "\x00" not in code


def find_kpi(session: Session, year: int, code: str) -> Kpi:
    row = session.get(Kpi, (year, code)) if storable(code) else None
    if row is None:
        raise NotFound(f"No KPI {code} in year {year}.", {"kpi": ["Unknown KPI."]})
    return row


def find_unit(session: Session, code: str) -> Unit:
    row = session.get(Unit, code) if storable(code) else None
    if row is None:
        raise NotFound(f"No unit {code}.", {"unit": ["Unknown unit."]})
    return row


def children_of(session: Session) -> dict[str, list[str]]:
    tree: dict[str, list[str]] = {}
    for code, parent in session.execute(select(Unit.code, Unit.parent)):
        if parent is not None:
            tree.setdefault(parent, []).append(code)
    return tree


def visible_units(session: Session, principal: Principal) -> set[str] | None:
    """Units whose plans the caller may read: None means all; else their units and below."""
    if principal.sees_all_units:
        return None
    tree = children_of(session)
    seen: set[str] = set()
    todo = list(principal.units)
    while todo:
        code = todo.pop()
        if code not in seen:
            seen.add(code)
            todo.extend(tree.get(code, ()))
    return seen
