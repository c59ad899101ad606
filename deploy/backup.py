"""`python -m deploy.backup dump|restore FOLDER`: every service's schema and the evidence bucket.

    python -m deploy.backup dump /backups/2026-12-01      # from the running system
    python -m deploy.backup restore /backups/2026-12-01   # into a fresh database and bucket

Both read the deployment's own settings: `RBM_DATABASE_URL` (a role that owns the schemas, as
for `deploy.migrate`) and `RBM_S3_*` with `RBM_S3_BUCKET`. The dump is `pg_dump` (custom format)
of each service's schema, and every version of every object of the bucket with its metadata and
object-lock retention, oldest first. A restore needs an empty database and a bucket that does not
exist yet: it creates the bucket with versioning and object lock, puts the objects back in their
order with the same retention, and points the evidence rows at the new object versions (an S3
server gives every version it stores a new id). Then grant the services' roles as after a
migration (deploy/README.md) and start the system.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Mapping
from datetime import datetime
from io import BytesIO
from pathlib import Path

import psycopg
from minio import Minio
from minio.commonconfig import ENABLED, GOVERNANCE
from minio.retention import Retention
from minio.versioningconfig import VersioningConfig

from common.config import Settings, from_env
from deploy.migrate import with_database

# Tables that name an object version of the bucket: (schema.table, key column, version column).
OBJECT_REFERENCES = (
    ("evidence.files", "object_key", "object_version"),
    ("evidence.template_versions", "object_key", "object_version"),
)


def _settings(env: Mapping[str, str]) -> Settings:
    return from_env("evidence", env)


def _client(settings: Settings) -> Minio:
    return Minio(
        settings.s3_endpoint,
        settings.s3_access_key,
        settings.s3_secret_key,
        secure=settings.s3_secure,
    )


def _libpq(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def dump(folder: Path, env: Mapping[str, str]) -> dict:
    """Write the schemas and the bucket under `folder`; returns what was written."""
    settings = _settings(env)
    folder.mkdir(parents=True, exist_ok=True)
    schemas = [arg for name in with_database() for arg in ("-n", name)]
    subprocess.run(
        [
            "pg_dump",
            "-Fc",
            *schemas,
            "-f",
            str(folder / "database.dump"),
            _libpq(settings.database_url),
        ],
        check=True,
    )
    client = _client(settings)
    objects_dir = folder / "objects"
    objects_dir.mkdir(exist_ok=True)
    listing = sorted(
        client.list_objects(settings.s3_bucket, recursive=True, include_version=True),
        key=lambda o: (o.last_modified, o.object_name),
    )
    entries = []
    for n, obj in enumerate(o for o in listing if not o.is_delete_marker):
        response = client.get_object(settings.s3_bucket, obj.object_name, version_id=obj.version_id)
        try:
            (objects_dir / str(n)).write_bytes(response.read())
            headers = dict(response.headers)
        finally:
            response.close()
            response.release_conn()
        retention = client.get_object_retention(
            settings.s3_bucket, obj.object_name, version_id=obj.version_id
        )
        entries.append(
            {
                "file": str(n),
                "key": obj.object_name,
                "version_id": obj.version_id,
                "content_type": headers.get("Content-Type", "application/octet-stream"),
                "metadata": {
                    k[len("x-amz-meta-") :]: v
                    for k, v in headers.items()
                    if k.lower().startswith("x-amz-meta-")
                },
                "retain_until": retention.retain_until_date.isoformat()
                if retention and retention.retain_until_date
                else None,
                "mode": retention.mode if retention else None,
            }
        )
    (folder / "objects.json").write_text(json.dumps(entries, indent=1))
    return {"schemas": with_database(), "objects": len(entries)}


def restore(folder: Path, env: Mapping[str, str]) -> dict:
    """Load a dump into an empty database and a new bucket; returns what was restored."""
    settings = _settings(env)
    subprocess.run(
        [
            "pg_restore",
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "-d",
            _libpq(settings.database_url),
            str(folder / "database.dump"),
        ],
        check=True,
    )
    client = _client(settings)
    client.make_bucket(settings.s3_bucket, object_lock=True)
    client.set_bucket_versioning(settings.s3_bucket, VersioningConfig(ENABLED))
    entries = json.loads((folder / "objects.json").read_text())
    moved: list[tuple[str, str, str]] = []
    for entry in entries:
        data = (folder / "objects" / entry["file"]).read_bytes()
        retention = None
        if entry["retain_until"]:
            until = datetime.fromisoformat(entry["retain_until"])
            retention = Retention(entry["mode"] or GOVERNANCE, until)
        result = client.put_object(
            settings.s3_bucket,
            entry["key"],
            BytesIO(data),
            len(data),
            content_type=entry["content_type"],
            metadata=entry["metadata"] or None,
            retention=retention,
        )
        if entry["version_id"]:
            moved.append((entry["key"], entry["version_id"], result.version_id))
    with psycopg.connect(_libpq(settings.database_url)) as conn:
        for table, key_col, version_col in OBJECT_REFERENCES:
            for key, old, new in moved:
                conn.execute(
                    f"UPDATE {table} SET {version_col} = %s "
                    f"WHERE {key_col} = %s AND {version_col} = %s",
                    (new, key, old),
                )
    return {"objects": len(entries), "versions_moved": len(moved)}


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] not in ("dump", "restore"):
        raise SystemExit("usage: python -m deploy.backup dump|restore FOLDER")
    action = dump if argv[0] == "dump" else restore
    print(json.dumps(action(Path(argv[1]), os.environ)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
