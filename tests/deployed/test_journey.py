"""The compose topology run for real: gunicorn replicas behind nginx, workers competing on quorum
queues, services as roles that own nothing; a report's whole journey through the gateway."""

from __future__ import annotations

import email
import email.policy
import hashlib

import psycopg
import requests
from sqlalchemy import make_url

from deploy.migrate import with_database
from tests.deployed.conftest import queues
from tests.evidence import samples
from tests.waiting import eventually

YEAR = 2547


def test_two_replicas_of_each_web_service_answer_behind_the_gateway(deployed):
    for name in ("identity", "catalogue", "evidence", "workflow", "notifications", "portal"):
        replicas = deployed.replicas(name)
        assert len(replicas) == 2 and all(p.alive for p in replicas), name
    assert len(deployed.replicas("notifications-beat")) == 1
    assert len(deployed.replicas("workflow-workers")) == 2
    for path in deployed.readyz_paths():
        assert (resp := requests.get(f"{deployed.url}{path}", timeout=10)).ok, path
        assert resp.headers["X-Request-ID"]


def test_every_durable_queue_is_a_quorum_queue_with_two_competing_consumers(deployed):
    def consumed():
        durable = [q for q in queues(deployed) if q["durable"]]
        assert {q["type"] for q in durable} == {"quorum"}, durable
        served = [q for q in durable if not q["name"].endswith(".dlq")]
        served = [q for q in served if not q["name"].startswith("celery_delayed")]
        names = {q["name"] for q in served}
        if "rbm.notifications.tasks" in names and all(q["consumers"] >= 2 for q in served):
            return served

    eventually(consumed, timeout=120, what="two consumers on every queue, Celery's included")


def test_services_connect_as_roles_that_own_nothing(deployed):
    with psycopg.connect(deployed.database_url(deployed.role("workflow"))) as conn:
        owners = conn.execute(
            "SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = 'workflow'"
        ).fetchall()
        assert owners == [(deployed.owner_role,)]
        try:
            conn.execute("ALTER TABLE workflow.reports ADD COLUMN x int")
        except psycopg.errors.InsufficientPrivilege:
            pass
        else:
            raise AssertionError("the workflow role may change its tables")
    with psycopg.connect(deployed.database_url(deployed.role("workflow"))) as conn:
        try:
            conn.execute("SELECT count(*) FROM identity.users")
        except psycopg.errors.InsufficientPrivilege:
            pass
        else:
            raise AssertionError("the workflow role may read identity's tables")
    # Made by the migrations step as the owner, with the password compose gives the service.
    made = deployed.sql(
        "SELECT rolname FROM pg_authid WHERE rolname LIKE %s AND rolpassword IS NOT NULL",
        f"{deployed.database}\\_%",
    )
    assert {name for (name,) in made} >= {deployed.role(s) for s in with_database()}
    for proc in deployed.replicas("workflow") + deployed.replicas("workflow-workers"):
        login = make_url(proc.env["RBM_DATABASE_URL"])
        assert login.username == deployed.role("workflow"), proc.name
        assert login.password == deployed.secrets["RBM_WORKFLOW_DATABASE_PASSWORD"], proc.name


def test_a_4_1_report_goes_from_upload_to_approval_and_back_out_as_evidence(gateway, smtp):
    reporter, head = gateway.session("reporter1"), gateway.session("head1")
    reviewer, auditor = gateway.session("reviewer"), gateway.session("auditor")
    form = reporter.get(
        f"/api/evidence/templates/{YEAR}/4.1", params={"unit": "R1", "period": "Q1"}
    )
    assert form.status_code == 200, form.text
    filled = samples.fill_form(
        form.content, {1: "คำสั่ง", 2: "แผน", 3: "รายงานผล"}, [("ออกหนังสือรับรอง", 60, 10, 5)]
    )
    fields = {"unit": "R1", "year": str(YEAR), "kpi": "4.1", "period": "Q1"}
    stored = reporter.post(
        "/api/evidence/files", data=fields, files={"file": ("แบบฟอร์ม 4.1.docx", filled)}
    )
    assert stored.status_code == 201, stored.text
    stored = stored.json()
    assert stored["sha256"] == hashlib.sha256(filled).hexdigest()

    body = {
        "year": YEAR,
        "kpi": "4.1",
        "unit": "R1",
        "period": "Q1",
        "evidence_ids": [stored["id"]],
    }
    report = reporter.post("/api/workflow/reports", json=body)
    assert report.status_code == 201, report.text
    report = report.json()
    for who, action in ((reporter, "submit"), (head, "endorse"), (reviewer, "approve")):
        resp = who.post(
            f"/api/workflow/reports/{report['id']}/transitions", json={"action": action}
        )
        assert resp.status_code == 200, resp.text
    assert resp.json()["frozen"]["evidence"] == [{"id": stored["id"], "sha256": stored["sha256"]}]

    def told(session, kind):
        items = session.get("/api/notifications/inbox", params={"limit": 100}).json()
        return [i for i in items if i["report_id"] == report["id"] and i["kind"] == kind]

    assert len(eventually(lambda: told(head, "submitted"), what="the head told")) == 1
    assert len(eventually(lambda: told(reporter, "approved"), what="the reporter told")) == 1

    def mails():
        found = []
        for message in list(smtp.messages):
            parsed = email.message_from_bytes(message["data"], policy=email.policy.default)
            if report["id"] in parsed.get_body(("plain",)).get_content():
                found.append(parsed)
        return found

    assert eventually(mails, what="emails about the report")
    assert auditor.get("/api/workflow/audit/verify").json()["intact"] is True
    trail = auditor.get(f"/api/workflow/reports/{report['id']}/audit").json()
    assert [e["action"] for e in trail] == ["create", "submit", "endorse", "approve"]
    content = auditor.get(f"/api/evidence/files/{stored['id']}/content")
    assert content.status_code == 200, content.text
    assert hashlib.sha256(content.content).hexdigest() == stored["sha256"]
