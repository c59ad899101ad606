"""What the workflow keeps of the catalogue: each year's schedule and the region of each unit.

The copy is fetched from the catalogue when first needed and joined with the reports in one
query. Every change the catalogue announces to a year, a KPI or a unit (its events) bumps a
generation number; a copy of an older generation is fetched again the next time it is needed.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import date
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session, sessionmaker

from common.db import unit_of_work
from common.errors import Invalid
from common.events import Envelope, utcnow
from services.workflow.gateways import CatalogueGateway
from services.workflow.models import CatalogueGeneration, ScheduleCopy, ScheduleSlot, UnitCopy

GENERATION_ID = 1
# The catalogue events after which a copied schedule may no longer be the catalogue's.
BINDINGS = ("catalogue.year.*", "catalogue.kpi.changed", "catalogue.unit.changed")


def on_catalogue_change(session: Session, _envelope: Envelope) -> None:
    """Event handler: every copy made before this change is stale."""
    session.execute(
        update(CatalogueGeneration)
        .where(CatalogueGeneration.id == GENERATION_ID)
        .values(generation=CatalogueGeneration.generation + 1)
    )


# The catalogue's unit kinds the tree is read by: the root, regions and their provinces.
DEPARTMENT, REGION, PROVINCE = "department", "region", "province"


def region_of(unit: Mapping[str, Any]) -> str | None:
    """A regional office is its own region; a provincial office belongs to its parent's."""
    if unit.get("kind") == REGION:
        return unit["code"]
    if unit.get("kind") == PROVINCE:
        return unit.get("parent")
    return None


def ensure_schedule(
    sessions: sessionmaker[Session],
    catalogue: CatalogueGateway,
    year: int,
    must_know: Collection[str] = (),
) -> None:
    """Make the copy of `year` current, fetching it when stale or when it lacks a needed unit.

    The catalogue is asked between two transactions, never while one is open."""
    with unit_of_work(sessions) as session:
        generation = _generation(session)
        copy = session.get(ScheduleCopy, year)
        known = set(session.scalars(select(UnitCopy.code).where(UnitCopy.code.in_(must_know))))
        if copy is not None and copy.generation == generation and known >= set(must_know):
            return
    _copy(sessions, catalogue, year, generation, catalogue.schedule(year))


def ensure_schedules(
    sessions: sessionmaker[Session], catalogue: CatalogueGateway, years: Collection[int]
) -> None:
    """Make the copies of `years` current, found in one read when they are. A year the
    catalogue does not have schedules nothing (until the catalogue announces a change)."""
    with unit_of_work(sessions) as session:
        generation = _generation(session)
        current = set(
            session.scalars(
                select(ScheduleCopy.year).where(
                    ScheduleCopy.year.in_(sorted(years)), ScheduleCopy.generation == generation
                )
            )
        )
    for year in sorted(set(years) - current):
        try:
            schedule = catalogue.schedule(year)
        except Invalid:
            schedule = []
        _copy(sessions, catalogue, year, generation, schedule)


def ensure_units(
    sessions: sessionmaker[Session], catalogue: CatalogueGateway, must_know: Collection[str]
) -> None:
    """Make the copy of the unit tree current and know `must_know`, fetching the units when
    it does not. The units are copied with every schedule: one copied since the catalogue's
    last announced change holds the current tree."""
    with unit_of_work(sessions) as session:
        current = select(ScheduleCopy.year).where(
            ScheduleCopy.generation.is_not_distinct_from(_generation(session))
        )
        fresh = session.scalar(current.limit(1)) is not None
        known = set(session.scalars(select(UnitCopy.code).where(UnitCopy.code.in_(must_know))))
    if fresh and known >= set(must_know):
        return
    units = catalogue.units()
    with unit_of_work(sessions) as session:
        _lock_copies(session)
        _store_units(session, units)


def _generation(session: Session) -> int | None:
    return session.scalar(
        select(CatalogueGeneration.generation).where(CatalogueGeneration.id == GENERATION_ID)
    )


def _copy(
    sessions: sessionmaker[Session],
    catalogue: CatalogueGateway,
    year: int,
    generation: int | None,
    schedule: list[dict],
) -> None:
    units = catalogue.units()
    with unit_of_work(sessions) as session:
        _store_copy(session, year, generation, schedule, units)


def _store_copy(
    session: Session, year: int, generation: int | None, schedule: list[dict], units: list[dict]
) -> None:
    # The copy keeps the generation read before fetching: if a change was announced
    # meanwhile, the next request fetches again.
    _lock_copies(session)
    session.execute(delete(ScheduleSlot).where(ScheduleSlot.year == year))
    if schedule:
        session.execute(
            insert(ScheduleSlot),
            [
                {
                    "year": year,
                    "unit": slot["unit"],
                    "kpi": slot["kpi"],
                    "period": slot["period"],
                    "position": position,
                    "due_on": date.fromisoformat(slot["due_on"]),
                    "optional": bool(slot.get("optional")),
                }
                for position, slot in enumerate(schedule)
            ],
        )
    _store_units(session, units)
    copy = session.get(ScheduleCopy, year)
    if copy is None:
        session.add(ScheduleCopy(year=year, generation=generation))
    else:
        copy.generation, copy.fetched_at = generation, utcnow()
    session.flush()


def _lock_copies(session: Session) -> None:
    """One writer of the copies at a time."""
    session.execute(
        select(CatalogueGeneration).where(CatalogueGeneration.id == GENERATION_ID).with_for_update()
    )


def _store_units(session: Session, units: list[dict]) -> None:
    session.execute(delete(UnitCopy))
    if units:
        session.execute(
            insert(UnitCopy),
            [{"code": u["code"], "kind": u.get("kind", ""), "region": region_of(u)} for u in units],
        )
