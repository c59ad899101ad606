"""The workflow's use cases on SQLite, the other services faked in memory (tests/fakes.py):
the approval chain, separation of duties, returns, delegations and what the catalogue and
evidence refuse, with no backend running."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from common.auth import REPORTER, REVIEWER, UNIT_HEAD
from common.db import unit_of_work
from common.errors import Conflict, Forbidden, Invalid
from common.fiscal import today as local_today
from services.workflow import delegations
from services.workflow.models import Report
from services.workflow.service import create_report, edit_report
from services.workflow.transitions import transition
from tests.fakes import YEAR, FakeGateways, person

UNIT = "R1-10"
REPORTER_1 = person("somchai", (UNIT, REPORTER))
HEAD = person("malee", (UNIT, UNIT_HEAD))
REVIEWER_1 = person("wichai", ("PRD", REVIEWER))
# Reporter and head of the unit at once: may write a report or endorse one, never both.
BOTH = person("suda", (UNIT, REPORTER), (UNIT, UNIT_HEAD))


@pytest.fixture
def sessions(sqlite_store):
    return sqlite_store("workflow")


@pytest.fixture
def world() -> FakeGateways:
    return FakeGateways()


def draft(sessions, world, who=REPORTER_1, period="M01", **data):
    body = {"year": YEAR, "unit": UNIT, "kpi": "4.1", "period": period, "value": 7, **data}
    return create_report(sessions, who, world, body).report


def act(sessions, world, who, report, action, comment=""):
    return transition(sessions, who, world, report.id, action, comment).report


def reports_in(sessions) -> int:
    with unit_of_work(sessions) as session:
        return session.scalar(select(func.count()).select_from(Report))


def test_a_report_climbs_from_draft_to_approved_and_approval_freezes_it(sessions, world):
    report = draft(sessions, world)
    assert report.state == "draft" and report.value == 7
    states = [
        act(sessions, world, who, report, action).state
        for who, action in ((REPORTER_1, "submit"), (HEAD, "endorse"), (REVIEWER_1, "approve"))
    ]
    assert states == ["submitted", "endorsed", "approved"]
    with unit_of_work(sessions) as session:
        approved = session.get(Report, report.id)
        assert approved.frozen["approved_by"] == REVIEWER_1.username
    with pytest.raises(Conflict, match="approved cannot be edited"):
        edit_report(sessions, REPORTER_1, world, report.id, {"value": 9})


def test_whoever_wrote_a_report_may_not_endorse_it(sessions, world):
    report = draft(sessions, world, who=BOTH)
    act(sessions, world, BOTH, report, "submit")
    with pytest.raises(Forbidden) as refused:
        act(sessions, world, BOTH, report, "endorse")
    assert refused.value.extra["reason"] == "separation_of_duties"
    assert act(sessions, world, HEAD, report, "endorse").state == "endorsed"


def test_a_returned_report_is_corrected_and_climbs_again(sessions, world):
    report = draft(sessions, world)
    act(sessions, world, REPORTER_1, report, "submit")
    act(sessions, world, HEAD, report, "endorse")
    with pytest.raises(Invalid):
        act(sessions, world, REVIEWER_1, report, "return")  # a return says why
    returned = act(sessions, world, REVIEWER_1, report, "return", "ตัวเลขไม่ตรงกับหลักฐาน")
    assert returned.state == "returned"
    edit_report(sessions, REPORTER_1, world, report.id, {"value": 8})
    for who, action in ((REPORTER_1, "submit"), (HEAD, "endorse"), (REVIEWER_1, "approve")):
        report = act(sessions, world, who, report, action)
    assert report.state == "approved" and report.value == 8


def test_roles_and_states_the_chain_refuses(sessions, world):
    report = draft(sessions, world)
    with pytest.raises(Forbidden):
        act(sessions, world, HEAD, report, "submit")
    act(sessions, world, REPORTER_1, report, "submit")
    with pytest.raises(Conflict):
        act(sessions, world, REVIEWER_1, report, "approve")  # not endorsed yet
    with pytest.raises(Forbidden):
        act(sessions, world, REPORTER_1, report, "endorse")


def test_a_stand_in_acts_while_identity_says_the_lender_holds_the_role(sessions, world):
    stand_in = person("pranee", ("R1", REPORTER))
    today = local_today()
    world.accounts[stand_in.username] = {"active": True, "memberships": []}
    delegations.create(sessions, HEAD, world, stand_in.username, today, today + timedelta(days=7))
    report = draft(sessions, world)
    act(sessions, world, REPORTER_1, report, "submit")
    world.accounts[HEAD.username] = {"active": False, "memberships": []}
    with pytest.raises(Forbidden) as ended:
        act(sessions, world, stand_in, report, "endorse")
    assert ended.value.extra["reason"] == "delegation_ended"
    world.accounts[HEAD.username] = {
        "active": True,
        "memberships": [{"unit": UNIT, "role": UNIT_HEAD}],
    }
    endorsed = act(sessions, world, stand_in, report, "endorse")
    assert endorsed.state == "endorsed"


def test_a_period_the_catalogue_does_not_schedule_writes_nothing(sessions, world):
    with pytest.raises(Invalid) as refused:
        draft(sessions, world, period="M07")
    assert "period" in refused.value.errors
    world.statuses[YEAR] = "closed"
    with pytest.raises(Invalid) as closed:
        draft(sessions, world)
    assert "year" in closed.value.errors
    assert reports_in(sessions) == 0


def test_evidence_of_another_unit_is_refused_and_a_reporter_of_another_unit_asks_nothing(
    sessions, world
):
    world.files["f1"] = {"id": "f1", "unit": "R1", "kpi": "4.1", "year": YEAR}
    with pytest.raises(Invalid) as refused:
        draft(sessions, world, evidence_ids=["f1"])
    assert "evidence_ids.0" in refused.value.errors
    stranger = person("anong", ("R1", REPORTER))
    world.asked.clear()
    with pytest.raises(Forbidden):
        draft(sessions, world, who=stranger)
    assert world.asked == [] and reports_in(sessions) == 0


def test_a_second_report_for_the_same_slot_is_a_conflict(sessions, world):
    first = draft(sessions, world)
    with pytest.raises(Conflict) as taken:
        draft(sessions, world)
    assert taken.value.extra["report_id"] == first.id
