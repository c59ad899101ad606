"""Local copies of people, memberships, units, delegations and data collectors; who to tell."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import delete, select, tuple_
from sqlalchemy.orm import Session

from common.auth import REPORTER
from common.events import utcnow
from services.notifications.models import Assignment, Delegation, Membership, Person, Unit
from services.notifications.rules import MANAGEMENT, Audience


class MalformedEvent(ValueError):
    """An event whose data does not have the fields its type promises."""


def field(data: dict, name: str, kind: type | tuple[type, ...], required: bool = True):
    value = data.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, kind) or isinstance(value, bool) and kind is int:
        kinds = kind if isinstance(kind, tuple) else (kind,)
        expected = " or ".join(k.__name__ for k in kinds)
        raise MalformedEvent(f"field '{name}' is missing or not {expected}")
    return value


def day_of(data: dict, name: str) -> date:
    try:
        return date.fromisoformat(field(data, name, str))
    except ValueError as exc:
        raise MalformedEvent(f"field '{name}' is not an ISO date") from exc


def moment(text: str) -> datetime:
    """When an event happened; a timestamp without an offset is read as UTC."""
    try:
        value = datetime.fromisoformat(text)
    except (TypeError, ValueError) as exc:
        raise MalformedEvent("occurred_at is not an ISO timestamp") from exc
    return value if value.tzinfo else value.replace(tzinfo=UTC)


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


# A snapshot counts as this much older than its read: a change identity announces while the
# list is being read still wins over it.
SNAPSHOT_MARGIN = timedelta(minutes=1)


def snapshot_time() -> datetime:
    return utcnow() - SNAPSHOT_MARGIN


def apply_snapshot(session: Session, users: list[dict], as_of: datetime) -> int:
    """Apply identity's list of users (`GET /users`) as if each had just been announced: heals
    a copy that missed events (a queue bound after identity's first users were published)."""
    for user in users:
        data = {**user, "user_id": user.get("id") or user.get("user_id")}
        apply_user(session, data, as_of)
    return len(users)


def apply_unit(session: Session, data: dict) -> None:
    """Keep a unit's Thai name, to say it in messages."""
    code, name = field(data, "code", str), field(data, "name_th", str)
    session.merge(Unit(code=code, name_th=name))


def unit_names(session: Session, codes: set[str]) -> dict[str, str]:
    query = select(Unit.code, Unit.name_th).where(Unit.code.in_(codes))
    return dict(session.execute(query).all())


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


@dataclass(frozen=True)
class Ask:
    """Who must hear of one thing: an audience in a unit on a day, less the one who did it."""

    audience: Audience
    unit: str
    day: date
    reporter: str | None = None
    collector: str | None = None
    actor: str | None = None


def resolve(session: Session, asks: list[Ask], management_unit: str) -> list[dict[str, Person]]:
    """The active people each ask names, with their stand-ins on its day (a few queries for
    any number of asks).

    Only holders of the role in that very unit (or the management group) are told; the
    reporter only while still a member of the unit; nobody about what they did themselves.
    """
    wanted = {
        (management_unit if where == MANAGEMENT else ask.unit, role)
        for ask in asks
        for role, where in ask.audience.roles
    }
    holders: dict[tuple[str, str], set[str]] = defaultdict(set)
    if wanted:
        query = select(Membership.username, Membership.unit, Membership.role).where(
            tuple_(Membership.unit, Membership.role).in_(sorted(wanted))
        )
        for name, unit, role in session.execute(query):
            holders[(unit, role)].add(name)
    reporters = {a.reporter for a in asks if a.audience.reporter and a.reporter}
    units_of: dict[str, set[str]] = defaultdict(set)
    if reporters:
        query = select(Membership.username, Membership.unit).where(
            Membership.username.in_(sorted(reporters))
        )
        for name, unit in session.execute(query):
            units_of[name].add(unit)
    held_by_ask = []
    for ask in asks:
        held = set()
        for role, where in ask.audience.roles:
            unit = management_unit if where == MANAGEMENT else ask.unit
            held |= {(name, unit, role) for name in holders[(unit, role)]}
        if ask.audience.reporter and ask.reporter and ask.unit in units_of[ask.reporter]:
            held.add((ask.reporter, ask.unit, REPORTER))
        if ask.audience.data_collector and ask.collector:
            held.add((ask.collector, ask.unit, REPORTER))
        held_by_ask.append(held)
    delegations = _delegations(session, {name for held in held_by_ask for name, _, _ in held})
    names_by_ask = [
        {name for name, _, _ in held}
        | {
            d.delegate
            for d in delegations
            if (d.delegator, d.unit, d.role) in held and d.starts_on <= ask.day <= d.ends_on
        }
        for ask, held in zip(asks, held_by_ask, strict=True)
    ]
    people = active_people(session, set().union(*names_by_ask))
    return [
        {name: people[name] for name in names if name in people and name != ask.actor}
        for ask, names in zip(asks, names_by_ask, strict=True)
    ]


def _delegations(session: Session, delegators: set[str]) -> list[Delegation]:
    if not delegators:
        return []
    query = select(Delegation).where(
        Delegation.delegator.in_(sorted(delegators)), Delegation.revoked.is_(False)
    )
    return list(session.scalars(query))


def active_people(session: Session, names: Iterable[str]) -> dict[str, Person]:
    names = set(names)
    if not names:
        return {}
    query = select(Person).where(Person.username.in_(names), Person.active.is_(True))
    return {p.username: p for p in session.scalars(query)}


def display_names(session: Session, usernames: set[str]) -> dict[str, str]:
    """Names to show for these usernames (the username itself for someone unknown)."""
    query = select(Person.username, Person.display_name).where(Person.username.in_(usernames))
    known = {name: shown for name, shown in session.execute(query) if shown}
    return {name: known.get(name, name) for name in usernames}
