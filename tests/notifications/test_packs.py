"""An evidence pack's taker finds in their inbox that it is ready, or that it failed."""

from __future__ import annotations

import uuid

from tests.waiting import eventually

FINISHED = "evidence.pack.finished"


def pack_data(requested_by: str, state: str, **scope) -> dict:
    return {
        "pack_id": str(uuid.uuid4()),
        "requested_by": requested_by,
        "state": state,
        "year": 2547,
        "unit": scope.get("unit"),
        "kpi": scope.get("kpi"),
        "period": scope.get("period"),
    }


def test_a_ready_pack_tells_its_taker_only_in_the_inbox_with_a_link_to_it(publisher, store):
    data = pack_data("auditor", "ready", unit="R3")
    event = publisher.event(FINISHED, data, actor="auditor")
    (note,) = eventually(lambda: store.notifications(source=event), what="the auditor told")
    assert (note.recipient, note.kind, note.delivery) == ("auditor", "pack_ready", "in_app")
    assert note.title.startswith("ชุดหลักฐานพร้อมดาวน์โหลด")
    assert "2547" in note.title and "R3" in note.title
    assert note.link == f"/packs?pack={data['pack_id']}"
    assert store.email_of(note) is None


def test_a_failed_pack_tells_its_taker_to_ask_again(publisher, store):
    data = pack_data("reporter1", "failed", unit="R1", kpi="2.1", period="Q2")
    event = publisher.event(FINISHED, data, actor="reporter1")
    (note,) = eventually(lambda: store.notifications(source=event), what="the reporter told")
    assert (note.recipient, note.kind) == ("reporter1", "pack_failed")
    assert "ไตรมาสที่ 2" in note.title and "2.1" in note.title
    assert "ขอสร้างใหม่" in note.body


def test_the_same_event_twice_tells_once(publisher, store):
    data = pack_data("auditor", "ready")
    envelope = publisher.envelope(FINISHED, data, actor="auditor")
    publisher.send(envelope)
    publisher.send(envelope)
    eventually(lambda: store.notifications(source=envelope.id), what="the auditor told")
    later = publisher.event(FINISHED, pack_data("auditor", "ready"), actor="auditor")
    eventually(lambda: store.notifications(source=later), what="a later pack told")
    assert len(store.notifications(source=envelope.id)) == 1
