"""The approval state machine and who acts for whom, without a database."""

import pytest

from common.auth import ADMIN, AUDITOR, REPORTER, REVIEWER, ROLES, UNIT_HEAD, Principal
from common.errors import Conflict, Forbidden, Invalid
from services.workflow import rules
from services.workflow.rules import ACTIONS, STATES, Actor, Grant, decide

# Written out by hand from API.md and the issue: every (state, action, role) that is allowed.
ALLOWED = {
    ("draft", "edit", REPORTER): "draft",
    ("draft", "edit", UNIT_HEAD): "draft",
    ("returned", "edit", REPORTER): "returned",
    ("returned", "edit", UNIT_HEAD): "returned",
    ("draft", "submit", REPORTER): "submitted",
    ("returned", "submit", REPORTER): "submitted",
    ("submitted", "endorse", UNIT_HEAD): "endorsed",
    ("submitted", "return", UNIT_HEAD): "returned",
    ("endorsed", "approve", REVIEWER): "approved",
    ("endorsed", "return", REVIEWER): "returned",
    ("approved", "reopen", ADMIN): "returned",
}
# Which roles take an action at all (in some state).
TAKES = {
    "edit": {REPORTER, UNIT_HEAD},
    "submit": {REPORTER},
    "endorse": {UNIT_HEAD},
    "return": {UNIT_HEAD, REVIEWER},
    "approve": {REVIEWER},
    "reopen": {ADMIN},
}
STATE_ALLOWS = {(s, a) for (s, a, _) in ALLOWED}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("state", STATES)
def test_every_state_action_and_role(state, action, role):
    roles = {role: None}
    if (state, action, role) in ALLOWED:
        step = decide(state, action, roles, comment="เหตุผล")
        assert (step.to, step.role, step.on_behalf_of) == (ALLOWED[state, action, role], role, None)
    elif role not in TAKES[action]:
        with pytest.raises(Forbidden):
            decide(state, action, roles, comment="เหตุผล")
    elif (state, action) not in STATE_ALLOWS:
        with pytest.raises(Conflict):
            decide(state, action, roles, comment="เหตุผล")
    else:
        with pytest.raises(Forbidden):
            decide(state, action, roles, comment="เหตุผล")


def test_the_machine_holds_exactly_the_allowed_moves():
    table = {
        (state, action, role): to
        for (state, action), (to, roles) in rules.MACHINE.items()
        for role in roles
    }
    assert table == ALLOWED


@pytest.mark.parametrize("comment", ["", "   "])
def test_return_needs_a_comment(comment):
    with pytest.raises(Invalid) as err:
        decide("submitted", "return", {UNIT_HEAD: None}, comment=comment)
    assert "comment" in err.value.errors


def test_reopen_needs_a_reason():
    with pytest.raises(Invalid):
        decide("approved", "reopen", {ADMIN: None})


def test_approving_twice_is_a_conflict_not_a_permission_problem():
    with pytest.raises(Conflict):
        decide("approved", "approve", {REVIEWER: None})


def test_an_unknown_action_is_invalid():
    with pytest.raises(Invalid):
        decide("draft", "publish", {REPORTER: None})


def test_a_delegated_role_acts_on_behalf_of_its_holder():
    step = decide("submitted", "endorse", {UNIT_HEAD: "head1"})
    assert (step.role, step.on_behalf_of) == (UNIT_HEAD, "head1")


def test_an_own_role_is_preferred_to_a_delegated_one():
    actor = Actor("x", (Grant("R1", UNIT_HEAD, "head1"), Grant("R1", UNIT_HEAD)))
    assert actor.roles_in("R1") == {UNIT_HEAD: None}


def principal(memberships, username="u"):
    return Principal(
        user_id="1",
        username=username,
        roles=frozenset(r for _, r in memberships),
        units=frozenset(u for u, _ in memberships),
        memberships=frozenset(memberships),
    )


def test_a_reporter_holds_no_role_in_another_unit():
    actor = Actor.of(principal({("R1", REPORTER)}))
    assert actor.roles_in("R1") == {REPORTER: None}
    assert actor.roles_in("R2") == {}
    assert actor.may_see("R1") and not actor.may_see("R2")


@pytest.mark.parametrize("role", [REVIEWER, AUDITOR, ADMIN])
def test_management_roles_hold_in_every_unit(role):
    actor = Actor.of(principal({("MSD", role)}))
    assert actor.roles_in("R7-12") == {role: None}
    assert actor.sees_all_units


def test_a_stand_in_for_a_unit_head_sees_and_acts_in_that_unit_only():
    actor = Actor.of(principal({("R2", REPORTER)}), [Grant("R1", UNIT_HEAD, "head1")])
    assert actor.roles_in("R1") == {UNIT_HEAD: "head1"}
    assert actor.may_see("R1") and actor.may_see("R2") and not actor.may_see("R3")


def test_a_stand_in_for_the_reviewer_acts_everywhere():
    actor = Actor.of(principal({("R2", REPORTER)}), [Grant("MSD", REVIEWER, "reviewer")])
    assert actor.roles_in("R5") == {REVIEWER: "reviewer"}
    assert actor.sees_all_units
