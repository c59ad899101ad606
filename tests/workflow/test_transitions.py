"""The approval chain over HTTP: who takes each step, in which state, what approval freezes."""

import json
import threading
import uuid

import pytest
from kombu import Connection, Exchange, Queue

from tests.waiting import eventually
from tests.workflow.conftest import API, agencies


def test_a_report_climbs_from_the_unit_to_its_head_to_the_reviewers(crew):
    report = crew.create(period="M01", items=agencies("ก", month="2003-10"))
    states = []
    for who, action in (
        (crew.reporter, "submit"),
        (crew.head, "endorse"),
        (crew.reviewer, "approve"),
    ):
        resp = crew.act(who, report, action)
        assert resp.status_code == 200, resp.text
        states.append(resp.json()["state"])
    assert states == ["submitted", "endorsed", "approved"]


@pytest.mark.parametrize(
    "who, action",
    [("head", "submit"), ("reviewer", "submit"), ("reporter", "endorse"), ("reviewer", "endorse")],
)
def test_a_role_that_may_not_take_a_step_is_forbidden(crew, who, action):
    report = crew.create(period="M02")
    if action == "endorse":
        assert crew.act(crew.reporter, report, "submit").status_code == 200
    resp = crew.act(getattr(crew, who), report, action)
    assert resp.status_code == 403


def test_a_unit_head_cannot_approve(crew):
    report = crew.endorsed(period="M03")
    assert crew.act(crew.head, report, "approve").status_code == 403


def test_approving_a_report_its_head_has_not_endorsed_is_a_conflict(crew):
    report = crew.create(period="M04")
    crew.act(crew.reporter, report, "submit")
    assert crew.act(crew.reviewer, report, "approve").status_code == 409


def test_approving_twice_is_a_conflict(crew):
    report = crew.endorsed(period="M05")
    assert crew.act(crew.reviewer, report, "approve").status_code == 200
    assert crew.act(crew.reviewer, report, "approve").status_code == 409


def test_submitting_an_approved_report_again_is_a_conflict(crew):
    report = crew.endorsed(period="M06")
    crew.act(crew.reviewer, report, "approve")
    assert crew.act(crew.reporter, report, "submit").status_code == 409


def test_another_units_user_does_not_find_the_report_to_act_on(crew, as_user):
    report = crew.create(period="M07")
    assert crew.act(as_user("reporter2"), report, "submit").status_code == 404


def test_a_return_needs_a_comment(crew):
    report = crew.create(period="M08")
    crew.act(crew.reporter, report, "submit")
    resp = crew.act(crew.head, report, "return")
    assert resp.status_code == 422 and "comment" in resp.json()["errors"]
    assert crew.reporter.get(f"{API}/reports/{report['id']}").json()["state"] == "submitted"


def test_a_returned_report_can_be_edited_and_resubmitted(crew):
    report = crew.endorsed(period="M09")
    resp = crew.act(crew.reviewer, report, "return", comment="ขาดหน่วยงานที่มาใช้บริการ")
    assert resp.json()["state"] == "returned"
    fixed = crew.reporter.patch(
        f"{API}/reports/{report['id']}", json={"items": agencies("ก", "ข", month="2004-06")}
    )
    assert fixed.status_code == 200 and fixed.json()["value"] == 2
    assert crew.act(crew.reporter, report, "submit").json()["state"] == "submitted"


def test_a_submitted_report_cannot_be_edited(crew):
    report = crew.create(period="M10")
    crew.act(crew.reporter, report, "submit")
    resp = crew.reporter.patch(f"{API}/reports/{report['id']}", json={"note": "x"})
    assert resp.status_code == 409


def test_approval_freezes_the_data(crew):
    report = crew.endorsed(period="M11", items=agencies("ก", "ก", month="2004-08"))
    approved = crew.act(crew.reviewer, report, "approve").json()
    frozen = approved["frozen"]
    assert frozen["value"] == 1 and frozen["items"] == approved["items"]
    assert frozen["approved_by"] == "reviewer" and len(frozen["sha256"]) == 64
    assert (
        crew.reporter.patch(f"{API}/reports/{report['id']}", json={"note": "x"}).status_code == 409
    )


def test_only_an_admin_reopens_an_approved_report_and_must_say_why(crew, as_user):
    report = crew.endorsed(period="M12")
    crew.act(crew.reviewer, report, "approve")
    assert crew.act(crew.reviewer, report, "reopen", comment="แก้ไข").status_code == 403
    assert crew.act(as_user("admin"), report, "reopen").status_code == 422
    resp = crew.act(as_user("admin"), report, "reopen", comment="ตัวเลขผิดตามหนังสือที่ 12")
    assert resp.status_code == 200
    assert (resp.json()["state"], resp.json()["frozen"]) == ("returned", None)
    assert resp.json()["history"][-1]["comment"] == "ตัวเลขผิดตามหนังสือที่ 12"


def test_an_action_on_a_stale_version_is_a_conflict(crew):
    report = crew.create(kpi="2.1", period="M01")
    crew.reporter.patch(f"{API}/reports/{report['id']}", json={"note": "แก้"})
    resp = crew.act(crew.reporter, report, "submit", version=1)
    assert resp.status_code == 409
    header = crew.reporter.post(
        f"{API}/reports/{report['id']}/transitions",
        json={"action": "submit"},
        headers={"If-Match": '"2"'},
    )
    assert header.status_code == 200


def test_of_two_concurrent_actions_exactly_one_wins(crew):
    report = crew.endorsed(kpi="2.1", period="M02")
    start = threading.Barrier(2)
    codes = []

    def act(action, comment):
        start.wait()
        resp = crew.act(crew.reviewer, report, action, comment=comment, version=report["version"])
        codes.append(resp.status_code)

    threads = [
        threading.Thread(target=act, args=("approve", "")),
        threading.Thread(target=act, args=("return", "ส่งกลับ")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(codes) == [200, 409]
    history = crew.reviewer.get(f"{API}/reports/{report['id']}").json()["history"]
    assert [h["action"] for h in history][-1] in ("approve", "return")
    assert len(history) == 4


def test_concurrent_edits_of_one_version_keep_exactly_one(crew):
    report = crew.create(kpi="2.1", period="M03")
    start = threading.Barrier(4)
    codes = []

    def edit(note):
        start.wait()
        resp = crew.reporter.patch(
            f"{API}/reports/{report['id']}", json={"note": note}, headers={"If-Match": '"1"'}
        )
        codes.append(resp.status_code)

    threads = [threading.Thread(target=edit, args=(f"ฉบับ {n}",)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(codes) == [200, 409, 409, 409]
    assert crew.reporter.get(f"{API}/reports/{report['id']}").json()["version"] == 2


def test_the_reviewer_approves_many_reports_with_a_result_for_each(crew):
    endorsed = [crew.endorsed(kpi="2.1", period=p) for p in ("M04", "M05", "M06")]
    draft = crew.create(kpi="2.1", period="M07")
    ids = [r["id"] for r in endorsed] + [draft["id"], "no-such-report"]
    resp = crew.reviewer.post(f"{API}/reports/transitions", json={"action": "approve", "ids": ids})
    assert resp.status_code == 200
    body = resp.json()
    assert [r["status"] for r in body["results"]] == [200, 200, 200, 409, 404]
    assert (body["succeeded"], body["failed"]) == (3, 1 + 1)
    for report in endorsed:
        assert crew.reporter.get(f"{API}/reports/{report['id']}").json()["state"] == "approved"


def test_a_bulk_return_needs_a_comment(crew):
    report = crew.endorsed(kpi="2.1", period="M08")
    resp = crew.reviewer.post(
        f"{API}/reports/transitions", json={"action": "return", "reports": [{"id": report["id"]}]}
    )
    assert resp.status_code == 422


def test_each_transition_publishes_its_event(crew, outbox_events):
    report = crew.endorsed(kpi="2.1", period="M09")
    crew.act(crew.reviewer, report, "return", comment="แก้ไขเลขที่คำสั่ง")
    (event,) = outbox_events("workflow.report.returned", report_id=report["id"])
    assert event["data"] == {
        "report_id": report["id"],
        "year": 2547,
        "kpi": "2.1",
        "unit": crew.unit,
        "period": "M09",
        "state": "returned",
        "reporter": crew.team.reporter,
        "actor": "reviewer",
        "on_behalf_of": None,
        "comment": "แก้ไขเลขที่คำสั่ง",
        "version": event["data"]["version"],
        "value": 0.0,
        "numerator": 0,
        "denominator": None,
        "people": [],
        "counted_keys": [],
    }
    for verb in ("created", "submitted", "endorsed"):
        assert len(outbox_events(f"workflow.report.{verb}", report_id=report["id"])) == 1


def test_a_2_2_event_carries_the_agencies_and_months_it_counted(crew, outbox_events):
    items = agencies("สำนักงาน ก.พ.ร.", "สำนักงานก.พ.ร.", "กปส.", "OPDC")
    report = crew.create(kpi="2.2", period="M03", items=items)
    (event,) = outbox_events("workflow.report.created", report_id=report["id"])
    assert event["data"]["counted_keys"] == [["opdc", "2003-12"], ["สำนักงานก.พ.ร.", "2003-12"]]


def test_events_reach_the_broker(crew, rabbitmq):
    exchange = Exchange(rabbitmq.exchange, type="topic", durable=True)
    with Connection(rabbitmq.url) as conn:
        queue = Queue(
            f"{rabbitmq.queue_prefix}.workflow-test-{uuid.uuid4().hex[:8]}",
            exchange,
            routing_key="workflow.report.submitted",
            exclusive=True,
        )(conn.default_channel)
        queue.declare()
        report = crew.create(kpi="2.1", period="M10")
        crew.act(crew.reporter, report, "submit")
        received: list[dict] = []

        def arrived() -> list[dict]:
            while (message := queue.get(no_ack=True)) is not None:
                if json.loads(message.body)["data"]["report_id"] == report["id"]:
                    received.append(json.loads(message.body))
            return received

        eventually(arrived, interval=0.1, what="the submission's event")
    (envelope,) = received
    assert envelope["type"] == "workflow.report.submitted"
    assert envelope["actor"] == crew.team.reporter and envelope["data"]["state"] == "submitted"
