"""Evidence packs: built by a Celery task, signed, and checked offline by the verifier."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
import zipfile
from datetime import date, timedelta
from pathlib import Path

import pytest
from minio.error import S3Error
from sqlalchemy import select

from common.db import unit_of_work
from common.events import utcnow
from common.fiscal import fiscal_year_of
from common.web import runtime_of
from services.evidence.events import PackFinished
from services.evidence.models import Outbox, Pack
from services.evidence.worker import EXPIRE_PACKS
from tests.waiting import eventually

PACKS = "/api/evidence/packs"
PACK_FINISHED = PackFinished.routing_key
CURRENT = fiscal_year_of(date.today())


def built(http, body: dict) -> dict:
    asked = http.post(PACKS, json=body)
    assert asked.status_code == 202, asked.text
    assert asked.json()["state"] == "queued"

    def finished() -> dict | None:
        pack = http.get(f"{PACKS}/{asked.json()['id']}").json()
        return pack if pack["state"] in ("ready", "failed") else None

    return eventually(finished, timeout=60, interval=0.5, what="the pack built")


@pytest.fixture(scope="module")
def pack_file(demo, pack_worker, tmp_path_factory):
    """An auditor's pack of R1's reports of the current year, and identity's published keys."""
    auditor = demo.session("auditor")
    pack = built(auditor, {"year": CURRENT, "unit": "R1"})
    assert pack["state"] == "ready", pack["error"]
    folder = tmp_path_factory.mktemp("pack")
    path = folder / "pack.zip"
    path.write_bytes(auditor.get(f"{PACKS}/{pack['id']}/content").content)
    jwks = folder / "jwks.json"
    jwks.write_text(demo.session().get("/api/identity/jwks.json").text)
    return pack, path, jwks


def verifier(*args) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "services.evidence.verify_pack", *map(str, args)]
    return subprocess.run(command, capture_output=True, text=True, timeout=60)


def test_the_verifier_finds_a_fresh_pack_intact_with_the_published_keys(pack_file):
    _pack, path, jwks = pack_file
    result = verifier(path, "--jwks", jwks)
    assert (result.returncode, result.stdout.strip()) == (0, "intact")


def test_the_manifest_lists_each_file_with_its_report_and_each_report_with_its_history(pack_file):
    pack, path, _jwks = pack_file
    manifest = json.loads(zipfile.ZipFile(path).read("manifest.json"))
    assert pack["files"] == len(manifest["files"]) >= 2
    reports = {r["id"]: r for r in manifest["reports"]}
    for entry in manifest["files"]:
        assert {"path", "size", "sha256", "unit", "kpi", "period", "report_id"} <= entry.keys()
        assert entry["report_id"] in reports
    approved = [r for r in manifest["reports"] if r["state"] == "approved"]
    assert [h["actor"] for h in approved[0]["history"]][-3:] == ["reporter1", "head1", "reviewer"]
    assert manifest["audit"]["entries"] and manifest["audit"]["chain"]["intact"] is True


def test_the_pack_carries_a_thai_index_of_every_file_with_its_sha256(pack_file):
    _pack, path, _jwks = pack_file
    with zipfile.ZipFile(path) as zf:
        manifest = json.loads(zf.read("manifest.json"))
        table = list(csv.DictReader(io.StringIO(zf.read("index.csv").decode("utf-8-sig"))))
        page = zf.read("index.html").decode()
    listed = {(row["ไฟล์ในชุด"], row["SHA-256"]) for row in table if row["ไฟล์ในชุด"]}
    assert listed == {(e["path"], e["sha256"]) for e in manifest["files"]}
    assert {row["รหัสรายงาน"] for row in table} == {r["id"] for r in manifest["reports"]}
    assert all(f'href="{e["path"]}"' in page for e in manifest["files"] if '"' not in e["path"])


def test_a_copy_with_one_byte_changed_is_refused_naming_the_file(pack_file, tmp_path):
    _pack, path, jwks = pack_file
    with zipfile.ZipFile(path) as pack:
        info = next(i for i in pack.infolist() if i.filename.endswith(".pdf"))
    data = bytearray(path.read_bytes())
    data[info.header_offset + 30 + len(info.filename.encode()) + len(info.extra) + 50] ^= 1
    changed = tmp_path / "changed.zip"
    changed.write_bytes(bytes(data))
    result = verifier(changed, "--jwks", jwks)
    assert result.returncode == 1
    assert info.filename in result.stdout


def test_a_manifest_changed_after_signing_is_refused(pack_file, tmp_path):
    _pack, path, jwks = pack_file
    out = io.BytesIO()
    with zipfile.ZipFile(path) as pack, zipfile.ZipFile(out, "w") as copy:
        for info in pack.infolist():
            data = pack.read(info)
            if info.filename == "manifest.json":
                data = data.replace(b'"approved"', b'"returned"', 1)
            copy.writestr(info, data)
    changed = tmp_path / "changed.zip"
    changed.write_bytes(out.getvalue())
    result = verifier(changed, "--jwks", jwks)
    assert (result.returncode, "manifest.json" in result.stdout) == (1, True)


def test_a_reporter_packs_only_their_own_unit_and_a_refusal_leaves_no_pack(demo):
    reporter = demo.session("reporter1")
    before = reporter.get(PACKS).json()
    assert reporter.post(PACKS, json={"year": CURRENT, "unit": "R2"}).status_code == 403
    assert reporter.post(PACKS, json={"year": CURRENT}).status_code == 422
    assert reporter.get(PACKS).json() == before


def test_a_built_pack_is_announced_to_its_taker_by_an_event(demo, pack_file):
    pack, _path, _jwks = pack_file
    evidence = runtime_of(demo.app("evidence"))
    with unit_of_work(evidence.session_factory) as session:
        rows = session.scalars(select(Outbox).where(Outbox.routing_key == PACK_FINISHED))
        told = [json.loads(row.body) for row in rows]
    (event,) = [e for e in told if e["data"]["pack_id"] == pack["id"]]
    assert event["actor"] == "auditor"
    assert event["data"] == {
        "pack_id": pack["id"],
        "requested_by": "auditor",
        "state": "ready",
        "year": CURRENT,
        "unit": "R1",
        "kpi": None,
        "period": None,
    }


def test_a_pack_of_another_user_is_not_found(demo, pack_file):
    pack, _path, _jwks = pack_file
    assert demo.session("reporter1").get(f"{PACKS}/{pack['id']}").status_code == 404


def test_a_pack_past_its_time_is_deleted_from_the_store_and_its_download_is_gone(
    demo, pack_worker, pack_file
):
    auditor = demo.session("auditor")
    old = built(auditor, {"year": CURRENT, "unit": "R1", "kpi": "4.1"})
    assert old["state"] == "ready", old["error"]
    evidence = runtime_of(demo.app("evidence"))
    store, celery = evidence.deps.store, evidence.deps.celery
    with unit_of_work(evidence.session_factory) as session:
        row = session.get(Pack, old["id"])
        key, version = row.object_key, row.object_version
        row.expires_at = utcnow() - timedelta(minutes=1)
    store.client.stat_object(store.bucket, key, version_id=version)  # there until the sweep

    assert celery.conf.beat_schedule["expire-packs"]["task"] == EXPIRE_PACKS
    celery.send_task(EXPIRE_PACKS)

    def swept() -> bool:
        with unit_of_work(evidence.session_factory) as session:
            return session.get(Pack, old["id"]).object_key is None

    eventually(swept, timeout=60, interval=0.5, what="the expired pack swept")
    with pytest.raises(S3Error):
        store.client.stat_object(store.bucket, key, version_id=version)
    assert auditor.get(f"{PACKS}/{old['id']}").json()["state"] == "expired"
    gone = auditor.get(f"{PACKS}/{old['id']}/content")
    assert gone.status_code == 410 and "build it again" in gone.json()["detail"]

    fresh, _path, _jwks = pack_file
    assert auditor.get(f"{PACKS}/{fresh['id']}").json()["state"] == "ready"
    assert auditor.get(f"{PACKS}/{fresh['id']}/content").status_code == 200


# --- Packs hold only what their taker may read ------------------------------------------

SOURCE_YEAR = 2547
EXAMPLES = Path(__file__).resolve().parents[2] / "services/workflow/examples"
EXPENDITURE = EXAMPLES / "expenditure-2547.csv"
TAKERS = [
    ("reporter1", "R1"),
    ("head1", "R1"),
    ("reviewer", "R1"),
    ("auditor", "R1"),
    ("admin", "R1"),
    ("reviewer", None),
    ("auditor", None),
    ("admin", None),
]


@pytest.fixture(scope="module")
def expenditure(live):
    """The expenditure system's file for 2547 imported as 3.1: one file, every region's rows."""
    reviewer = live.session("reviewer")
    resp = reviewer.post(
        "/api/workflow/imports",
        data={"year": str(SOURCE_YEAR), "kpi": "3.1", "dry_run": "false"},
        files={"file": ("expenditure-2547.csv", EXPENDITURE.read_bytes())},
    )
    assert resp.status_code == 200, resp.text
    imported = resp.json()
    if "evidence_id" not in imported:  # another module imported it first: nothing changed
        held = {"year": SOURCE_YEAR, "kpi": "3.1", "unit": "R1", "period": "M01"}
        report = reviewer.get("/api/workflow/reports", params=held).json()[0]
        imported["evidence_id"] = report["evidence_ids"][0]
    return imported


def pack_of(live, taker: str, unit: str | None) -> tuple[zipfile.ZipFile, dict]:
    body = {"year": SOURCE_YEAR, "kpi": "3.1", **({"unit": unit} if unit else {})}
    http = live.session(taker)
    pack = built(http, body)
    assert pack["state"] == "ready", pack["error"]
    zf = zipfile.ZipFile(io.BytesIO(http.get(f"{PACKS}/{pack['id']}/content").content))
    return zf, json.loads(zf.read("manifest.json"))


def extract_rows(zf: zipfile.ZipFile, entry: dict) -> list[dict]:
    return list(csv.DictReader(io.StringIO(zf.read(entry["path"]).decode("utf-8-sig"))))


def readable_by(http, zf: zipfile.ZipFile, entry: dict) -> bool:
    """A whole file the taker may fetch; an extract whose every row is of a report they may
    read (its unit and period)."""
    if "extract_of" not in entry:
        return http.get(f"/api/evidence/files/{entry['file_id']}").status_code == 200
    report = http.get(f"/api/workflow/reports/{entry['report_id']}")
    rows = extract_rows(zf, entry)
    own = report.status_code == 200 and {(report.json()["unit"], report.json()["period"])}
    return bool(rows) and {(r["unit"], r["period"]) for r in rows} == own


@pytest.mark.parametrize(("taker", "unit"), TAKERS, ids=[f"{t}-{u or 'all'}" for t, u in TAKERS])
def test_every_file_and_row_in_a_pack_is_one_its_taker_may_read_through_the_api(
    live, pack_worker, expenditure, taker, unit
):
    zf, manifest = pack_of(live, taker, unit)
    assert manifest["files"] and manifest["withheld"] == []
    http = live.session(taker)
    unreadable = [e["path"] for e in manifest["files"] if not readable_by(http, zf, e)]
    assert unreadable == []


def test_a_reporters_pack_holds_their_units_rows_of_an_import_source_not_the_file(
    live, pack_worker, expenditure
):
    zf, manifest = pack_of(live, "reporter1", "R1")
    source = expenditure["evidence_id"]
    assert source not in {e.get("file_id") for e in manifest["files"]}
    extracts = [e for e in manifest["files"] if "extract_of" in e]
    assert len(extracts) == 12  # R1's twelve months
    assert {e["extract_of"]["sha256"] for e in extracts} == {expenditure["file"]["sha256"]}
    rows = [row for e in extracts for row in extract_rows(zf, e)]
    assert sorted(r["period"] for r in rows) == [f"M{m:02}" for m in range(1, 13)]
    assert {r["unit"] for r in rows} == {"R1"}
    assert all("extract" in e["note"] for e in extracts)


def test_an_extract_is_the_header_and_the_reports_own_line_of_the_source(
    live, pack_worker, expenditure
):
    zf, manifest = pack_of(live, "reporter1", "R1")
    m01 = next(e for e in manifest["files"] if "extract_of" in e and e["period"] == "M01")
    source = EXPENDITURE.read_text().splitlines()
    assert m01["extract_of"]["lines"] == [2]
    assert zf.read(m01["path"]).decode("utf-8-sig").splitlines() == source[:2]


def test_a_pack_of_every_unit_holds_the_import_source_whole(live, pack_worker, expenditure):
    zf, manifest = pack_of(live, "auditor", None)
    whole = [e for e in manifest["files"] if e.get("file_id") == expenditure["evidence_id"]]
    assert [e["sha256"] for e in whole] == [expenditure["file"]["sha256"]]
    assert not [e for e in manifest["files"] if "extract_of" in e]


def test_a_pack_with_extracts_verifies_intact(live, pack_worker, expenditure, tmp_path):
    reporter = live.session("reporter1")
    pack = built(reporter, {"year": SOURCE_YEAR, "unit": "R1", "kpi": "3.1"})
    path = tmp_path / "pack.zip"
    path.write_bytes(reporter.get(f"{PACKS}/{pack['id']}/content").content)
    jwks = tmp_path / "jwks.json"
    jwks.write_text(live.session().get("/api/identity/jwks.json").text)
    result = verifier(path, "--jwks", jwks)
    assert (result.returncode, result.stdout.strip()) == (0, "intact")
