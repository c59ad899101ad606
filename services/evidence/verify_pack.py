"""Check an evidence pack offline: `python -m services.evidence.verify_pack PACK.zip [--jwks FILE]`.

Exit 0 printing "intact" when the manifest's signature holds, every file in the manifest is
in the zip with its size and SHA-256, nothing else is, and each audit entry hashes to what it
says and links to the entry before it. Otherwise exit 1 naming the first thing that does not
match. `--jwks` is the key set identity publishes (`GET /api/identity/jwks.json`, saved to a
file); without it the key copied into the pack is used, which proves only that the pack is
unchanged since it was signed by whoever holds that key.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jwt

CHUNK = 1024 * 1024
OWN_FILES = {"manifest.json", "manifest.jws", "jwks.json"}


class Mismatch(Exception):
    """The first thing in the pack that is not what the manifest says."""


def _check_signature(manifest: bytes, token: str, jwks: dict) -> None:
    try:
        kid = jwt.get_unverified_header(token).get("kid")
        keys = {k.get("kid"): k for k in jwks.get("keys", [])}
        if kid not in keys:
            raise Mismatch(f"manifest.jws: signed with key {kid}, which the key set does not hold")
        key = jwt.PyJWK(keys[kid]).key
        payload = json.loads(jwt.api_jws.decode(token, key, algorithms=["RS256"]))
    except (jwt.PyJWTError, ValueError) as exc:
        raise Mismatch(f"manifest.jws: the signature does not verify ({exc})") from exc
    if payload.get("manifest_sha256") != hashlib.sha256(manifest).hexdigest():
        raise Mismatch("manifest.json: it is not the manifest that was signed")


def _sha256(pack: zipfile.ZipFile, path: str) -> tuple[int, str]:
    hasher, size = hashlib.sha256(), 0
    with pack.open(path) as member:
        while chunk := member.read(CHUNK):
            hasher.update(chunk)
            size += len(chunk)
    return size, hasher.hexdigest()


def _check_files(pack: zipfile.ZipFile, files: list[dict]) -> None:
    names = set(pack.namelist())
    for entry in files:
        path = entry["path"]
        if path not in names:
            raise Mismatch(f"{path}: listed in the manifest but missing from the pack")
        try:
            size, digest = _sha256(pack, path)
        except (zipfile.BadZipFile, OSError) as exc:
            raise Mismatch(f"{path}: cannot be read back ({exc})") from exc
        if size != entry["size"] or digest != entry["sha256"]:
            raise Mismatch(f"{path}: its bytes do not match the SHA-256 in the manifest")
    extra = sorted(names - OWN_FILES - {f["path"] for f in files})
    if extra:
        raise Mismatch(f"{extra[0]}: in the pack but not in the manifest")


def _utc(moment: str) -> str:
    parsed = datetime.fromisoformat(moment.replace("Z", "+00:00"))
    parsed = parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC).isoformat(timespec="microseconds")


def entry_hash(entry: dict[str, Any]) -> str:
    """The audit trail's published rule: SHA-256 over the entry's fields and the previous hash."""
    fields = ("seq", "subject", "subject_id", "actor", "on_behalf_of", "action", "changes")
    body = {name: entry.get(name) for name in fields}
    body.update(at=_utc(entry["at"]), comment=entry.get("comment"), prev_hash=entry["prev_hash"])
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def _check_audit(entries: list[dict]) -> None:
    previous: dict | None = None
    for entry in entries:
        if entry_hash(entry) != entry.get("hash"):
            raise Mismatch(f"audit entry {entry.get('seq')}: its hash does not match its content")
        follows = previous is not None and entry["seq"] == previous["seq"] + 1
        if follows and entry["prev_hash"] != previous["hash"]:
            raise Mismatch(f"audit entry {entry['seq']}: does not link to entry {previous['seq']}")
        previous = entry


def verify(path: Path, jwks: dict | None = None) -> None:
    """Raise Mismatch naming the first thing that does not match; return when intact."""
    try:
        with zipfile.ZipFile(path) as pack:
            manifest = pack.read("manifest.json")
            token = pack.read("manifest.jws").decode()
            keys = jwks if jwks is not None else json.loads(pack.read("jwks.json"))
            _check_signature(manifest, token, keys)
            content = json.loads(manifest)
            _check_files(pack, content["files"])
            _check_audit(content["audit"]["entries"])
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise Mismatch(f"{path.name}: not a readable evidence pack ({exc})") from exc


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Check an rbm evidence pack offline.")
    parser.add_argument("pack", type=Path)
    parser.add_argument("--jwks", type=Path, help="identity's published key set (jwks.json)")
    args = parser.parse_args(argv)
    jwks = json.loads(args.jwks.read_text()) if args.jwks else None
    try:
        verify(args.pack, jwks)
    except Mismatch as exc:
        print(f"NOT intact: {exc}")
        return 1
    print("intact")
    return 0


if __name__ == "__main__":
    sys.exit(main())
