"""Uploading evidence: stored with its SHA-256, served byte for byte, versions chained."""

from __future__ import annotations

import hashlib
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import quote

from tests.evidence import samples
from tests.evidence.conftest import FILES, free_report, post_file


def test_an_uploaded_pdf_is_stored_with_its_sha256_and_uploader(reporter):
    pdf = samples.pdf_file()
    resp = post_file(reporter, pdf, "หลักฐาน.pdf", **free_report())
    assert resp.status_code == 201, resp.text
    body = resp.json()
    assert body["sha256"] == hashlib.sha256(pdf).hexdigest() and body["size"] == len(pdf)
    assert body["filename"] == "หลักฐาน.pdf" and body["content_type"] == "application/pdf"
    assert body["uploaded_by"] == "reporter1" and body["version"] == 1
    assert resp.headers["Location"].endswith(f"/files/{body['id']}")


def test_content_returns_the_exact_bytes_under_the_thai_name(reporter, as_user):
    png = samples.png_file()
    file_id = post_file(reporter, png, "ภาพกิจกรรม.png", **free_report()).json()["id"]
    resp = as_user("auditor").get(f"{FILES}/{file_id}/content")
    assert resp.status_code == 200 and resp.content == png
    assert resp.headers["Content-Type"] == "image/png"
    assert f"filename*=UTF-8''{quote('ภาพกิจกรรม.png')}" in resp.headers["Content-Disposition"]


def test_a_second_upload_for_the_same_report_is_the_next_version_of_the_first(reporter):
    report = free_report()
    first = post_file(reporter, samples.pdf_file(), "v1.pdf", **report).json()
    second = post_file(reporter, samples.png_file(), "v2.png", **report).json()
    assert (second["version"], second["previous_id"]) == (2, first["id"])


def test_a_file_keeps_its_first_version_after_a_new_one(reporter):
    report = free_report()
    first = post_file(reporter, samples.pdf_file(), "v1.pdf", **report).json()
    post_file(reporter, samples.png_file(), "v2.png", **report)
    assert reporter.get(f"{FILES}/{first['id']}/content").content == samples.pdf_file()


def test_storing_a_file_records_evidence_file_stored_with_ids_only(reporter, evidence):
    body = post_file(reporter, samples.pdf_file(), "a.pdf", **free_report()).json()
    [event] = evidence.events_about(body["id"])
    assert event["type"] == "evidence.file.stored" and event["actor"] == "reporter1"
    assert event["data"] == {
        "file_id": body["id"],
        "unit": "R1",
        "year": body["year"],
        "kpi": body["kpi"],
        "period": "M01",
        "sha256": body["sha256"],
        "size": body["size"],
        "uploaded_by": "reporter1",
        "version": 1,
        "previous_id": None,
    }


def test_the_stored_object_is_locked_against_deletion(reporter, evidence):
    file_id = post_file(reporter, samples.pdf_file(), "a.pdf", **free_report()).json()["id"]
    row = evidence.row(file_id)
    retention = evidence.store.client.get_object_retention(
        evidence.store.bucket, row.object_key, version_id=row.object_version
    )
    assert retention.mode == "GOVERNANCE" and retention.retain_until_date is not None


def test_uploads_for_the_same_report_at_once_all_land_as_a_chain_of_versions(live):
    report = free_report()
    sessions = [live.session("reporter1") for _ in range(3)]
    with ThreadPoolExecutor(3) as pool:
        results = list(
            pool.map(lambda http: post_file(http, samples.pdf_file(), "a.pdf", **report), sessions)
        )
    assert [r.status_code for r in results] == [201, 201, 201]
    by_version = {r.json()["version"]: r.json() for r in results}
    assert sorted(by_version) == [1, 2, 3]
    assert by_version[3]["previous_id"] == by_version[2]["id"]
    assert by_version[2]["previous_id"] == by_version[1]["id"]
