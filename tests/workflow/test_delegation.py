"""Delegation: a stand-in acts with a unit head's or reviewer's rights for a date range."""

from datetime import timedelta

import pytest

from services.workflow.delegations import local_today
from tests.conftest import login
from tests.workflow.conftest import API, YEAR


@pytest.fixture
def stand_in(live, make_team):
    """Someone of another unit, with no rights over the crew's unit of their own."""
    other = make_team()
    return other.reporter, login(live, other.reporter, other.password)


def delegate(session, to, days=(0, 7), **more):
    today = local_today()
    body = {
        "delegate": to,
        "starts_on": str(today + timedelta(days=days[0])),
        "ends_on": str(today + timedelta(days=days[1])),
        **more,
    }
    return session.post(f"{API}/delegations", json=body)


def test_a_stand_in_endorses_for_the_unit_head_and_the_audit_names_both(crew, stand_in):
    name, session = stand_in
    assert delegate(crew.head, name, reason="ลาพักร้อน").status_code == 201
    report = crew.create(kpi="2.1", period="M01")
    crew.act(crew.reporter, report, "submit")
    resp = crew.act(session, report, "endorse")
    assert resp.status_code == 200, resp.text
    entry = crew.reviewer.get(f"{API}/reports/{report['id']}/audit").json()[-1]
    assert (entry["action"], entry["actor"], entry["on_behalf_of"]) == (
        "endorse",
        name,
        crew.team.head,
    )


def test_a_stand_in_acts_only_within_the_date_range(crew, stand_in):
    name, session = stand_in
    assert delegate(crew.head, name, days=(1, 5)).status_code == 201
    report = crew.create(kpi="2.1", period="M02")
    crew.act(crew.reporter, report, "submit")
    assert crew.act(session, report, "endorse").status_code == 404


def test_a_revoked_delegation_gives_no_more_rights(crew, stand_in):
    name, session = stand_in
    given = delegate(crew.head, name).json()
    assert crew.head.delete(f"{API}/delegations/{given['id']}").status_code == 204
    report = crew.create(kpi="2.1", period="M03")
    crew.act(crew.reporter, report, "submit")
    assert crew.act(session, report, "endorse").status_code == 404


def test_a_stand_in_for_the_reviewer_approves(crew, stand_in, as_user):
    name, session = stand_in
    resp = delegate(as_user("reviewer"), name, days=(0, 0))
    assert resp.status_code == 201
    report = crew.endorsed(kpi="2.1", period="M04")
    approved = crew.act(session, report, "approve")
    assert approved.status_code == 200
    assert approved.json()["history"][-1]["on_behalf_of"] == "reviewer"
    as_user("reviewer").delete(f"{API}/delegations/{resp.json()['id']}")


def test_a_reporter_has_no_rights_to_hand_on(crew, stand_in):
    assert delegate(crew.reporter, stand_in[0]).status_code == 403


def test_a_delegation_must_end_after_it_starts(crew, stand_in):
    resp = delegate(crew.head, stand_in[0], days=(5, 1))
    assert resp.status_code == 422 and "ends_on" in resp.json()["errors"]


def test_both_sides_see_the_delegation(crew, stand_in):
    name, session = stand_in
    given = delegate(crew.head, name).json()
    assert given["delegator"] == crew.team.head and given["role"] == "unit_head"
    assert given["unit"] == crew.unit
    for who in (crew.head, session):
        assert given["id"] in [d["id"] for d in who.get(f"{API}/delegations").json()]


def test_delegating_publishes_events(crew, stand_in, outbox_events):
    given = delegate(crew.head, stand_in[0]).json()
    crew.head.delete(f"{API}/delegations/{given['id']}")
    (created,) = outbox_events("workflow.delegation.created", delegation_id=given["id"])
    assert created["data"]["delegate"] == stand_in[0]
    assert created["data"]["role"] == "unit_head"
    assert len(outbox_events("workflow.delegation.revoked", delegation_id=given["id"])) == 1


def test_a_stand_in_must_be_an_existing_user(crew):
    resp = delegate(crew.head, "nobody-of-that-name")
    assert resp.status_code == 422 and "delegate" in resp.json()["errors"]


def test_a_search_by_person_finds_each_report_anyone_of_its_history_is_named_in(
    crew, stand_in, as_user
):
    name, session = stand_in
    assert delegate(crew.head, name).status_code == 201
    approved = crew.create(kpi="2.1", period="M05")
    crew.act(crew.reporter, approved, "submit")
    assert crew.act(session, approved, "endorse").status_code == 200
    assert crew.act(crew.reviewer, approved, "approve").status_code == 200
    draft = crew.create(kpi="2.1", period="M06")

    def found(person: str) -> set[str]:
        params = {"year": YEAR, "unit": crew.unit, "person": person}
        resp = as_user("auditor").get(f"{API}/reports", params=params)
        assert resp.status_code == 200, resp.text
        return {r["id"] for r in resp.json()}

    assert found(crew.team.reporter) == {approved["id"], draft["id"]}
    assert found(name) == {approved["id"]}  # endorsed as the head's stand-in
    assert found(crew.team.head) == {approved["id"]}  # named only as the one stood in for
    assert found("reviewer") == {approved["id"]}
    assert found("no-such-person") == set()
