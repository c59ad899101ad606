"""Check an evidence pack offline: `python -m services.evidence.verify_pack PACK.zip [--jwks FILE]`.

Exit 0 printing "intact" when the manifest's signature holds, every file the manifest lists
(the reports' files, the readable index and verifier page, the key set) is in the zip with
its size and SHA-256, nothing else is but the manifest and its signature, and each audit
entry hashes to what it says and links to the entry before it. Otherwise exit 1 naming the
first thing that does not match. It answers in Thai when the locale (LC_ALL, LC_MESSAGES or
LANG) starts with "th", in English otherwise. `--jwks` is the key set identity publishes
(`GET /api/identity/jwks.json`, saved to a file); without it the key copied into the pack is
used, which proves only that the pack is unchanged since it was signed by whoever holds that key.

Before anything is read the zip itself must be unambiguous, since readers disagree on an
ambiguous one (Python reads the last of two entries of one name, `unzip -n` extracts the
first): every name once, also when case and Unicode normalisation are ignored; no absolute
path, `..`, backslash or NUL; plain files only (no links); each local header naming and sizing
its entry as the directory does; the first entry at byte 0, the entries back to back, the
directory right after them and the end record last, without a comment or appended bytes.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import lzma
import os
import re
import stat
import struct
import sys
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

import jwt

from services.evidence.pack_verify_text import PROBLEMS, VERDICTS, language

CHUNK = 1024 * 1024
SIGNED = {"manifest.json", "manifest.jws"}
# Packs made before the manifest listed the key set carry it unlisted.
UNLISTED_KEY_SET = "jwks.json"


class Mismatch(Exception):
    """The first thing in the pack that is not what the manifest says: the name it concerns
    (none for the zip as a whole) and one of the problems `PROBLEMS` words in each language."""

    def __init__(self, subject: str | None, problem: str, **details: Any):
        self.subject, self.problem, self.details = subject, problem, details
        super().__init__(self.text("en"))

    def text(self, language: str) -> str:
        said = PROBLEMS[self.problem][language].format(**self.details)
        return f"{self.subject}: {said}" if self.subject else said


# Zip records (APPNOTE 4.3): local file header, end of central directory, and its zip64 forms.
LOCAL = struct.Struct("<4s5H3L2H")
END = struct.Struct("<4s4H2LH")
END64_LOCATOR = struct.Struct("<4sLQL")
END64 = struct.Struct("<4sQ2H2L4Q")
ZIP64_MARK = 0xFFFFFFFF
SIZES_AFTER_DATA = 0x08  # general purpose flag: crc and sizes in a data descriptor
UTF8_NAME = 0x800
# What reading an entry may raise besides a bad zip: a compression method or encryption Python
# does not read, or a stream that does not decompress.
UNREADABLE = (
    zipfile.BadZipFile,
    OSError,
    EOFError,
    NotImplementedError,
    RuntimeError,
    zlib.error,
    lzma.LZMAError,
)
CLIMBING = re.compile(r"^(?:[A-Za-z]:|/)|\\|(?:^|/)\.{1,2}(?:/|$)|//")


def _folded(name: str) -> str:
    """A name as a case-insensitive, normalising file system would store it."""
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", name).casefold())


def _check_names(infos: list[zipfile.ZipInfo]) -> None:
    seen: dict[str, str] = {}
    for info in infos:
        name = info.filename
        if info.orig_filename != name or any(ord(c) < 32 for c in name):
            raise Mismatch(name, "control-character")
        if CLIMBING.search(name):
            raise Mismatch(name, "climbing-path")
        kind = stat.S_IFMT(info.external_attr >> 16)
        if info.is_dir() or kind not in (0, stat.S_IFREG):
            raise Mismatch(name, "not-a-file")
        if (first := seen.get(_folded(name))) is not None:
            raise Mismatch(name, "twice") if first == name else Mismatch(name, "twin", first=first)
        seen[_folded(name)] = name


def _entry_end(handle: BinaryIO, info: zipfile.ZipInfo) -> int:
    """Where an entry's data ends, once its local header agrees with the directory."""
    handle.seek(info.header_offset)
    head = handle.read(LOCAL.size)
    if len(head) < LOCAL.size or not head.startswith(b"PK\x03\x04"):
        raise Mismatch(info.filename, "no-local-header")
    _sig, _v, flags, method, _t, _d, crc, packed, size, name_len, extra_len = LOCAL.unpack(head)
    raw = handle.read(name_len)
    local_name = raw.decode("utf-8" if flags & UTF8_NAME else "cp437", "replace")
    sizes = (packed, size) if ZIP64_MARK not in (packed, size) else None
    if flags & SIZES_AFTER_DATA:
        raise Mismatch(info.filename, "sizes-after-data")
    central = (info.compress_size, info.file_size)
    if (local_name, method, crc) != (info.orig_filename, info.compress_type, info.CRC) or (
        sizes is not None and sizes != central
    ):
        raise Mismatch(info.filename, "local-header-differs")
    return info.header_offset + LOCAL.size + name_len + extra_len + info.compress_size


def _directory_span(handle: BinaryIO) -> tuple[int, int, int]:
    """The central directory's start and length as the end record says, and where that
    record (or its zip64 form) starts; the end record must end the file."""
    total = handle.seek(0, 2)
    handle.seek(max(total - END.size, 0))
    tail = handle.read(END.size)
    if len(tail) < END.size or not tail.startswith(b"PK\x05\x06") or END.unpack(tail)[-1]:
        raise Mismatch(None, "after-end")
    *_, length, start, _comment = END.unpack(tail)
    end = total - END.size
    # Python's reader takes the zip64 record whenever its locator sits before the end record.
    handle.seek(max(end - END64_LOCATOR.size, 0))
    locator = handle.read(END64_LOCATOR.size)
    if not locator.startswith(b"PK\x06\x07"):
        return start, length, end
    record_at = END64_LOCATOR.unpack(locator)[2]
    handle.seek(record_at)
    record = handle.read(END64.size)
    if not record.startswith(b"PK\x06\x06") or record_at + END64.size + len(locator) != end:
        raise Mismatch(None, "before-end")
    *_, length, start = END64.unpack(record)
    return start, length, record_at


def _check_layout(handle: BinaryIO, infos: list[zipfile.ZipInfo]) -> None:
    start, length, end = _directory_span(handle)
    if start + length != end:
        raise Mismatch(None, "around-directory")
    position = 0
    for info in sorted(infos, key=lambda i: i.header_offset):
        if info.header_offset != position:
            where = "before-first" if position == 0 else "between-entries"
            raise Mismatch(info.filename, where)
        position = _entry_end(handle, info)
    if position != start:
        raise Mismatch(None, "before-directory")


def check_zip(handle: BinaryIO, pack: zipfile.ZipFile) -> None:
    """Refuse a zip that two readers could read differently."""
    infos = pack.infolist()
    _check_names(infos)
    _check_layout(handle, infos)


def _check_signature(manifest: bytes, token: str, jwks: dict) -> None:
    try:
        kid = jwt.get_unverified_header(token).get("kid")
        keys = {k.get("kid"): k for k in jwks.get("keys", [])}
        if kid not in keys:
            raise Mismatch("manifest.jws", "unknown-key", kid=kid)
        key = jwt.PyJWK(keys[kid]).key
        payload = json.loads(jwt.api_jws.decode(token, key, algorithms=["RS256"]))
    except (jwt.PyJWTError, ValueError) as exc:
        raise Mismatch("manifest.jws", "bad-signature", reason=exc) from exc
    if payload.get("manifest_sha256") != hashlib.sha256(manifest).hexdigest():
        raise Mismatch("manifest.json", "not-signed")


def _sha256(pack: zipfile.ZipFile, path: str) -> tuple[int, str]:
    hasher, size = hashlib.sha256(), 0
    with pack.open(path) as member:
        while chunk := member.read(CHUNK):
            hasher.update(chunk)
            size += len(chunk)
    return size, hasher.hexdigest()


def _listed(content: dict) -> tuple[list[dict], set[str]]:
    """Every file the manifest lists (the reports', its index, its key set), and the names a
    pack may hold beside them."""
    key_set = content.get("key_set")
    files = content["files"] + content.get("index", []) + ([key_set] if key_set else [])
    return files, SIGNED if key_set else SIGNED | {UNLISTED_KEY_SET}


def _check_files(
    found: Examination, pack: zipfile.ZipFile, files: list[dict], own: set[str]
) -> None:
    """Each listed file's state (ok, missing, unreadable, changed), then the names nobody listed."""
    names = set(pack.namelist())
    for entry in files:
        path = entry["path"]
        problem: Mismatch | None = None
        if path not in names:
            problem = Mismatch(path, "missing")
        else:
            try:
                size, digest = _sha256(pack, path)
            except UNREADABLE as exc:
                # The zip's own CRC-32 refuses bytes changed after zipping before SHA-256 can.
                crc = isinstance(exc, zipfile.BadZipFile) and "CRC" in str(exc)
                problem = (
                    Mismatch(path, "changed") if crc else Mismatch(path, "unreadable", reason=exc)
                )
            else:
                if size != entry["size"] or digest != entry["sha256"]:
                    problem = Mismatch(path, "changed")
        found.files.append({**entry, "state": problem.problem if problem else "ok"})
        if problem:
            found.problems.append(problem)
    for extra in sorted(names - own - {f["path"] for f in files}):
        found.files.append({"path": extra, "state": "extra"})
        found.problems.append(Mismatch(extra, "extra"))


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
            raise Mismatch(None, "audit-hash", seq=entry.get("seq"))
        if (
            previous is not None
            and entry["seq"] == previous["seq"] + 1
            and entry["prev_hash"] != previous["hash"]
        ):
            raise Mismatch(None, "audit-link", seq=entry["seq"], previous=previous["seq"])
        previous = entry


@dataclass
class Examination:
    """All a pack was found to be: its problems in the order they were found (the first is the
    one the command names), whether its signature holds, each file's state and the audit's."""

    problems: list[Mismatch] = field(default_factory=list)
    signature: str = "unchecked"  # valid, invalid or unchecked (the zip itself was refused)
    key_id: str | None = None
    files: list[dict] = field(default_factory=list)
    audit: str = "unchecked"  # intact, broken or unchecked
    about: dict = field(default_factory=dict)

    @property
    def intact(self) -> bool:
        return not self.problems


def _signature(found: Examination, manifest: bytes, token: str, keys: dict) -> None:
    try:
        found.key_id = jwt.get_unverified_header(token).get("kid")
    except jwt.PyJWTError:
        found.key_id = None
    try:
        _check_signature(manifest, token, keys)
        found.signature = "valid"
    except Mismatch as problem:
        found.signature = "invalid"
        found.problems.append(problem)


def _audit(found: Examination, entries: list[dict]) -> None:
    try:
        _check_audit(entries)
        found.audit = "intact"
    except Mismatch as problem:
        found.audit = "broken"
        found.problems.append(problem)


def _check_directory_size(handle: BinaryIO, most: int | None) -> None:
    """Refuse a directory too large to read (each entry a record in memory) before reading it."""
    if most is None:
        return
    try:
        _start, length, _end = _directory_span(handle)
    except Mismatch:
        return  # not a zip's end: the reader or the layout check names what is wrong
    if length > most:
        raise Mismatch(None, "too-large")


def _check_unpacked_size(pack: zipfile.ZipFile, most: int | None) -> None:
    if most is not None and sum(info.file_size for info in pack.infolist()) > most:
        raise Mismatch(None, "too-large")


def examine(
    handle: BinaryIO,
    name: str,
    jwks: dict | None = None,
    limits: tuple[int, int] | None = None,
) -> Examination:
    """Everything wrong with the pack read from `handle`, not only the first thing.

    An ambiguous zip is read no further. `limits` (the most bytes of central directory, the most
    bytes unpacked) refuse, before hashing, a pack sent by someone else that would take too
    much memory or time to read."""
    found = Examination()
    directory_most, unpacked_most = limits or (None, None)
    try:
        _check_directory_size(handle, directory_most)
        with zipfile.ZipFile(handle) as pack:
            check_zip(handle, pack)
            _check_unpacked_size(pack, unpacked_most)
            manifest = pack.read("manifest.json")
            token = pack.read("manifest.jws").decode()
            keys = jwks if jwks is not None else json.loads(pack.read("jwks.json"))
            _signature(found, manifest, token, keys)
            content = json.loads(manifest)
            found.about = {k: content.get(k) for k in ("pack_id", "created_at", "scope")}
            _check_files(found, pack, *_listed(content))
            _audit(found, content["audit"]["entries"])
    except Mismatch as problem:
        found.problems.append(problem)
    except (*UNREADABLE, KeyError, TypeError, ValueError) as exc:
        found.problems.append(Mismatch(name, "not-a-pack", reason=exc))
    return found


def verify(path: Path, jwks: dict | None = None) -> None:
    """Raise Mismatch naming the first thing that does not match; return when intact."""
    try:
        with path.open("rb") as handle:
            found = examine(handle, path.name, jwks)
    except OSError as exc:
        raise Mismatch(path.name, "not-a-pack", reason=exc) from exc
    if found.problems:
        raise found.problems[0]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Check an rbm evidence pack offline.")
    parser.add_argument("pack", type=Path)
    parser.add_argument("--jwks", type=Path, help="identity's published key set (jwks.json)")
    args = parser.parse_args(argv)
    jwks = json.loads(args.jwks.read_text()) if args.jwks else None
    said = language(os.environ)
    try:
        verify(args.pack, jwks)
    except Mismatch as exc:
        print(VERDICTS["broken"][said].format(problem=exc.text(said)))
        return 1
    print(VERDICTS["intact"][said])
    return 0


if __name__ == "__main__":
    sys.exit(main())
