"""The object store stops: uploads answer 503 naming it and leave nothing behind, evidence's
/readyz says why; started again, uploads work and every earlier file reads back the same."""

from __future__ import annotations

import hashlib

import requests

from tests.evidence import samples
from tests.waiting import eventually

FIELDS = {"unit": "R1", "year": "2547", "kpi": "2.1", "period": "M02"}


def upload(session, content: bytes):
    return session.post(
        "/api/evidence/files", data=FIELDS, files={"file": ("หลักฐาน.docx", content)}
    )


def stored_rows(deployed) -> tuple[int, int]:
    files = deployed.sql("SELECT count(*) FROM evidence.files")[0][0]
    events = deployed.sql("SELECT count(*) FROM evidence.outbox")[0][0]
    return files, events


def test_uploads_wait_for_a_stopped_object_store_and_find_every_file_after(deployed, gateway):
    reporter = gateway.session("reporter1")
    earlier = []
    for n in range(3):
        content = samples.docx_file(f"หลักฐานก่อนหยุด {n}")
        resp = upload(reporter, content)
        assert resp.status_code == 201, resp.text
        earlier.append((resp.json()["id"], hashlib.sha256(content).hexdigest()))
    store = deployed.seaweedfs
    objects_before = {
        o.object_name for o in store.client().list_objects(deployed.bucket, recursive=True)
    }
    rows_before = stored_rows(deployed)

    store.stop()
    try:
        refused = upload(reporter, samples.docx_file("หลักฐานระหว่างหยุด"))
        assert refused.status_code == 503, refused.text
        assert refused.headers["Content-Type"] == "application/problem+json"
        assert "object store" in refused.json()["detail"]
        assert stored_rows(deployed) == rows_before
        for replica in deployed.replicas("evidence"):
            ready = requests.get(f"http://127.0.0.1:{replica.port}/api/evidence/readyz", timeout=60)
            assert ready.status_code == 503 and "object store" in ready.json()["down"]
    finally:
        store.start()

    eventually(
        lambda: requests.get(f"{deployed.url}/api/evidence/readyz", timeout=30).ok,
        timeout=120,
        what="evidence ready again",
    )
    objects_after = {
        o.object_name for o in store.client().list_objects(deployed.bucket, recursive=True)
    }
    assert objects_after == objects_before, "a refused upload left an object behind"
    later = upload(reporter, samples.docx_file("หลักฐานหลังเริ่มใหม่"))
    assert later.status_code == 201, later.text
    for file_id, sha256 in earlier:
        content = reporter.get(f"/api/evidence/files/{file_id}/content")
        assert content.status_code == 200, content.text
        assert hashlib.sha256(content.content).hexdigest() == sha256
    print(
        f"\nobject store stopped and started: uploads refused 1 (503, nothing stored:"
        f" rows {rows_before} before and after), objects {len(objects_before)} kept,"
        f" {len(earlier)} earlier files read back with the same SHA-256"
    )
