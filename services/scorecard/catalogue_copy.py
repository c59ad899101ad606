"""What the scorecard keeps of the catalogue: units, and each year's KPIs, scoring, targets and
due dates. A year is copied from the catalogue (over HTTP, on the scorecard's own account) the
first time it is read, and again, by the year counter in the background, after the catalogue
announces a change to its structure or the unit tree; targets and scoring then follow the
catalogue's events one by one.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from common.events import utcnow
from services.scorecard.models import DueCount, Kpi, Scoring, Target, Unit, YearCopy
from services.scorecard.rules import MISSING_COUNTS_AS
from services.scorecard.tallying import (
    CHUNK,
    add_due_dates,
    parents_of,
    put_rows,
    retally_year,
)


class Catalogue(Protocol):
    def get(self, path: str, token: str | None = None, **params: Any) -> Any: ...


def upsert_unit(session: Session, data: Mapping[str, Any]) -> bool:
    """Keep a unit; True when it is new or moved under another parent."""
    row = session.get(Unit, data["code"])
    moved = row is None or row.parent != data.get("parent")
    if row is None:
        row = Unit(code=data["code"])
        session.add(row)
    row.parent = data.get("parent")
    row.kind = data.get("kind", "")
    row.name_th = data.get("name_th", "")
    row.name_en = data.get("name_en", "")
    session.flush()
    return moved


def upsert_scoring(session: Session, year: int, data: Mapping[str, Any]) -> bool:
    """Keep a KPI's scoring; True when how its shares are counted changed (how its periods
    add up, or its roll-up, which says whether its keys count once): the year is to be
    counted again. Thresholds, weights and direction are read as the scores are made."""
    row = session.get(Scoring, (year, data["kpi"]))
    recount = row is None or row.aggregation != data["aggregation"] or row.rollup != data["rollup"]
    if row is None:
        row = Scoring(year=year, kpi=data["kpi"])
        session.add(row)
    for name in ("direction", "aggregation", "rollup", "weight", "thresholds", "confirmed"):
        setattr(row, name, data[name])
    return recount


def upsert_units(session: Session, units: list[Mapping[str, Any]]) -> None:
    """Keep the catalogue's units (a year's copy: the whole tree, in a few statements)."""
    table, kept = Unit.__table__, ("parent", "kind", "name_th", "name_en")
    rows = [
        {name: u.get(name, "") for name in ("code", "kind", "name_th", "name_en")}
        | {"parent": u.get("parent")}
        for u in units
    ]
    for start in range(0, len(rows), CHUNK):
        put_rows(session, table, rows[start : start + CHUNK], lambda new: {c: new[c] for c in kept})


def _copy_schedule(session: Session, catalogue: Catalogue, year: int, kpis: list[str]) -> None:
    """The year's due counts from the catalogue's schedule, asked a KPI at a time (a national
    year's whole schedule is hundreds of thousands of slots)."""
    session.execute(delete(DueCount).where(DueCount.year == year))
    parents = parents_of(session)
    for kpi in kpis:
        slots = catalogue.get(f"/years/{year}/schedule", kpi=kpi)
        add_due_dates(session, year, [s for s in slots if not s.get("optional")], parents)


COUNTED = "scorecard.counted"


def counts_live(session: Session, year: int) -> bool:
    """Whether the year's figures are current, so that events move them as they come (a
    stale year's events are counted with the whole year). Asked once per year and
    transaction; on PostgreSQL the year's row is held (FOR SHARE) to the transaction's end:
    a recount of the year, which holds it FOR UPDATE, waits for these events to be written
    (and reads them), or they wait for the recount and find the year current."""
    known = session.info.setdefault(COUNTED, {})
    if year not in known:
        stale = session.execute(
            select(YearCopy.stale).where(YearCopy.year == year).with_for_update(read=True)
        ).scalar_one_or_none()
        known[year] = stale is not None and not stale
    return known[year]


def mark_stale(session: Session, year: int | None = None) -> None:
    """The catalogue changed a year's structure (or, without `year`, the unit tree)."""
    session.info.pop(COUNTED, None)
    query = select(YearCopy) if year is None else select(YearCopy).where(YearCopy.year == year)
    for copy in session.scalars(query):
        copy.stale = True


def copy_year(session: Session, catalogue: Catalogue, year: int) -> None:
    """Copy the year from the catalogue and count all of it (the year's reports are kept):
    its first read, or the year counter for a stale year."""
    settings = catalogue.get(f"/years/{year}")
    units = catalogue.get("/units")
    kpis = catalogue.get(f"/years/{year}/kpis")
    scoring = catalogue.get(f"/years/{year}/scoring")
    targets = catalogue.get(f"/years/{year}/targets")
    # Rows an event added in this transaction go to the database first, so that the deletes
    # below remove them too instead of meeting them again at the next flush.
    session.flush()
    # Events of the year being written wait for the count, or it for them (`counts_live`).
    session.execute(select(YearCopy.year).where(YearCopy.year == year).with_for_update())
    upsert_units(session, units)
    session.execute(delete(Kpi).where(Kpi.year == year))
    session.add_all(
        Kpi(
            year=year,
            code=k["code"],
            perspective=k["perspective"],
            measure=k.get("measure") or "count",
            method=k["method"],
            name_th=k["name_th"],
            name_en=k.get("name_en") or "",
        )
        for k in kpis
    )
    session.execute(delete(Scoring).where(Scoring.year == year))
    for row in scoring:
        upsert_scoring(session, year, row)
    session.execute(delete(Target).where(Target.year == year))
    session.add_all(
        Target(year=year, unit=t["unit"], kpi=t["kpi"], target=t["target"]) for t in targets
    )
    session.flush()
    _copy_schedule(session, catalogue, year, [k["code"] for k in kpis])
    retally_year(session, year)
    copy = session.get(YearCopy, year) or YearCopy(year=year)
    copy.stale, copy.fetched_at, copy.counting_since = False, utcnow(), None
    copy.missing_counts_as = settings.get("missing_counts_as", MISSING_COUNTS_AS)
    session.add(copy)
    session.flush()
    session.info.pop(COUNTED, None)
