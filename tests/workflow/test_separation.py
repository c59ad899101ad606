"""Separation of duties read from a report's history, without a database: whoever created,
changed the data of, submitted or endorsed a report never endorses or approves it, in person,
as anyone's stand-in, or through someone standing in for them."""

import pytest

from common.auth import REVIEWER, UNIT_HEAD
from services.workflow.rules import Actor, Deed, Grant, open_actions, separation_problem

X, LENDER, PROXY, OTHER = "somchai", "head-r1", "malee", "wichai"

# Every step of a report's history that makes it X's own work, by its audit action: the data
# steps (create, edit, import, recount) and the vouching ones (submit, endorse).
OWN_WORK = ("create", "edit", "import", "recount", "submit", "endorse")
CHECKS = ("endorse", "approve")
# (who took the earlier step, on whose right) and (who checks, on whose right): X in person,
# X standing in for LENDER, or PROXY standing in for X, on either side.
WAYS = {
    "in person": ((X, None), (X, None)),
    "X stood in for someone earlier": ((X, LENDER), (X, None)),
    "X stands in for someone now": ((X, None), (X, LENDER)),
    "someone stood in for X earlier": ((PROXY, X), (X, None)),
    "someone stands in for X now": ((X, None), (PROXY, X)),
}
CELLS = [
    (earlier, later, way)
    for earlier in OWN_WORK
    for later in CHECKS
    for way in WAYS
    if earlier != later  # endorsing again after a return is the same duty, not a second one
]


@pytest.mark.parametrize(("earlier", "later", "way"), CELLS)
def test_whoever_did_the_work_never_checks_it(earlier, later, way):
    (actor, lent), (checker, checker_lent) = WAYS[way]
    history = [Deed(OTHER, None, "create"), Deed(actor, lent, earlier)]
    assert separation_problem(later, history, checker, checker_lent)


@pytest.mark.parametrize("way", WAYS)
def test_the_refusal_says_who_did_what(way):
    (actor, lent), (checker, checker_lent) = WAYS[way]
    history = [Deed(actor, lent, "edit")]
    expected = {
        "in person": "You created or changed the data of this report: "
        "someone else must approve it.",
        "X stood in for someone earlier": "You created or changed the data of this report: "
        "someone else must approve it.",
        "X stands in for someone now": "You created or changed the data of this report: "
        "someone else must approve it.",
        "someone stood in for X earlier": "malee, standing in for you, created or changed the "
        "data of this report: someone else must approve it.",
        "someone stands in for X now": "somchai, for whom you stand in, created or changed the "
        "data of this report: someone else must approve it.",
    }[way]
    assert separation_problem("approve", history, checker, checker_lent) == expected


def test_a_stand_in_for_whom_another_stand_in_did_the_work_is_refused():
    history = [Deed(PROXY, LENDER, "endorse")]
    assert separation_problem("approve", history, X, LENDER) == (
        "malee, standing in for head-r1 for whom you stand in, endorsed this report: "
        "someone else must approve it."
    )


def test_endorsing_again_after_a_return_is_the_same_duty():
    history = [Deed(OTHER, None, "create"), Deed(X, None, "endorse"), Deed(PROXY, None, "return")]
    assert separation_problem("endorse", history, X, None) is None


@pytest.mark.parametrize("step", ["return", "approve", "reopen"])
def test_returning_approving_or_reopening_makes_nothing_ones_own_work(step):
    history = [Deed(OTHER, None, "create"), Deed(X, None, step)]
    assert separation_problem("endorse", history, X, None) is None


def test_a_step_of_a_kind_added_later_counts_as_a_change_of_the_data():
    history = [Deed(X, None, "attach_scan")]
    assert "created or changed the data of" in separation_problem("approve", history, X, None)


def test_other_peoples_work_bars_nobody_else():
    history = [Deed(OTHER, None, "create"), Deed(OTHER, None, "submit"), Deed(PROXY, X, "return")]
    assert separation_problem("endorse", history, X, None) is None
    assert separation_problem("endorse", history, X, LENDER) is None


@pytest.mark.parametrize("action", ["edit", "submit", "return", "reopen"])
def test_only_checking_steps_are_barred(action):
    assert separation_problem(action, [Deed(X, None, "create")], X, None) is None


def test_the_offered_actions_leave_out_a_check_of_ones_own_work_and_keep_the_return():
    history = [Deed(OTHER, None, "create"), Deed(X, None, "edit"), Deed(OTHER, None, "submit")]
    assert open_actions("submitted", {UNIT_HEAD: None}, X, history) == ["return"]
    assert open_actions("submitted", {UNIT_HEAD: None}, PROXY, history) == ["endorse", "return"]


def test_the_offered_actions_of_a_stand_in_weigh_the_work_of_whom_they_stand_in_for():
    history = [Deed(LENDER, None, "create"), Deed(OTHER, None, "submit")]
    assert open_actions("submitted", {UNIT_HEAD: LENDER}, X, history) == ["return"]
    history = [Deed(OTHER, None, "create"), Deed(LENDER, None, "endorse")]
    assert open_actions("endorsed", {REVIEWER: LENDER}, X, history) == ["return"]


def test_a_holder_of_the_role_in_their_own_right_acts_on_it_not_on_a_lenders():
    both = Actor(X, (Grant("R1", UNIT_HEAD), Grant("R1", UNIT_HEAD, LENDER)))
    history = [Deed(LENDER, None, "create"), Deed(OTHER, None, "submit")]
    assert open_actions("submitted", both.roles_in("R1"), X, history) == ["endorse", "return"]
