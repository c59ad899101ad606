"""The audit trail's head anchored in the object-locked bucket: a trail rewritten with the
database owner's rights, or a report row edited directly, no longer verifies."""

from __future__ import annotations

import json
from contextlib import contextmanager

import psycopg
import pytest

from services.workflow import audit
from services.workflow.models import AuditEntry
from tests.workflow.conftest import API

VERIFY = f"{API}/audit/verify"


@pytest.fixture
def auditor(as_user):
    return as_user("auditor")


@pytest.fixture
def anchored(live, crew, auditor) -> dict:
    """A report of the crew's, then the trail's head anchored now."""
    live.app("evidence").extensions["rbm"].deps.store.ensure_bucket()  # retention set
    report = crew.create(kpi="2.1", period="M05")
    resp = auditor.post(f"{API}/audit/anchors")
    assert resp.status_code == 201, resp.text
    return {"report": report, "anchor": resp.json()}


@contextmanager
def as_owner(live):
    """The workflow's database as its owner, append-only triggers off; put back afterwards."""
    with psycopg.connect(live.env["RBM_DATABASE_URL"], autocommit=True) as owner:
        owner.execute("ALTER TABLE workflow.audit_entries DISABLE TRIGGER USER")
        try:
            yield owner
        finally:
            owner.execute("ALTER TABLE workflow.audit_entries ENABLE TRIGGER USER")


def test_an_anchor_is_written_on_demand_under_retention(live, anchored, auditor):
    anchor = anchored["anchor"]
    store = live.app("workflow").extensions["rbm"].deps.anchors
    body = json.loads(store.client.get_object(store.bucket, anchor["key"]).read())
    assert (body["seq"], body["hash"]) == (anchor["seq"], anchor["hash"])
    assert store.client.get_object_retention(store.bucket, anchor["key"]).mode
    result = auditor.get(VERIFY).json()
    assert result["intact"] is True and result["anchors"] >= 1


def test_a_trail_rewritten_by_the_database_owner_fails_against_its_anchor(live, anchored, auditor):
    seq = anchored["anchor"]["seq"]
    factory = live.app("workflow").extensions["rbm"].session_factory
    with factory() as session:
        entry = session.get(AuditEntry, seq)
        original = (entry.comment, entry.hash)
        entry.comment = "forged"
        forged = audit.entry_hash(entry)  # a chain that holds together: only the anchor differs
        session.rollback()
    with as_owner(live) as owner:
        rewrite = "UPDATE workflow.audit_entries SET comment = %s, hash = %s WHERE seq = %s"
        head = "UPDATE workflow.audit_head SET hash = %s WHERE seq = %s"
        owner.execute(rewrite, ("forged", forged, seq))
        owner.execute(head, (forged, seq))
        try:
            result = auditor.get(VERIFY).json()
        finally:
            owner.execute(rewrite, (*original, seq))
            owner.execute(head, (original[1], seq))
    assert result["intact"] is False and result["first_bad"] <= seq
    assert "anchored" in result["problem"]


def test_a_report_row_edited_directly_fails_against_its_trail(live, anchored, auditor):
    report_id = anchored["report"]["id"]
    with psycopg.connect(live.env["RBM_DATABASE_URL"], autocommit=True) as owner:
        owner.execute("UPDATE workflow.reports SET note = 'แก้ตรง' WHERE id = %s", (report_id,))
        try:
            result = auditor.get(VERIFY).json()
        finally:
            owner.execute(
                "UPDATE workflow.reports SET note = %s WHERE id = %s",
                (anchored["report"]["note"], report_id),
            )
    assert result["intact"] is False and report_id in result["problem"]
    assert "note" in result["problem"]
    assert auditor.get(VERIFY).json()["intact"] is True
