"""Separation of duties: whoever created, changed the data of, submitted or endorsed a report
never endorses or approves it, in person, as a stand-in or through one; a delegation ends when
identity says its delegator no longer holds the role."""

from __future__ import annotations

import pytest

from common.db import unit_of_work
from common.web import runtime_of
from services.workflow.audit import entries_of
from services.workflow.transitions import delegator_check
from tests.conftest import login
from tests.identity.conftest import PASSWORD
from tests.waiting import eventually
from tests.workflow.conftest import API, YEAR
from tests.workflow.test_delegation import delegate

MANAGEMENT = "MSD"  # the management group, whose reviewers approve


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
    assert refused.status_code == 403
    assert "You created or changed the data of" in refused.json()["detail"]


def test_a_stand_in_for_the_author_cannot_check_the_authors_work(crew, stand_in):
    name, session = stand_in
    body = {"year": 2547, "kpi": "2.1", "unit": crew.unit, "period": "M03"}
    report = crew.head.post(f"{API}/reports", json=body).json()
    crew.act(crew.reporter, report, "submit")
    assert delegate(crew.head, name).status_code == 201
    refused = crew.act(session, report, "endorse")
    assert refused.status_code == 403 and "for whom you stand in" in refused.json()["detail"]


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

    eventually(ended)
    # Without the delegation the stand-in has no part in the unit: not even its reports show.
    assert crew.act(session, report, "endorse").status_code in (403, 404)
    with unit_of_work(runtime_of(live.app("workflow")).session_factory) as db:
        last = entries_of(db, given["id"])[-1]
    assert (last.action, last.actor) == ("revoke", "identity")
    assert "no longer holds the role unit_head" in last.comment

    def told():
        inbox = session.get("/api/notifications/inbox").json()
        return [n for n in inbox if n["kind"] == "delegation_ended"]

    assert "no longer holds the role" in eventually(told)[0]["body"]


class Identity:
    """Identity's answer about users, as the workflow's gateways give it."""

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


# --- the matrix: each earlier step by X x each later check by X, in every way X takes part ---

EARLIER = ("create", "edit", "submit", "endorse")
LATER = ("endorse", "approve")
IN_PERSON = "in person"
X_STANDS_IN = "X stands in for the unit head or a reviewer"
FOR_X_NOW = "someone stands in for X at the check"
FOR_X_EARLIER = "someone stood in for X at the earlier step"
CELLS = [
    (earlier, later, way)
    for earlier in EARLIER
    for later in LATER
    for way in (IN_PERSON, X_STANDS_IN, FOR_X_NOW, FOR_X_EARLIER)
    # Endorsing again after a return is the same duty; submitting is never lent.
    if earlier != later and not (way == FOR_X_EARLIER and earlier == "submit")
]
ROLE_OF = {"endorse": "unit_head", "approve": "reviewer"}


class Part:
    """X, and who takes the earlier step and the check, for one way X takes part."""

    def __init__(self, crew, new_user, live, way: str, earlier: str, later: str):
        self.crew, self.new_user, self.live = crew, new_user, live
        own = {
            IN_PERSON: ("reporter", "unit_head", "reviewer"),
            X_STANDS_IN: ("reporter", "unit_head") if earlier == "endorse" else ("reporter",),
            FOR_X_NOW: ("reporter", "unit_head", "reviewer"),
            FOR_X_EARLIER: ("unit_head", "reviewer"),
        }[way]
        self.name, self.x = self.person(*own)
        self.earlier_by = self.checker = self.x
        if way == X_STANDS_IN:
            lender = crew.head if later == "endorse" else self.person("reviewer")[1]
            assert delegate(lender, self.name).status_code == 201
        elif way == FOR_X_NOW:
            self.checker = self.stand_in_for_x(ROLE_OF[later])
        elif way == FOR_X_EARLIER:
            self.earlier_by = self.stand_in_for_x("unit_head")

    def person(self, *roles: str):
        memberships = [(MANAGEMENT if r == "reviewer" else self.crew.unit, r) for r in roles]
        name = self.new_user(memberships=memberships)["username"]
        return name, login(self.live, name, PASSWORD)

    def stand_in_for_x(self, role: str):
        name, session = self.person()
        unit = MANAGEMENT if role == "reviewer" else self.crew.unit
        assert delegate(self.x, name, unit=unit, role=role).status_code == 201
        return session


def checked_by_x(crew, part: Part, earlier: str, later: str) -> dict:
    """A report taken up to `later`, with `earlier` taken by X's side and the rest by the crew."""
    by = {
        step: part.earlier_by if step == earlier else default
        for step, default in (
            ("create", crew.reporter),
            ("submit", crew.reporter),
            ("endorse", crew.head),
        )
    }
    body = {"year": YEAR, "kpi": "2.1", "unit": crew.unit, "period": "M01"}
    created = by["create"].post(f"{API}/reports", json=body)
    assert created.status_code == 201, created.text
    report = created.json()
    if earlier == "edit":
        items = [{"order_no": "ที่ 1/2547", "committee": "คณะทำงานตัวอย่าง"}]
        edited = part.earlier_by.patch(f"{API}/reports/{report['id']}", json={"items": items})
        assert edited.status_code == 200, edited.text
    chain = ("submit",) if later == "endorse" else ("submit", "endorse")
    for step in chain:
        assert crew.act(by[step], report, step).status_code == 200, step
    return report


@pytest.mark.parametrize(("earlier", "later", "way"), CELLS)
def test_whoever_did_an_earlier_step_may_not_check_the_report(
    live, crew, new_user, earlier, later, way
):
    part = Part(crew, new_user, live, way, earlier, later)
    report = checked_by_x(crew, part, earlier, later)
    refused = crew.act(part.checker, report, later)
    assert refused.status_code == 403, refused.text
    assert refused.headers["Content-Type"].startswith("application/problem+json")
    problem = refused.json()
    assert problem["reason"] == "separation_of_duties"
    assert problem["type"].endswith("/separation_of_duties")
    shown = part.checker.get(f"{API}/reports/{report['id']}").json()
    assert later not in shown["actions"] and "return" in shown["actions"]
    assert shown["state"] == ("submitted" if later == "endorse" else "endorsed")


def test_a_head_who_changed_the_reporters_draft_cannot_endorse_it(crew):
    report = crew.create(kpi="2.1", period="M05")
    items = [{"order_no": f"ที่ {n}/2547", "committee": f"คณะทำงาน {n}"} for n in range(5)]
    edited = crew.head.patch(f"{API}/reports/{report['id']}", json={"items": items})
    assert edited.status_code == 200 and edited.json()["value"] == 5
    assert crew.act(crew.reporter, report, "submit").status_code == 200
    refused = crew.act(crew.head, report, "endorse")
    assert refused.status_code == 403
    assert refused.json()["detail"] == (
        "You created or changed the data of this report: someone else must endorse it."
    )


def test_a_head_endorses_again_what_the_reviewer_returned(crew):
    report = crew.endorsed(kpi="2.1", period="M06")
    assert crew.act(crew.reviewer, report, "return", comment="แก้ไข").status_code == 200
    assert crew.act(crew.reporter, report, "submit").status_code == 200
    assert "endorse" in crew.head.get(f"{API}/reports/{report['id']}").json()["actions"]
    assert crew.act(crew.head, report, "endorse").status_code == 200
