"""`python -m services.workflow.imports FILE --kpi 3.1 --year 2547 [--dry-run]`: an import from
the command line, through the same API (`POST /api/workflow/imports`) the portal uses.

The origin is `RBM_URL` (default `http://127.0.0.1:8000`); the token is `RBM_TOKEN`, or one is
asked for with `--user` and `RBM_PASSWORD` (prompted when unset). A progress bar shows the
upload of files past 1 MB. Exit status: 0 imported (or a clean dry run), 1 refused.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
import uuid
from pathlib import Path
from typing import BinaryIO

import requests
from tqdm import tqdm

BAR_FROM = 1024 * 1024
CHUNK = 64 * 1024


class MultipartBody:
    """A multipart/form-data body read in chunks, so that the upload can show its progress."""

    def __init__(self, fields: dict[str, str], path: Path):
        self.boundary = uuid.uuid4().hex
        head = "".join(
            f'--{self.boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'
            for k, v in fields.items()
        )
        name = path.name.replace('"', "_")
        head += (
            f'--{self.boundary}\r\nContent-Disposition: form-data; name="file"; '
            f'filename="{name}"\r\nContent-Type: application/octet-stream\r\n\r\n'
        )
        self.parts: list[bytes | BinaryIO] = [
            head.encode(),
            path.open("rb"),
            f"\r\n--{self.boundary}--\r\n".encode(),
        ]
        self.size = len(self.parts[0]) + path.stat().st_size + len(self.parts[2])
        self.bar: tqdm | None = None

    @property
    def content_type(self) -> str:
        return f"multipart/form-data; boundary={self.boundary}"

    def __len__(self) -> int:
        return self.size

    def read(self, size: int = CHUNK) -> bytes:
        while self.parts:
            part = self.parts[0]
            chunk = part[:size] if isinstance(part, bytes) else part.read(size)
            if isinstance(part, bytes):
                self.parts[0] = part[size:]
            if chunk:
                if self.bar is not None:
                    self.bar.update(len(chunk))
                return chunk
            if not isinstance(part, bytes):
                part.close()
            self.parts.pop(0)
        return b""


def token_of(base: str, user: str | None) -> str:
    if token := os.environ.get("RBM_TOKEN"):
        return token
    if not user:
        raise SystemExit("Set RBM_TOKEN, or name the account with --user.")
    password = os.environ.get("RBM_PASSWORD") or getpass.getpass(f"Password of {user}: ")
    resp = requests.post(
        f"{base}/api/identity/token", json={"username": user, "password": password}, timeout=30
    )
    if resp.status_code != 200:
        raise SystemExit(f"Sign-in refused ({resp.status_code}).")
    return resp.json()["access_token"]


def report(resp: requests.Response, out) -> int:
    """Print what the import did (or would do), or why it was refused; the exit status."""
    try:
        body = resp.json()
    except ValueError:
        print(f"The server answered {resp.status_code}.", file=out)
        return 1
    if resp.status_code != 200:
        print(f"Refused ({resp.status_code}): {body.get('detail')}", file=out)
        for row in body.get("rows") or []:
            print(f"  line {row['line']}: {'; '.join(row['errors'])}", file=out)
        return 1
    for row in body["rows"]:
        print(
            f"  line {row['line']:>5}  {row['unit']:<10} {row['period']:<4} "
            f"{row['value']:>10.2f}  {row['action']}",
            file=out,
        )
    verb = "would be" if body.get("dry_run") else "were"
    print(
        f"{body['created']} created, {body['updated']} updated, {body['unchanged']} unchanged "
        f"({verb} written).",
        file=out,
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m services.workflow.imports",
        description="Import the figures of an imported KPI.",
    )
    parser.add_argument("file", type=Path, help="CSV (UTF-8 or cp874) or .xlsx")
    parser.add_argument("--kpi", required=True, help="1.1, 3.1, 5.1 or 8.1")
    parser.add_argument("--year", required=True, type=int, help="Buddhist-Era fiscal year")
    parser.add_argument("--dry-run", action="store_true", help="check and say, write nothing")
    parser.add_argument("--encoding", help="a CSV's encoding when detection is not enough")
    parser.add_argument("--user", help="sign in as this account (else RBM_TOKEN)")
    args = parser.parse_args(argv)
    if not args.file.is_file():
        parser.error(f"no file {args.file}")
    base = os.environ.get("RBM_URL", "http://127.0.0.1:8000").rstrip("/")
    fields = {"year": str(args.year), "kpi": args.kpi, "dry_run": str(args.dry_run).lower()}
    if args.encoding:
        fields["encoding"] = args.encoding
    body = MultipartBody(fields, args.file)
    token = token_of(base, args.user)
    with tqdm(
        total=len(body), unit="B", unit_scale=True, disable=len(body) < BAR_FROM, file=sys.stderr
    ) as body.bar:
        resp = requests.post(
            f"{base}/api/workflow/imports",
            data=body,
            headers={
                "Authorization": f"Bearer {token}",
                "Content-Type": body.content_type,
            },
            timeout=600,
        )
    return report(resp, sys.stdout)
