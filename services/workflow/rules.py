"""Pure rules of the approval workflow: the state machine as data, and who acts for whom.

Nothing here touches a database or a request. The counting rules live in `counting.py`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from common.auth import ADMIN, AUDITOR, REPORTER, REVIEWER, SERVICE, UNIT_HEAD, Principal
from common.errors import Conflict, Forbidden, Invalid

DRAFT, SUBMITTED, ENDORSED, RETURNED, APPROVED = (
    "draft",
    "submitted",
    "endorsed",
    "returned",
    "approved",
)
STATES = (DRAFT, SUBMITTED, ENDORSED, RETURNED, APPROVED)

EDIT, SUBMIT, ENDORSE, RETURN, APPROVE, REOPEN = (
    "edit",
    "submit",
    "endorse",
    "return",
    "approve",
    "reopen",
)
# What POST /reports/{id}/transitions takes; `edit` is what PATCH does.
TRANSITIONS = (SUBMIT, ENDORSE, RETURN, APPROVE, REOPEN)
ACTIONS = (EDIT, *TRANSITIONS)
NEEDS_COMMENT = frozenset({RETURN, REOPEN})
# States a unit may still change; an approved report is frozen until an admin reopens it.
EDITABLE = frozenset({DRAFT, RETURNED})

# The approval chain unit -> unit head -> management group, as data:
# (state, action) -> (new state, roles that may take it there).
MACHINE: Mapping[tuple[str, str], tuple[str, frozenset[str]]] = {
    (DRAFT, EDIT): (DRAFT, frozenset({REPORTER, UNIT_HEAD})),
    (RETURNED, EDIT): (RETURNED, frozenset({REPORTER, UNIT_HEAD})),
    (DRAFT, SUBMIT): (SUBMITTED, frozenset({REPORTER})),
    (RETURNED, SUBMIT): (SUBMITTED, frozenset({REPORTER})),
    (SUBMITTED, ENDORSE): (ENDORSED, frozenset({UNIT_HEAD})),
    (SUBMITTED, RETURN): (RETURNED, frozenset({UNIT_HEAD})),
    (ENDORSED, APPROVE): (APPROVED, frozenset({REVIEWER})),
    (ENDORSED, RETURN): (RETURNED, frozenset({REVIEWER})),
    # Reopening sends an approved report back to its unit, which edits and submits it again.
    (APPROVED, REOPEN): (RETURNED, frozenset({ADMIN})),
}
# Who may create a report: whoever may edit a draft.
CREATE_ROLES = MACHINE[(DRAFT, EDIT)][1]
PAST_TENSE = {
    EDIT: "edited",
    SUBMIT: "submitted",
    ENDORSE: "endorsed",
    RETURN: "returned",
    APPROVE: "approved",
    REOPEN: "reopened",
}

# Roles held across every unit; reporter and unit head act only in their own unit.
GLOBAL_ROLES = frozenset({REVIEWER, AUDITOR, ADMIN, SERVICE})
# Roles a holder may hand to a stand-in for a while.
DELEGABLE = frozenset({UNIT_HEAD, REVIEWER})


def roles_for(action: str) -> frozenset[str]:
    """Every role that may take `action` in some state."""
    return frozenset().union(*(roles for (_, a), (_, roles) in MACHINE.items() if a == action))


@dataclass(frozen=True)
class Step:
    """An allowed move: the new state, the role that allows it and whose right it was."""

    to: str
    role: str
    on_behalf_of: str | None


def decide(state: str, action: str, roles: Mapping[str, str | None], comment: str = "") -> Step:
    """Where `action` takes a report in `state` for an actor holding `roles` (role -> delegator).

    A role that may never take the action is 403; an action the state does not allow is 409;
    a role that may take it only in another state is 403 again.
    """
    if action not in ACTIONS:
        raise Invalid(f"Unknown action '{action}'.", {"action": [f"One of {', '.join(ACTIONS)}."]})
    if not roles.keys() & roles_for(action):
        raise Forbidden(f"Your roles may not {action} a report.")
    step = MACHINE.get((state, action))
    if step is None:
        raise Conflict(f"A report that is {state} cannot be {PAST_TENSE[action]}.", state=state)
    to, allowed = step
    held = sorted(allowed & roles.keys(), key=lambda role: (roles[role] is not None, role))
    if not held:
        who = ", ".join(sorted(allowed))
        raise Forbidden(f"A {state} report is {PAST_TENSE[action]} by: {who}.")
    if action in NEEDS_COMMENT and not comment.strip():
        raise Invalid(f"Say why: {action} needs a comment.", {"comment": ["Required."]})
    return Step(to, held[0], roles[held[0]])


def allowed_actions(state: str, roles: Mapping[str, str | None]) -> list[str]:
    """The transitions `decide` lets an actor holding `roles` take now, in chain order."""
    return [action for action in TRANSITIONS if _allows(state, action, roles)]


def may_edit(state: str, roles: Mapping[str, str | None]) -> bool:
    """Whether `decide` lets an actor holding `roles` change the report's data now."""
    return _allows(state, EDIT, roles)


def _allows(state: str, action: str, roles: Mapping[str, str | None]) -> bool:
    try:
        _step_for(state, action, roles)
    except (Forbidden, Conflict, Invalid):
        return False
    return True


# Steps that check someone else's work: never taken by whoever did that work.
CHECKING_STEPS = frozenset({ENDORSE, APPROVE})
# Moves along the chain that vouch for the data without changing it. Any other step of a
# report's history (create, edit, import, recount, and any step added later) changed its data.
VOUCHING = {SUBMIT: "submitted", ENDORSE: "endorsed"}
CHANGED_DATA = "created or changed the data of"


@dataclass(frozen=True)
class Deed:
    """One step of a report's history as its audit entry records it."""

    actor: str
    on_behalf_of: str | None
    kind: str  # the entry's action


def _duty(deed: Deed, action: str) -> str | None:
    """What `deed` did to the report that bars its people from `action`, if anything."""
    if deed.kind == action:
        return None  # the same check again (an endorsement after a return) is the same duty
    if deed.kind in VOUCHING:
        return VOUCHING[deed.kind]
    return None if deed.kind in TRANSITIONS else CHANGED_DATA


def _who(deed: Deed, actor: str, on_behalf_of: str | None) -> str | None:
    """How the message names the person both `deed` and the checker involve, if any."""
    if actor == deed.actor:
        return "You"
    if actor == deed.on_behalf_of:
        return f"{deed.actor}, standing in for you,"
    if on_behalf_of and on_behalf_of == deed.actor:
        return f"{on_behalf_of}, for whom you stand in,"
    if on_behalf_of and on_behalf_of == deed.on_behalf_of:
        return f"{deed.actor}, standing in for {on_behalf_of} for whom you stand in,"
    return None


def separation_problem(
    action: str, history: Iterable[Deed], actor: str, on_behalf_of: str | None
) -> str | None:
    """Why `actor` (standing in for `on_behalf_of`) may not take the checking step `action` on
    a report with this history: they, or the one they stand in for, in person or through a
    stand-in, created, changed, submitted or endorsed it."""
    if action not in CHECKING_STEPS:
        return None
    for deed in reversed(list(history)):  # the latest part they took is the one named
        duty = _duty(deed, action)
        who = duty and _who(deed, actor, on_behalf_of)
        if who:
            return f"{who} {duty} this report: someone else must {action} it."
    return None


def open_actions(
    state: str, roles: Mapping[str, str | None], actor: str, history: Iterable[Deed]
) -> list[str]:
    """The transitions `actor` may take now: those the chain allows that nobody's duties bar."""
    history = list(history)
    out = []
    for action in allowed_actions(state, roles):
        lent = _step_for(state, action, roles).on_behalf_of
        if separation_problem(action, history, actor, lent) is None:
            out.append(action)
    return out


def _step_for(state: str, action: str, roles: Mapping[str, str | None]) -> Step:
    return decide(state, action, roles, comment="(asked in advance)")


@dataclass(frozen=True)
class Grant:
    """A role in a unit, held in one's own right or through a delegation (`on_behalf_of`)."""

    unit: str
    role: str
    on_behalf_of: str | None = None


@dataclass(frozen=True)
class Actor:
    """Who acts, with their own roles and those delegated to them today."""

    username: str
    grants: tuple[Grant, ...]

    @classmethod
    def of(cls, principal: Principal, delegated: Iterable[Grant] = ()) -> Actor:
        own = [Grant(unit, role) for unit, role in sorted(principal.memberships)]
        # Service accounts hold their role without a membership.
        own += [Grant("", role) for role in sorted(principal.roles - {g.role for g in own})]
        return cls(principal.username, (*own, *delegated))

    def roles_in(self, unit: str) -> dict[str, str | None]:
        """role -> delegator (None when held in one's own right) for acting on `unit`."""
        roles: dict[str, str | None] = {}
        for grant in sorted(self.grants, key=lambda g: g.on_behalf_of is not None):
            if grant.unit == unit or grant.role in GLOBAL_ROLES:
                roles.setdefault(grant.role, grant.on_behalf_of)
        return roles

    @property
    def sees_all_units(self) -> bool:
        return any(grant.role in GLOBAL_ROLES for grant in self.grants)

    @property
    def units(self) -> frozenset[str]:
        return frozenset(grant.unit for grant in self.grants if grant.unit)

    def may_see(self, unit: str) -> bool:
        return self.sees_all_units or unit in self.units
