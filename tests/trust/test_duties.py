"""Separation of duties: nobody takes two steps of the same report, nor through a stand-in; a
delegation ends when identity says its delegator no longer holds the role."""

from __future__ import annotations

import time

import pytest

from common.db import unit_of_work
from common.web import runtime_of
from services.workflow.audit import entries_of
from services.workflow.transitions import delegator_check
from tests.conftest import login
from tests.workflow.conftest import API
from tests.workflow.test_delegation import delegate


@pytest.fixture
def stand_in(live, new_user):
    """Someone with no role over the crew's unit of their own."""
    name = new_user()["username"]
    return name, login(live, name, "a-long-password-1")


def test_a_stand_in_who_submitted_a_report_cannot_endorse_it(crew):
    assert delegate(crew.head, crew.team.reporter).status_code == 201
    report = crew.create(kpi="2.1", period="M01")
    assert crew.act(crew.reporter, report, "submit").status_code == 200
    refused = crew.act(crew.reporter, report, "endorse")
    assert refused.status_code == 403
    assert "submitted this report" in refused.json()["detail"]
    assert crew.reviewer.get(f"{API}/reports/{report['id']}").json()["state"] == "submitted"


def test_a_head_who_created_a_report_cannot_endorse_it(crew):
    body = {"year": 2547, "kpi": "2.1", "unit": crew.unit, "period": "M02"}
    report = crew.head.post(f"{API}/reports", json=body).json()
    assert crew.act(crew.reporter, report, "submit").status_code == 200
    refused = crew.act(crew.head, report, "endorse")
    assert refused.status_code == 403 and "created or submitted" in refused.json()["detail"]


def test_a_stand_in_for_the_author_cannot_check_the_authors_work(crew, stand_in):
    name, session = stand_in
    body = {"year": 2547, "kpi": "2.1", "unit": crew.unit, "period": "M03"}
    report = crew.head.post(f"{API}/reports", json=body).json()
    crew.act(crew.reporter, report, "submit")
    assert delegate(crew.head, name).status_code == 201
    refused = crew.act(session, report, "endorse")
    assert refused.status_code == 403 and "for whom you stand in" in refused.json()["detail"]


def wait_for(check, seconds: float = 20):
    deadline = time.monotonic() + seconds
    while not (found := check()):
        assert time.monotonic() < deadline, "not seen in time"
        time.sleep(0.2)
    return found


def test_a_delegation_ends_when_the_delegator_loses_the_role(live, crew, stand_in, admin):
    name, session = stand_in
    given = delegate(crew.head, name).json()
    report = crew.create(kpi="2.1", period="M04")
    crew.act(crew.reporter, report, "submit")
    put = admin.put(f"/api/identity/users/{crew.team.head}/memberships", json={"memberships": []})
    assert put.status_code == 200

    def ended():
        mine = session.get(f"{API}/delegations").json()
        return [d for d in mine if d["id"] == given["id"] and d.get("revoked_at")]

    wait_for(ended)
    # Without the delegation the stand-in has no part in the unit: not even its reports show.
    assert crew.act(session, report, "endorse").status_code in (403, 404)
    with unit_of_work(runtime_of(live.app("workflow")).session_factory) as db:
        last = entries_of(db, given["id"])[-1]
    assert (last.action, last.actor) == ("revoke", "identity")
    assert "no longer holds the role unit_head" in last.comment

    def told():
        inbox = session.get("/api/notifications/inbox").json()
        return [n for n in inbox if n["kind"] == "delegation_ended"]

    assert "no longer holds the role" in wait_for(told)[0]["body"]


class Identity:
    """Identity's answer about users, as the workflow's lookups give it."""

    def __init__(self, **users):
        self.users = users

    def user(self, username):
        return self.users.get(username)


def test_a_delegators_role_is_checked_with_identity_when_the_stand_in_acts():
    head = {"active": True, "memberships": [{"unit": "R5-11", "role": "unit_head"}]}
    holds = delegator_check(
        Identity(head=head, gone={**head, "active": False}, moved={**head, "memberships": []}),
        ["head", "gone", "moved", "nobody"],
    )
    assert holds("head", "unit_head", "R5-11")
    assert not holds("head", "unit_head", "R6")
    assert not holds("gone", "unit_head", "R5-11")
    assert not holds("moved", "unit_head", "R5-11")
    assert not holds("nobody", "unit_head", "R5-11")
