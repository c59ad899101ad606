"""Perspectives, CSFs and KPIs of a year: reading them, admins creating and editing them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from common.auth import Principal
from common.db import read_only, transactional
from common.errors import Conflict, Invalid, NotFound
from common.events import record_event
from services.catalogue import rules
from services.catalogue.events import CsfChanged, KpiChanged
from services.catalogue.models import Csf, Kpi, Outbox, Perspective
from services.catalogue.service.base import (
    editable_year,
    facts,
    find_kpi,
    find_year,
    require_writer,
    storable,
)

KPI_FIELDS = (
    "name_th",
    "name_en",
    "mandatory",
    "headline",
    "method",
    "cycle",
    "measure",
    "applies_to",
    "counting_rule",
    "item_fields",
    "source_th",
    "source_en",
    "reporting_th",
    "denominator_label",
    "note",
    "due_days",
)
CSF_FIELDS = ("perspective", "name_th", "name_en")


def kpi_dict(kpi: Kpi, perspective: str) -> dict[str, Any]:
    return {
        "year": kpi.year,
        "code": kpi.code,
        "csf": kpi.csf,
        "perspective": perspective,
        **{field: getattr(kpi, field) for field in KPI_FIELDS},
        "periods": list(rules.CYCLE_PERIODS.get(rules.reporting_cycle(facts(kpi)), ())),
        "imported": rules.is_imported(kpi.method),
    }


def _perspectives_of_csfs(session: Session, year: int) -> dict[str, str]:
    return dict(session.execute(select(Csf.code, Csf.perspective).where(Csf.year == year)).all())


def _sorted(kpis: list[Kpi]) -> list[Kpi]:
    return sorted(kpis, key=lambda k: rules.kpi_sort_key(k.code))


@read_only
def list_kpis(session: Session, year: int, filters: dict[str, Any]) -> list[dict[str, Any]]:
    """A year's KPIs in number order, optionally only one perspective, method, cycle or kind."""
    find_year(session, year)
    perspective_of = _perspectives_of_csfs(session, year)
    kpis = _sorted(list(session.scalars(select(Kpi).where(Kpi.year == year))))
    rows = [kpi_dict(k, perspective_of[k.csf]) for k in kpis]
    for field in ("perspective", "method", "cycle", "csf"):
        if field in filters:
            rows = [r for r in rows if r[field] == filters[field]]
    if "applies_to" in filters:
        rows = [r for r in rows if filters["applies_to"] in r["applies_to"]]
    return rows


@read_only
def get_kpi(session: Session, year: int, code: str) -> dict[str, Any]:
    find_year(session, year)
    kpi = find_kpi(session, year, code)
    return kpi_dict(kpi, session.get_one(Csf, (year, kpi.csf)).perspective)


@read_only
def kpi_periods(session: Session, year: int, code: str) -> list[dict[str, str]]:
    """A KPI's reporting periods with dates and due dates (see rules for the due-day rule),
    on the cycle of whoever reports it (the department's year for a KPI regions need not)."""
    year_row = find_year(session, year)
    kpi = find_kpi(session, year, code)
    days = rules.effective_due_days(year_row.due_days, kpi.due_days)
    return [p.as_dict() for p in rules.periods_of(year, rules.reporting_cycle(facts(kpi)), days)]


def _check_kpi(kpi: Kpi) -> None:
    problems = rules.kpi_problems(
        kpi.method, kpi.cycle, kpi.applies_to, kpi.counting_rule, kpi.item_fields
    )
    if kpi.due_days is not None and (problem := rules.due_days_problem(kpi.due_days)):
        problems["due_days"] = [problem]
    if problems:
        raise Invalid(f"KPI {kpi.code} is not consistent.", problems)


def _publish_kpi(session: Session, kpi: Kpi, created: bool, actor: str) -> dict[str, Any]:
    data = kpi_dict(kpi, session.get_one(Csf, (kpi.year, kpi.csf)).perspective)
    fields = {f: data[f] for f in KpiChanged.__dataclass_fields__ if f in data}
    record_event(session, Outbox, KpiChanged(**fields, created=created), actor)
    return data


@transactional
def create_kpi(
    session: Session, actor: Principal, year: int, body: dict[str, Any]
) -> dict[str, Any]:
    """Add a KPI to a year; its CSF (the number before the dot) must exist in that year."""
    require_writer(actor)
    editable_year(session, year)
    code = body["code"]
    if not rules.KPI_CODE.match(code):
        raise Invalid("The KPI code is not valid.", {"code": ["Like '4.1': CSF number, dot, n."]})
    csf = rules.csf_of(code)
    if session.get(Csf, (year, csf)) is None:
        raise Invalid(f"Year {year} has no CSF {csf}: add it first.", {"code": ["Unknown CSF."]})
    if session.get(Kpi, (year, code)) is not None:
        raise Conflict(f"KPI {code} already exists in {year}.", {"code": ["Already exists."]})
    kpi = Kpi(year=year, code=code, csf=csf, **{f: body.get(f) for f in KPI_FIELDS})
    _check_kpi(kpi)
    session.add(kpi)
    session.flush()
    return _publish_kpi(session, kpi, True, actor.username)


@transactional
def change_kpi(
    session: Session, actor: Principal, year: int, code: str, changes: dict[str, Any]
) -> dict[str, Any]:
    require_writer(actor)
    editable_year(session, year)
    kpi = find_kpi(session, year, code)
    before = {f: getattr(kpi, f) for f in KPI_FIELDS}
    for field, value in changes.items():
        setattr(kpi, field, value)
    _check_kpi(kpi)
    if before == {f: getattr(kpi, f) for f in KPI_FIELDS}:
        return get_kpi.within(session, year, code)
    session.flush()
    return _publish_kpi(session, kpi, False, actor.username)


# --- perspectives and CSFs ----------------------------------------------------------------


def csf_dict(csf: Csf, kpi_codes: list[str]) -> dict[str, Any]:
    return {
        "year": csf.year,
        "code": csf.code,
        "perspective": csf.perspective,
        "name_th": csf.name_th,
        "name_en": csf.name_en,
        "kpis": kpi_codes,
    }


def _csfs(session: Session, year: int) -> list[dict[str, Any]]:
    kpis: dict[str, list[str]] = {}
    for kpi in _sorted(list(session.scalars(select(Kpi).where(Kpi.year == year)))):
        kpis.setdefault(kpi.csf, []).append(kpi.code)
    csfs = session.scalars(select(Csf).where(Csf.year == year))
    return sorted((csf_dict(c, kpis.get(c.code, [])) for c in csfs), key=lambda c: int(c["code"]))


@read_only
def list_perspectives(session: Session, year: int) -> list[dict[str, Any]]:
    """The year's perspectives in order, each with its CSFs and their KPI codes."""
    find_year(session, year)
    csfs = _csfs(session, year)
    perspectives = session.scalars(
        select(Perspective).where(Perspective.year == year).order_by(Perspective.code)
    )
    return [
        {
            "code": p.code,
            "name_th": p.name_th,
            "name_en": p.name_en,
            "csfs": [c for c in csfs if c["perspective"] == p.code],
        }
        for p in perspectives
    ]


@read_only
def list_csfs(session: Session, year: int) -> list[dict[str, Any]]:
    find_year(session, year)
    return _csfs(session, year)


def _check_perspective(session: Session, year: int, code: str) -> None:
    if session.get(Perspective, (year, code)) is None:
        raise Invalid(f"Year {year} has no perspective {code}.", {"perspective": ["Unknown."]})


def _publish_csf(session: Session, csf: Csf, created: bool, actor: str) -> dict[str, Any]:
    event = CsfChanged(
        year=csf.year,
        code=csf.code,
        perspective=csf.perspective,
        name_th=csf.name_th,
        name_en=csf.name_en,
        created=created,
    )
    record_event(session, Outbox, event, actor)
    codes = session.scalars(select(Kpi.code).where(Kpi.year == csf.year, Kpi.csf == csf.code))
    return csf_dict(csf, sorted(codes, key=rules.kpi_sort_key))


@transactional
def create_csf(
    session: Session, actor: Principal, year: int, body: dict[str, Any]
) -> dict[str, Any]:
    require_writer(actor)
    editable_year(session, year)
    if not rules.CSF_CODE.match(body["code"]):
        raise Invalid("The CSF code is not valid.", {"code": ["A number from 1 to 99."]})
    _check_perspective(session, year, body["perspective"])
    if session.get(Csf, (year, body["code"])) is not None:
        raise Conflict(f"CSF {body['code']} already exists in {year}.", {"code": ["Exists."]})
    csf = Csf(year=year, **{f: body[f] for f in ("code", *CSF_FIELDS)})
    session.add(csf)
    session.flush()
    return _publish_csf(session, csf, True, actor.username)


@transactional
def change_csf(
    session: Session, actor: Principal, year: int, code: str, changes: dict[str, Any]
) -> dict[str, Any]:
    require_writer(actor)
    editable_year(session, year)
    csf = session.get(Csf, (year, code)) if storable(code) else None
    if csf is None:
        raise NotFound(f"No CSF {code} in year {year}.", {"csf": ["Unknown CSF."]})
    if "perspective" in changes:
        _check_perspective(session, year, changes["perspective"])
    for field, value in changes.items():
        setattr(csf, field, value)
    session.flush()
    return _publish_csf(session, csf, False, actor.username)
