"""The pack verifier refuses any zip two readers could read differently: a corpus of packs
crafted from one signed with a test key, each refused naming what is wrong."""

from __future__ import annotations

import hashlib
import io
import json
import os
import stat
import subprocess
import sys
import unicodedata
import warnings
import zipfile
from collections.abc import Callable

import pytest

from common.auth import new_private_key_pem
from services.evidence.pack_build import FORMAT, canonical, seal
from services.evidence.pack_index import write_index
from services.evidence.signing import PackSigner

PDF = "files/R1/4.1/Q1/v1-café.pdf"
FORM = "files/R1/4.1/Q1/v1-แบบฟอร์ม 4.1.docx"
REPORT = {"id": "r1", "unit": "R1", "kpi": "4.1", "period": "Q1", "state": "approved"}
ORIGINAL = {PDF: b"%PDF-1.7\n% the signed original\n%%EOF\n", FORM: b"PK form bytes"}


@pytest.fixture(scope="module")
def signer() -> PackSigner:
    return PackSigner(new_private_key_pem())


def entry(path: str, data: bytes) -> dict:
    digest = hashlib.sha256(data).hexdigest()
    return {"path": path, "size": len(data), "sha256": digest, "unit": "R1", "report_id": "r1"}


def test_a_pack_lists_its_readable_index_as_its_own_files(signer):
    with zipfile.ZipFile(io.BytesIO(signed_pack(signer))) as zf:
        index = json.loads(zf.read("manifest.json"))["index"]
        assert [e["path"] for e in index] == ["index.html", "index.csv", "verify.html"]
        assert PDF in zf.read("index.csv").decode("utf-8-sig")


def signed_pack(signer: PackSigner, files: dict[str, bytes] = ORIGINAL) -> bytes:
    """A pack as the builder makes one: the files, then the sealed manifest."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for path, data in files.items():
            zf.writestr(path, data)
        listed = [entry(path, data) for path, data in files.items()]
        about = {"pack_id": "pack-1", "created_at": "2026-12-07", "requested_by": "a", "scope": {}}
        manifest = {
            "format": FORMAT,
            "files": listed,
            "index": write_index(zf, [REPORT], listed, about),
            "reports": [REPORT],
            "audit": {"entries": [], "chain": {"intact": True}},
        }
        seal(zf, manifest, signer, "pack-1")
    return out.getvalue()


def rewritten(pack: bytes, before: Callable[[zipfile.ZipFile], None] = lambda zf: None) -> bytes:
    """The pack's entries copied into a new zip after what `before` writes first."""
    out = io.BytesIO()
    source, copy = zipfile.ZipFile(io.BytesIO(pack)), zipfile.ZipFile(out, "w")
    with source, copy, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "Duplicate name" is the point
        before(copy)
        for info in source.infolist():
            copy.writestr(info, source.read(info))
    return out.getvalue()


def with_entry(name: str, data: bytes = b"x", mode: int = 0o644) -> Callable[[bytes], bytes]:
    def craft(pack: bytes) -> bytes:
        info = zipfile.ZipInfo(name)
        info.create_system, info.external_attr = 3, mode << 16
        return rewritten(pack, lambda zf: zf.writestr(info, data))

    return craft


def changed(name: str) -> Callable[[bytes], bytes]:
    """The pack with one entry's bytes changed in place of the original."""

    def craft(pack: bytes) -> bytes:
        out = io.BytesIO()
        with zipfile.ZipFile(io.BytesIO(pack)) as source, zipfile.ZipFile(out, "w") as copy:
            for info in source.infolist():
                data = source.read(info)
                copy.writestr(info, data + b"<p>OK</p>" if info.filename == name else data)
        return out.getvalue()

    return craft


def forged_manifest(pack: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(pack)) as zf:
        forged = zf.read("manifest.json").replace(b'"intact": true', b'"intact": false')
    return with_entry("manifest.json", forged)(pack)


def appended(pack: bytes) -> bytes:
    return pack + b"PK\x03\x04 hidden after the end"


def commented(pack: bytes) -> bytes:
    out = io.BytesIO(pack)
    with zipfile.ZipFile(out, "a") as zf:
        zf.comment = b"unsigned words"
    return out.getvalue()


def bytes_between_entries(pack: bytes) -> bytes:
    def before(zf: zipfile.ZipFile) -> None:
        zf.writestr("files/R1/4.1/Q1/first.pdf", b"x")
        assert zf.fp is not None
        zf.fp.write(b"PK\x03\x04 bytes no entry owns")
        zf.start_dir = zf.fp.tell()

    return rewritten(pack, before)


def name_with_nul(pack: bytes) -> bytes:
    """Python's reader cuts a name at a NUL (and reads `x.pdf`); other readers do not."""
    return with_entry("files/R1/x.pdf_.exe")(pack).replace(b"x.pdf_.exe", b"x.pdf\0.exe")


def local_name_changed(pack: bytes) -> bytes:
    """The PDF's local header (the first place its name is written) names another file: a
    reader that walks the local headers sees that name, one that reads the directory this."""
    return pack.replace(PDF.encode(), PDF.replace("v1-", "v2-").encode(), 1)


CRAFTED: dict[str, tuple[Callable[[bytes], bytes], str]] = {
    "a changed copy of a PDF placed before the original": (
        with_entry(PDF, b"%PDF-1.7\n% changed\n%%EOF\n"),
        f"{PDF}: in the pack twice",
    ),
    "a forged manifest placed first": (forged_manifest, "manifest.json: in the pack twice"),
    "a second signature placed first": (
        with_entry("manifest.jws", b"e30.e30.e30"),
        "manifest.jws: in the pack twice",
    ),
    "a name differing only by case": (
        with_entry("Manifest.json", b"{}"),
        "beside Manifest.json (the same but for case or form)",
    ),
    "a name differing only by Unicode normalisation": (
        with_entry(unicodedata.normalize("NFD", PDF)),
        "(the same but for case or form)",
    ),
    "an absolute path": (with_entry("/etc/cron.d/x"), "/etc/cron.d/x: an absolute path"),
    "a path climbing out with ..": (
        with_entry("files/../../x.pdf"),
        "files/../../x.pdf: an absolute path, a backslash or a '.' or '..' step",
    ),
    "a backslash path": (with_entry("files\\x.pdf"), "a backslash"),
    "a drive letter": (with_entry("C:/x.pdf"), "C:/x.pdf: an absolute path"),
    "a symbolic link": (
        with_entry("files/R1/link", b"/etc/passwd", stat.S_IFLNK | 0o777),
        "files/R1/link: not a plain file",
    ),
    "a changed index": (changed("index.html"), "index.html: its bytes do not match"),
    "a changed key set": (changed("jwks.json"), "jwks.json: its bytes do not match"),
    "an entry not in the manifest": (
        with_entry("files/R1/4.1/Q1/extra.pdf"),
        "files/R1/4.1/Q1/extra.pdf: in the pack but not in the manifest",
    ),
    "bytes before the first entry": (lambda pack: b"MZ" + b"\0" * 62 + pack, "before the first"),
    "bytes after the end record": (appended, "bytes after the zip's end record"),
    "a zip comment": (commented, "bytes after the zip's end record"),
    "bytes between entries": (bytes_between_entries, "bytes between entries"),
    "a NUL in a name": (name_with_nul, "files/R1/x.pdf: its name holds a NUL"),
    "a local header naming another file": (local_name_changed, "its local header differs"),
}


def verifier(*args) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "services.evidence.verify_pack", *map(str, args)]
    return subprocess.run(command, capture_output=True, text=True, timeout=60)


def test_a_pack_made_as_the_builder_makes_one_is_intact(signer, tmp_path):
    path = tmp_path / "pack.zip"
    path.write_bytes(signed_pack(signer))
    result = verifier(path)
    assert (result.returncode, result.stdout.strip()) == (0, "intact")


def test_a_pack_whose_entries_are_copied_unchanged_into_a_new_zip_is_intact(signer, tmp_path):
    path = tmp_path / "pack.zip"
    path.write_bytes(rewritten(signed_pack(signer)))
    assert verifier(path).returncode == 0


def test_a_pack_made_before_the_manifest_listed_its_key_set_is_intact(signer, tmp_path):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr(PDF, ORIGINAL[PDF])
        manifest = canonical(
            {"files": [entry(PDF, ORIGINAL[PDF])], "audit": {"entries": []}, "reports": []}
        )
        zf.writestr("manifest.json", manifest)
        zf.writestr("manifest.jws", signer.sign(manifest, {"pack_id": "old"}))
        zf.writestr("jwks.json", canonical({"keys": [signer.jwk]}))
    path = tmp_path / "old.zip"
    path.write_bytes(out.getvalue())
    assert verifier(path).stdout.strip() == "intact"


@pytest.mark.parametrize("case", CRAFTED, ids=list(CRAFTED))
def test_an_ambiguous_pack_is_refused_naming_what_is_wrong(signer, tmp_path, case):
    craft, named = CRAFTED[case]
    path = tmp_path / "crafted.zip"
    path.write_bytes(craft(signed_pack(signer)))
    published = tmp_path / "published.json"  # the key set as identity publishes it
    published.write_bytes(canonical({"keys": [signer.jwk]}))
    result = verifier(path, "--jwks", published)
    assert result.returncode == 1, result.stdout
    assert result.stdout.startswith("NOT intact: ") and named in result.stdout, result.stdout


def test_python_reads_the_last_copy_so_the_duplicate_alone_would_pass_unnoticed(signer):
    """Why duplicates are refused before anything is read: the changed copy comes first."""
    craft, _named = CRAFTED["a changed copy of a PDF placed before the original"]
    with zipfile.ZipFile(io.BytesIO(craft(signed_pack(signer)))) as zf:
        first = next(i for i in zf.infolist() if i.filename == PDF)
        assert zf.read(PDF) == ORIGINAL[PDF] and zf.read(first) != ORIGINAL[PDF]


def verifier_in(locale: dict[str, str], pack) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "services.evidence.verify_pack", str(pack)]
    environment = {**os.environ, "LANG": "", "LC_ALL": "", "LC_MESSAGES": "", **locale}
    return subprocess.run(
        command, capture_output=True, text=True, encoding="utf-8", env=environment, timeout=60
    )


@pytest.mark.parametrize(
    ("locale", "said"),
    [
        ({"LANG": "th_TH.UTF-8"}, "ครบถ้วน ไม่ถูกแก้ไข"),
        ({"LANG": "en_US.UTF-8", "LC_ALL": "th_TH.UTF-8"}, "ครบถ้วน ไม่ถูกแก้ไข"),
        ({"LANG": "th_TH.UTF-8", "LC_ALL": "C.UTF-8"}, "intact"),
        ({}, "intact"),
    ],
)
def test_the_verifier_answers_in_thai_when_the_locale_is_thai(signer, tmp_path, locale, said):
    path = tmp_path / "pack.zip"
    path.write_bytes(signed_pack(signer))
    result = verifier_in(locale, path)
    assert (result.returncode, result.stdout.strip()) == (0, said)


@pytest.mark.parametrize(
    ("locale", "said"),
    [
        ({"LANG": "th_TH.UTF-8"}, f"ไม่ผ่านการตรวจ: {PDF}: ไฟล์ถูกแก้ไข: SHA-256 ไม่ตรงกับบัญชีรายการ"),
        (
            {"LANG": "C.UTF-8"},
            f"NOT intact: {PDF}: its bytes do not match the SHA-256 in the manifest",
        ),
    ],
)
def test_a_changed_file_is_named_in_the_locale_s_language(signer, tmp_path, locale, said):
    path = tmp_path / "pack.zip"
    path.write_bytes(changed(PDF)(signed_pack(signer)))
    result = verifier_in(locale, path)
    assert (result.returncode, result.stdout.strip()) == (1, said)
