"""The unit tree: reading it, admins adding and changing units."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from common.auth import Principal
from common.db import read_only, transactional
from common.errors import Conflict, Invalid, NotFound
from common.events import record_event
from services.catalogue import rules
from services.catalogue.events import UnitChanged
from services.catalogue.models import Outbox, Unit
from services.catalogue.service.base import find_unit, require_writer

# Deeper than any tree the kinds allow: a walk up stops there.
MAX_DEPTH = 16
UNIT_FIELDS = ("code", "name_th", "name_en", "kind", "parent", "sample")


def unit_dict(unit: Unit) -> dict[str, Any]:
    return {field: getattr(unit, field) for field in UNIT_FIELDS}


@read_only
def list_units(session: Session, filters: dict[str, Any]) -> list[dict[str, Any]]:
    if "above" in filters:
        return _above(session, filters["above"])
    query = select(Unit).order_by(Unit.code)
    if "kind" in filters:
        query = query.where(Unit.kind == filters["kind"])
    if "parent" in filters:
        query = query.where(Unit.parent == filters["parent"])
    return [unit_dict(u) for u in session.scalars(query)]


def _above(session: Session, code: str) -> list[dict[str, Any]]:
    """The units above `code`, the department first (a page's way back up the tree): a few
    rows, however many units the tree holds."""
    try:
        parent = find_unit(session, code).parent
    except NotFound as exc:
        raise NotFound(f"No unit {code}.", {"above": ["Unknown unit."]}) from exc
    chain: list[dict[str, Any]] = []
    while parent is not None and len(chain) < MAX_DEPTH:
        unit = session.get_one(Unit, parent)
        chain.insert(0, unit_dict(unit))
        parent = unit.parent
    return chain


@read_only
def get_unit(session: Session, code: str) -> dict[str, Any]:
    return unit_dict(find_unit(session, code))


def _placement_problems(session: Session, unit: Unit) -> dict[str, list[str]]:
    """Whether the unit's kind fits its parent, and its children still fit under it."""
    parent = session.get(Unit, unit.parent) if unit.parent is not None else None
    if unit.parent is not None and parent is None:
        return {"parent": [f"Unknown unit '{unit.parent}'."]}
    if problem := rules.parent_problem(unit.kind, parent.kind if parent else None):
        return {"parent": [problem]}
    if rules.makes_cycle(unit.code, unit.parent, lambda c: session.get_one(Unit, c).parent):
        return {"parent": [f"'{unit.parent}' is below '{unit.code}': that would make a loop."]}
    children = session.scalars(select(Unit).where(Unit.parent == unit.code))
    misfits = [c.code for c in children if rules.parent_problem(c.kind, unit.kind)]
    if misfits:
        return {"kind": [f"Units {', '.join(misfits)} could no longer hang under a {unit.kind}."]}
    return {}


def _publish(session: Session, unit: Unit, created: bool, actor: str) -> dict[str, Any]:
    data = unit_dict(unit)
    record_event(session, Outbox, UnitChanged(**data, created=created), actor)
    return data


def add_unit(session: Session, values: dict[str, Any], actor: str) -> Unit:
    """Add a unit after checking its code and place in the tree; raises Invalid or Conflict."""
    if problem := rules.unit_code_problem(values["code"]):
        raise Invalid("The unit code is not valid.", {"code": [problem]})
    if session.get(Unit, values["code"]) is not None:
        raise Conflict(f"Unit {values['code']} already exists.", {"code": ["Already exists."]})
    unit = Unit(**{"sample": False, **values})
    if problems := _placement_problems(session, unit):
        raise Invalid(f"Unit {unit.code} does not fit in the tree.", problems)
    session.add(unit)
    session.flush()
    _publish(session, unit, True, actor)
    return unit


@transactional
def create_unit(session: Session, actor: Principal, body: dict[str, Any]) -> dict[str, Any]:
    require_writer(actor)
    return unit_dict(add_unit(session, body, actor.username))


@transactional
def change_unit(
    session: Session, actor: Principal, code: str, changes: dict[str, Any]
) -> dict[str, Any]:
    """Rename a unit, change its kind or move it; the tree must stay a tree."""
    require_writer(actor)
    unit = find_unit(session, code)
    before = unit_dict(unit)
    with session.no_autoflush:
        for field, value in changes.items():
            setattr(unit, field, value)
        if problems := _placement_problems(session, unit):
            raise Invalid(f"Unit {code} does not fit in the tree.", problems)
    if unit_dict(unit) == before:
        return before
    session.flush()
    return _publish(session, unit, False, actor.username)
