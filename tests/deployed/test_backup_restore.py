"""The documented backup (deploy/backup.py) of the running topology, restored into a fresh
database and bucket: the same rows in every table, the same files (SHA-256), an intact audit
trail."""

from __future__ import annotations

import hashlib
import time

import psycopg
from minio.deleteobjects import DeleteObject

from common.config import from_env
from common.db import make_engine, make_session_factory, unit_of_work
from deploy import backup
from deploy.migrate import with_database
from services.workflow.audit import verify
from tests.deployed.conftest import draft_reports, new_team
from tests.evidence import samples


def snapshot(url: str) -> dict[str, list]:
    """Every row of every service's table, sorted: what a restore must give back."""
    rows = {}
    with psycopg.connect(url) as conn:
        tables = conn.execute(
            "SELECT table_schema, table_name FROM information_schema.tables "
            "WHERE table_schema = ANY(%s) AND table_type = 'BASE TABLE'",
            (with_database(),),
        ).fetchall()
        for schema, table in tables:
            found = conn.execute(f'SELECT * FROM "{schema}"."{table}"').fetchall()
            rows[f"{schema}.{table}"] = sorted(map(repr, found))
    return rows


def without_versions(rows: dict[str, list]) -> dict[str, list]:
    return {k: v for k, v in rows.items() if k not in {t for t, _, _ in backup.OBJECT_REFERENCES}}


def test_a_backup_restored_into_a_fresh_database_and_bucket_is_the_same(
    deployed, gateway, tmp_path
):
    team = new_team(deployed, gateway)
    report, *_ = draft_reports(team)
    for who, action in ((team.reporter, "submit"), (team.head, "endorse")):
        resp = who.post(f"/api/workflow/reports/{report}/transitions", json={"action": action})
        assert resp.status_code == 200, resp.text
    fields = {"unit": team.unit, "year": "2547", "kpi": "2.1", "period": "M01"}
    stored = team.reporter.post(
        "/api/evidence/files",
        data=fields,
        files={"file": ("หลักฐาน.docx", samples.docx_file("สำรองข้อมูล"))},
    )
    assert stored.status_code == 201, stored.text

    source = deployed.database_url(deployed.owner_role)
    env = {
        "RBM_DATABASE_URL": source,
        "RBM_S3_BUCKET": deployed.bucket,
        **deployed.seaweedfs.env(),
    }
    # The system keeps working (emails sent, events relayed): a dump whose tables did not
    # change while it ran is the one compared with what the restore gives.
    for _ in range(20):
        before = snapshot(source)
        written = backup.dump(tmp_path / "backup", env)
        if snapshot(source) == before:
            break
        time.sleep(1)
    else:
        raise AssertionError("the system never stood still for a dump")

    fresh_db, fresh_bucket = f"{deployed.database}_restored", f"{deployed.bucket}-restored"
    deployed.sql(f'CREATE DATABASE "{fresh_db}" OWNER "{deployed.owner_role}"', autocommit=True)
    target = source.rsplit("/", 1)[0] + f"/{fresh_db}"
    client = deployed.seaweedfs.client()
    try:
        restored = backup.restore(
            tmp_path / "backup", {**env, "RBM_DATABASE_URL": target, "RBM_S3_BUCKET": fresh_bucket}
        )
        after = snapshot(target)
        assert without_versions(after) == without_versions(before)
        with psycopg.connect(target) as conn:
            files = conn.execute(
                "SELECT object_key, object_version, sha256 FROM evidence.files"
            ).fetchall()
        assert len(files) == len(before["evidence.files"]) > 0
        for key, version, sha256 in files:
            response = client.get_object(fresh_bucket, key, version_id=version)
            assert hashlib.sha256(response.read()).hexdigest() == sha256
            response.close()
        engine = make_engine(from_env("workflow", {"RBM_DATABASE_URL": target}))
        with unit_of_work(make_session_factory(engine)) as session:
            chain = verify(session).as_dict()
        engine.dispose()
        assert chain["intact"] is True, chain
    finally:
        deployed.sql(f'DROP DATABASE IF EXISTS "{fresh_db}" WITH (FORCE)', autocommit=True)
        if client.bucket_exists(fresh_bucket):
            versions = client.list_objects(fresh_bucket, recursive=True, include_version=True)
            gone = [DeleteObject(o.object_name, o.version_id) for o in versions]
            list(client.remove_objects(fresh_bucket, gone, bypass_governance_mode=True))
            client.remove_bucket(fresh_bucket)
    print(
        f"\nbackup and restore: dumped {written}, restored {restored};"
        f" {sum(map(len, before.values()))} rows in {len(before)} tables the same,"
        f" {len(files)} files with the same SHA-256, audit chain of {chain['entries']} intact"
    )
