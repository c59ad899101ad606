"""Local copies of people, memberships, delegations and data collectors, and who to tell."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from common.auth import REPORTER
from services.notifications.models import Assignment, Delegation, Membership, Person
from services.notifications.rules import MANAGEMENT, Audience


class MalformedEvent(ValueError):
    """An event whose data does not have the fields its type promises."""


def field(data: dict, name: str, kind: type | tuple[type, ...], required: bool = True):
    value = data.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, kind) or isinstance(value, bool) and kind is int:
        raise MalformedEvent(f"field '{name}' is missing or not {kind}")
    return value


def day_of(data: dict, name: str) -> date:
    try:
        return date.fromisoformat(field(data, name, str))
    except ValueError as exc:
        raise MalformedEvent(f"field '{name}' is not an ISO date") from exc


def moment(text: str) -> datetime:
    try:
        return datetime.fromisoformat(text)
    except (TypeError, ValueError) as exc:
        raise MalformedEvent("occurred_at is not an ISO timestamp") from exc


def _newer(stored: datetime | None, incoming: datetime) -> bool:
    if stored is None:
        return True
    if stored.tzinfo is None:  # SQLite hands back naive datetimes; they were stored in UTC
        stored = stored.replace(tzinfo=incoming.tzinfo)
    return incoming >= stored


def apply_user(session: Session, data: dict, when: datetime) -> None:
    """Keep identity's latest word on a user and the roles they hold where."""
    username = field(data, "username", str)
    memberships = field(data, "memberships", list)
    pairs = set()
    for m in memberships:
        if not isinstance(m, dict):
            raise MalformedEvent("a membership is not an object")
        pairs.add((field(m, "unit", str), field(m, "role", str)))
    person = session.get(Person, username)
    if person is not None and not _newer(person.as_of, when):
        return
    values = {
        "user_id": str(field(data, "user_id", (str, int))),
        "display_name": field(data, "display_name", str, required=False) or username,
        "email": field(data, "email", str, required=False) or "",
        "active": field(data, "active", bool),
        "as_of": when,
    }
    if person is None:
        session.add(Person(username=username, **values))
    else:
        for name, value in values.items():
            setattr(person, name, value)
    session.execute(delete(Membership).where(Membership.username == username))
    session.add_all(Membership(username=username, unit=u, role=r) for u, r in sorted(pairs))


def apply_delegation(session: Session, data: dict, revoked: bool) -> None:
    """Record a delegation; a revocation wins whichever of the two events arrives first."""
    values = {
        "delegator": field(data, "delegator", str),
        "delegate": field(data, "delegate", str),
        "unit": field(data, "unit", str),
        "role": field(data, "role", str),
        "starts_on": day_of(data, "starts_on"),
        "ends_on": day_of(data, "ends_on"),
    }
    key = str(field(data, "delegation_id", (str, int)))
    row = session.get(Delegation, key)
    if row is None:
        session.add(Delegation(id=key, revoked=revoked, **values))
    elif revoked:
        row.revoked = True


def apply_assignment(session: Session, data: dict, when: datetime) -> None:
    """Keep who collects the data of a KPI in a unit in a year."""
    key = (field(data, "year", int), field(data, "unit", str), field(data, "kpi", str))
    values = {
        "responsible": field(data, "responsible", str, required=False),
        "data_collector": field(data, "data_collector", str, required=False),
        "as_of": when,
    }
    row = session.get(Assignment, key)
    if row is None:
        year, unit, kpi = key
        session.add(Assignment(year=year, unit=unit, kpi=kpi, **values))
    elif _newer(row.as_of, when):
        for name, value in values.items():
            setattr(row, name, value)


def data_collector(session: Session, year: int, unit: str, kpi: str) -> str | None:
    row = session.get(Assignment, (year, unit, kpi))
    return row.data_collector if row else None


def recipients(
    session: Session,
    audience: Audience,
    unit: str,
    management_unit: str,
    day: date,
    reporter: str | None = None,
    collector: str | None = None,
) -> dict[str, Person]:
    """Active people the audience names for this unit, plus their stand-ins on `day`.

    Only holders of the role in that very unit (or the management group) are told; the
    reporter only while still a member of the unit.
    """
    direct: set[tuple[str, str, str]] = set()
    for role, where in audience.roles:
        holder_unit = management_unit if where == MANAGEMENT else unit
        query = select(Membership.username).where(
            Membership.unit == holder_unit, Membership.role == role
        )
        direct.update((name, holder_unit, role) for name in session.scalars(query))
    if audience.reporter and reporter:
        member = select(Membership.username).where(
            Membership.username == reporter, Membership.unit == unit
        )
        if session.scalar(member.limit(1)):
            direct.add((reporter, unit, REPORTER))
    if audience.data_collector and collector:
        direct.add((collector, unit, REPORTER))
    names = {name for name, _, _ in direct} | stand_ins(session, direct, day)
    return active_people(session, names)


def stand_ins(session: Session, held: set[tuple[str, str, str]], day: date) -> set[str]:
    """Delegates of these (person, unit, role) holdings whose delegation covers `day`."""
    if not held:
        return set()
    query = select(Delegation).where(
        Delegation.delegator.in_({name for name, _, _ in held}),
        Delegation.revoked.is_(False),
        Delegation.starts_on <= day,
        Delegation.ends_on >= day,
    )
    return {d.delegate for d in session.scalars(query) if (d.delegator, d.unit, d.role) in held}


def active_people(session: Session, names: Iterable[str]) -> dict[str, Person]:
    names = set(names)
    if not names:
        return {}
    query = select(Person).where(Person.username.in_(names), Person.active.is_(True))
    return {p.username: p for p in session.scalars(query)}


def display_name(session: Session, username: str | None) -> str:
    if not username:
        return "ระบบ"
    person = session.get(Person, username)
    return person.display_name if person and person.display_name else username
