"""Delegation: a unit head or reviewer names a stand-in who acts with their rights for a while.

The stand-in's actions are theirs (`actor`) taken on the delegator's right (`on_behalf_of`);
the audit trail and the events carry both names.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, sessionmaker

from common.auth import ADMIN, Principal
from common.db import unit_of_work
from common.errors import Forbidden, Invalid, NotFound
from common.events import Envelope, record_event, utcnow
from common.fiscal import today as local_today
from services.workflow.audit import Trail
from services.workflow.events import DelegationCreated, DelegationEvent, DelegationRevoked
from services.workflow.gateways import Gateways
from services.workflow.models import Delegation, Outbox
from services.workflow.rules import DELEGABLE, Actor, Grant

MAX_DAYS = 366


def actor_of(session: Session, principal: Principal, today: date | None = None) -> Actor:
    """The caller with their own roles and the rights delegated to them today."""
    today = today or local_today()
    query = select(Delegation).where(
        Delegation.delegate == principal.username,
        Delegation.revoked_at.is_(None),
        Delegation.starts_on <= today,
        Delegation.ends_on >= today,
    )
    grants = [Grant(d.unit, d.role, d.delegator) for d in session.scalars(query)]
    return Actor.of(principal, grants)


def create(
    sessions: sessionmaker[Session],
    principal: Principal,
    gateways: Gateways,
    delegate: str,
    starts_on: date,
    ends_on: date,
    unit: str | None = None,
    role: str | None = None,
    reason: str = "",
) -> Delegation:
    """Name a stand-in for one of the caller's own unit-head or reviewer roles.

    Everything is checked (identity asked about the stand-in) before the transaction opens."""
    held = sorted((u, r) for u, r in principal.memberships if r in DELEGABLE)
    if not held:
        raise Forbidden("Only a unit head or a reviewer names a stand-in.")
    matching = [(u, r) for u, r in held if unit in (None, u) and role in (None, r)]
    if not matching:
        raise Invalid(
            "You hold no such role to hand on.",
            {"role": [f"One of: {', '.join(f'{r} of {u}' for u, r in held)}."]},
        )
    if len(matching) > 1:
        raise Invalid("Say which role to hand on.", {"role": ["You hold more than one."]})
    errors: dict[str, list[str]] = {}
    delegate = delegate.strip().lower()
    if delegate == principal.username:
        errors["delegate"] = ["Name someone else."]
    elif not (gateways.user(delegate) or {}).get("active"):
        errors["delegate"] = [f"No active user '{delegate}'."]
    if ends_on < starts_on:
        errors["ends_on"] = ["On or after starts_on."]
    elif (ends_on - starts_on).days >= MAX_DAYS:
        errors["ends_on"] = [f"At most {MAX_DAYS} days after starts_on."]
    elif ends_on < local_today():
        errors["ends_on"] = ["Today or later."]
    if errors:
        raise Invalid("The delegation is not valid.", errors)
    ((unit, role),) = matching
    with unit_of_work(sessions) as session:
        trail = Trail(session)
        delegation = Delegation(
            delegator=principal.username,
            delegate=delegate,
            unit=unit,
            role=role,
            starts_on=starts_on,
            ends_on=ends_on,
            reason=reason.strip(),
        )
        session.add(delegation)
        session.flush()
        _record(session, trail, principal.username, delegation, "delegate", DelegationCreated)
        return delegation


def list_for(
    sessions: sessionmaker[Session], principal: Principal, active_only: bool = False
) -> list[Delegation]:
    """Delegations the caller gave or received; all of them for an admin."""
    query = select(Delegation).order_by(Delegation.starts_on.desc(), Delegation.id)
    if not principal.has_role(ADMIN):
        name = principal.username
        query = query.where(or_(Delegation.delegator == name, Delegation.delegate == name))
    if active_only:
        today = local_today()
        query = query.where(
            Delegation.revoked_at.is_(None),
            Delegation.starts_on <= today,
            Delegation.ends_on >= today,
        )
    with unit_of_work(sessions) as session:
        return list(session.scalars(query))


def revoke(sessions: sessionmaker[Session], principal: Principal, delegation_id: str) -> None:
    """End a delegation now (its delegator, or an admin); it stays in the record."""
    with unit_of_work(sessions) as session:
        trail = Trail(session)
        delegation = session.get(Delegation, delegation_id)
        mine = delegation is not None and principal.username in (
            delegation.delegator,
            delegation.delegate,
        )
        if delegation is None or not (mine or principal.has_role(ADMIN)):
            raise NotFound(f"No delegation {delegation_id}.")
        if principal.username != delegation.delegator and not principal.has_role(ADMIN):
            raise Forbidden("Only the one who delegated, or an admin, ends a delegation.")
        if delegation.revoked_at is None:
            delegation.revoked_at = utcnow()
            delegation.revoked_by = principal.username
            _record(session, trail, principal.username, delegation, "revoke", DelegationRevoked)


# The actor named in the trail when identity's news ends a delegation.
IDENTITY = "identity"
IDENTITY_BINDINGS = ("identity.user.changed",)


def on_user_changed(session: Session, envelope: Envelope) -> None:
    """Event handler: a delegator disabled or without the role no longer has a stand-in."""
    data = envelope.data
    username = str(data.get("username", ""))
    held = {(m.get("unit"), m.get("role")) for m in data.get("memberships") or []}
    active = data.get("active") is not False
    trail = Trail(session)
    query = select(Delegation).where(
        Delegation.delegator == username,
        Delegation.revoked_at.is_(None),
        Delegation.ends_on >= local_today(),
    )
    for delegation in session.scalars(query.order_by(Delegation.id)):
        if not active:
            reason = f"{username}'s account was disabled."
        elif (delegation.unit, delegation.role) not in held:
            reason = f"{username} no longer holds the role {delegation.role} in {delegation.unit}."
        else:
            continue
        delegation.revoked_at, delegation.revoked_by = utcnow(), IDENTITY
        _record(session, trail, IDENTITY, delegation, "revoke", DelegationRevoked, reason)


def _record(
    session: Session,
    trail: Trail,
    actor: str,
    delegation: Delegation,
    action: str,
    event: type[DelegationEvent],
    reason: str = "",
) -> None:
    facts = {
        "delegator": delegation.delegator,
        "delegate": delegation.delegate,
        "unit": delegation.unit,
        "role": delegation.role,
        "starts_on": delegation.starts_on.isoformat(),
        "ends_on": delegation.ends_on.isoformat(),
    }
    changes = (
        {k: {"before": None, "after": v} for k, v in facts.items()}
        if action == "delegate"
        else {"revoked_by": {"before": None, "after": actor}}
    )
    trail.append(
        subject="delegation",
        subject_id=delegation.id,
        actor=actor,
        action=action,
        changes=changes,
        comment=delegation.reason if action == "delegate" else reason,
    )
    if reason:
        facts["reason"] = reason
    record_event(session, Outbox, event(delegation_id=delegation.id, **facts), actor)
