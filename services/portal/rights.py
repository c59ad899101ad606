"""What the signed-in user may do to a report, to offer only those buttons.

The workflow decides (its state machine answers 403/409 to anything else); the portal reads the
same table, a pure module of the workflow, so that the buttons and the rules never disagree.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from common.auth import Principal
from services.workflow.rules import (
    CREATE_ROLES,
    EDIT,
    EDITABLE,
    MACHINE,
    TRANSITIONS,
    Actor,
    Grant,
)

__all__ = ["Actor", "actions", "actor_of", "acts_as", "may_edit", "writer_units"]


def actor_of(principal: Principal, delegations: Iterable[Mapping]) -> Actor:
    """The user with their own roles and those delegated to them (active delegations only)."""
    received = [
        Grant(str(d.get("unit") or ""), str(d["role"]), str(d["delegator"]))
        for d in delegations
        if d.get("delegate") == principal.username and not d.get("revoked_at")
    ]
    return Actor.of(principal, received)


def actions(actor: Actor, state: str, unit: str) -> list[str]:
    """The transitions the user may take on a report of `unit` in `state`, in workflow order."""
    roles = actor.roles_in(unit).keys()
    return [a for a in TRANSITIONS if (step := MACHINE.get((state, a))) and step[1] & roles]


def may_edit(actor: Actor, state: str, unit: str) -> bool:
    step = MACHINE.get((state, EDIT))
    return state in EDITABLE and step is not None and bool(step[1] & actor.roles_in(unit).keys())


def acts_as(actor: Actor, role: str) -> list[str]:
    """The units where the user holds `role` (own or delegated); [""] for a unit-wide role."""
    return sorted({g.unit for g in actor.grants if g.role == role})


def writer_units(actor: Actor) -> list[str]:
    """The units whose reports the user may write (create and edit)."""
    return sorted({g.unit for g in actor.grants if g.role in CREATE_ROLES and g.unit})
