"""The evidence bucket on SeaweedFS: versioning, object lock, and quarantine as an open upload."""

from __future__ import annotations

import tempfile
import uuid
from datetime import timedelta

from services.evidence.store import PART_SIZE


def test_the_bucket_is_versioned(evidence):
    assert evidence.store.client.get_bucket_versioning(evidence.store.bucket).status == "Enabled"


def test_the_bucket_locks_new_objects_for_the_configured_days(evidence):
    config = evidence.store.client.get_object_lock_config(evidence.store.bucket)
    assert (config.mode, config.duration) == ("GOVERNANCE", evidence.store.retention.days)


def staged(store, size: int):
    spool = tempfile.TemporaryFile(buffering=0)  # noqa: SIM115 - closed by the caller
    staging = store.stage(f"test/{uuid.uuid4()}", "application/pdf")
    staging.attach(spool)
    spool.write(b"%PDF" + b"\x00" * (size - 4))
    staging.grown(size)
    return staging, spool


def test_a_file_in_quarantine_is_an_open_upload_and_no_object(evidence):
    staging, spool = staged(evidence.store, PART_SIZE + 10)
    try:
        keys = {key for key, _, _ in evidence.store.open_uploads()}
        listed = evidence.store.client.list_objects(evidence.store.bucket, prefix=staging.key)
        assert staging.key in keys and list(listed) == []
    finally:
        staging.discard()
        spool.close()


def test_discarding_a_staged_file_leaves_no_upload_and_no_object(evidence):
    staging, spool = staged(evidence.store, PART_SIZE + 10)
    staging.discard()
    spool.close()
    assert staging.key not in {key for key, _, _ in evidence.store.open_uploads()}
    listed = evidence.store.client.list_objects(
        evidence.store.bucket, prefix=staging.key, include_version=True
    )
    assert list(listed) == []


def test_promoting_a_staged_file_makes_one_locked_object_of_its_bytes(evidence):
    size = PART_SIZE * 2 + 123
    staging, spool = staged(evidence.store, size)
    version = staging.promote(size)
    spool.close()
    client, bucket = evidence.store.client, evidence.store.bucket
    assert client.stat_object(bucket, staging.key, version_id=version).size == size
    assert client.get_object_retention(bucket, staging.key, version_id=version).mode == "GOVERNANCE"


def test_the_readiness_check_names_the_object_store(anonymous):
    body = anonymous.get("/api/evidence/readyz").json()
    assert "object store" in body["checks"]


def test_the_openapi_document_lists_files_and_forms(anonymous):
    paths = anonymous.get("/api/evidence/openapi.json").json()["paths"]
    assert {"/files", "/files/{file_id}", "/files/{file_id}/content"} <= set(paths)
    assert {"/templates", "/templates/{year}/{kpi}", "/templates/{kpi}"} <= set(paths)


def test_uploads_a_crashed_process_left_open_are_swept_at_start(evidence):
    staging, spool = staged(evidence.store, PART_SIZE + 10)
    spool.close()
    evidence.store.sweep_quarantine(older_than=timedelta(0))
    assert staging.key not in {key for key, _, _ in evidence.store.open_uploads()}
    staging.pool.shutdown()
