"""Loading the catalogue of 2547 and the org skeleton at start, and the demo data on request.

Loading is idempotent: only what is missing is added, so a second start changes nothing and
an admin's later edits stand. On PostgreSQL an advisory lock keeps replicas that start at the
same time from loading twice.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from common.auth import ADMIN, Principal
from common.events import record_event
from common.fiscal import fiscal_year_of
from services.catalogue import demo, rules, seed_2547
from services.catalogue.events import AssignmentChanged, TargetChanged
from services.catalogue.models import Assignment, Csf, Kpi, Outbox, Perspective, Target, Unit, Year
from services.catalogue.service.base import SEED_ACTOR
from services.catalogue.service.plans import target_dict
from services.catalogue.service.units import add_unit
from services.catalogue.service.years import change_year, copy_year, opened_event

_LOCK = zlib.crc32(b"rbm.catalogue.loading")


def _serialise(session: Session) -> None:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _LOCK})


def _load_units(session: Session, units: Iterable[dict[str, Any]], sample: bool) -> int:
    created = 0
    for values in units:
        if session.get(Unit, values["code"]) is None:
            add_unit(session, {**values, "sample": sample}, SEED_ACTOR)
            created += 1
    return created


def _load_year(session: Session) -> bool:
    year = seed_2547.YEAR
    if session.get(Year, year) is not None:
        return False
    row = Year(year=year, status=seed_2547.STATUS, due_days=rules.DEFAULT_DUE_DAYS)
    session.add(row)
    session.flush()
    session.add_all(Perspective(year=year, **p) for p in seed_2547.PERSPECTIVES)
    session.flush()
    session.add_all(Csf(year=year, **c) for c in seed_2547.CSFS)
    session.flush()
    session.add_all(Kpi(year=year, csf=rules.csf_of(k["code"]), **k) for k in seed_2547.KPIS)
    session.flush()
    codes = [k["code"] for k in seed_2547.KPIS]
    record_event(session, Outbox, opened_event(row, codes), SEED_ACTOR)
    return True


def load_catalogue(session: Session) -> dict[str, int]:
    """Add the org skeleton and the catalogue of 2547 where missing; returns what was added."""
    _serialise(session)
    units = _load_units(session, seed_2547.ORG_UNITS, sample=False)
    return {"units": units, "years": int(_load_year(session))}


def load_demo(session: Session) -> dict[str, int]:
    """Add the sample units and the sample owners and targets of 2547 where missing."""
    _serialise(session)
    units = _load_units(session, demo.SAMPLE_UNITS, sample=True)
    added = 0
    for row in demo.ASSIGNMENTS:
        if session.get(Assignment, (row["year"], row["unit"], row["kpi"])) is None:
            session.add(Assignment(**row, updated_by=SEED_ACTOR))
            record_event(session, Outbox, AssignmentChanged(**row), SEED_ACTOR)
            added += 1
    for row in demo.TARGETS:
        if session.get(Target, (row["year"], row["unit"], row["kpi"])) is None:
            label = session.scalar(
                select(Kpi.denominator_label).where(Kpi.year == row["year"], Kpi.code == row["kpi"])
            )
            target = Target(**row, denominator_label=label, updated_by=SEED_ACTOR)
            session.add(target)
            record_event(session, Outbox, TargetChanged(**target_dict(target)), SEED_ACTOR)
            added += 1
    return {"units": units, "plans": added, "years": _open_current_year(session, date.today())}


def _open_current_year(session: Session, today: date) -> int:
    """Open today's fiscal year as a copy of 2547's catalogue, owners and targets, once."""
    year = fiscal_year_of(today)
    if session.get(Year, year) is not None:
        return 0
    seed = Principal(user_id=SEED_ACTOR, username=SEED_ACTOR, roles=frozenset({ADMIN}))
    copy_year.within(session, seed, year, seed_2547.YEAR)
    change_year.within(session, seed, year, {"status": "open"})
    return 1
