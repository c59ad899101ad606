"""Through the real workflow API: transitions committed in workflow reach the right inboxes
and mailboxes via its outbox, RabbitMQ and the notifications consumers."""

from __future__ import annotations

import email
import email.policy
from datetime import timedelta

import pytest

from services.notifications.models import Delegation, Unit
from services.workflow.delegations import local_today
from tests.conftest import login
from tests.notifications.conftest import PASSWORD
from tests.waiting import eventually

WORKFLOW = "/api/workflow"
INBOX = "/api/notifications/inbox"


@pytest.fixture
def office(live, make_team, store):
    team = make_team()
    for name in (team.reporter, team.head):
        eventually(lambda n=name: store.person(n), what=f"{name} known to notifications")
    eventually(lambda: store.get(Unit, team.unit), what="the unit's name known")
    reporter = login(live, team.reporter, team.password)
    head = login(live, team.head, team.password)
    return team, reporter, head


def create(session, unit: str, period: str) -> dict:
    body = {"year": 2547, "kpi": "2.1", "unit": unit, "period": period}
    resp = session.post(f"{WORKFLOW}/reports", json=body)
    assert resp.status_code == 201, resp.text
    return resp.json()


def act(session, report: dict, action: str, **body) -> dict:
    resp = session.post(
        f"{WORKFLOW}/reports/{report['id']}/transitions", json={"action": action, **body}
    )
    assert resp.status_code == 200, resp.text
    return resp.json()


def waiting(session, report: dict, kind: str) -> list[dict]:
    return [
        item
        for item in session.get(INBOX, params={"limit": 100}).json()
        if item["report_id"] == report["id"] and item["kind"] == kind
    ]


def test_a_submission_reaches_the_heads_inbox_and_mailbox(office, store, smtp, celery_worker):
    team, reporter, head = office
    report = create(reporter, team.unit, "M04")
    act(reporter, report, "submit")
    (item,) = eventually(lambda: waiting(head, report, "submitted"), what="head's inbox")
    assert item["read_at"] is None and team.unit in item["title"]
    assert f"สำนักงานทดสอบ {team.unit} ({team.unit})" in item["body"]
    address = store.person(team.head).email

    def mails():
        to_head = [
            email.message_from_bytes(m["data"], policy=email.policy.default)
            for m in list(smtp.messages)
            if address in m["to"]
        ]
        return [m for m in to_head if report["id"] in m.get_body(("plain",)).get_content()]

    (mail,) = eventually(mails, what="email to the head")
    assert "รายงานรอการรับรอง" in mail["Subject"]


def test_the_chain_tells_each_step_to_the_next_people(live, office, people, as_user):
    team, reporter, head = office
    (msd_reviewer,) = people(("MSD", "reviewer"))
    reviewer = login(live, msd_reviewer, PASSWORD)
    report = create(reporter, team.unit, "M05")
    act(reporter, report, "submit")
    act(head, report, "endorse")
    eventually(lambda: waiting(reviewer, report, "endorsed"), what="reviewer's inbox")
    act(as_user("reviewer"), report, "return", comment="ขอสำเนาคำสั่งแต่งตั้ง")
    (returned,) = eventually(lambda: waiting(reporter, report, "returned"), what="reporter told")
    assert "ขอสำเนาคำสั่งแต่งตั้ง" in returned["body"]
    eventually(lambda: waiting(head, report, "returned"), what="head told")
    assert waiting(reporter, report, "endorsed") == [] and waiting(head, report, "endorsed") == []


def test_a_stand_in_named_in_workflow_gets_what_the_head_gets(live, office, make_team, store):
    team, reporter, head = office
    other = make_team()
    eventually(lambda: store.person(other.reporter), what="stand-in known")
    today = local_today()
    resp = head.post(
        f"{WORKFLOW}/delegations",
        json={
            "delegate": other.reporter,
            "starts_on": str(today),
            "ends_on": str(today + timedelta(days=3)),
            "reason": "ไปราชการ",
        },
    )
    assert resp.status_code == 201, resp.text
    # Delegations and reports travel on different queues: the test waits for the first.
    eventually(lambda: store.get(Delegation, resp.json()["id"]), what="delegation known")
    report = create(reporter, team.unit, "M06")
    act(reporter, report, "submit")
    stand_in = login(live, other.reporter, other.password)
    eventually(lambda: waiting(stand_in, report, "submitted"), what="stand-in told")
