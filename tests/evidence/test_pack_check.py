"""An auditor sends a pack's zip to the evidence service and reads the verdict: the signature
against identity's published keys, each file's state, the problems worded in Thai and English.
A zip two readers could read differently, or one too large to read, is not read at all."""

from __future__ import annotations

import io
import zipfile

import pytest

from common.auth import AUDITOR, REVIEWER, Principal, new_private_key_pem
from common.errors import Forbidden, PayloadTooLarge
from services.evidence.packs import check_pack
from services.evidence.signing import PackSigner
from tests.evidence.test_packs import pack_file  # noqa: F401 - the fixture
from tests.evidence.test_verify_pack import CRAFTED, PDF, signed_pack

CHECK = "/api/evidence/packs/verification"
ZIP = {"Content-Type": "application/zip"}


def sent(http, data: bytes) -> dict:
    resp = http.post(CHECK, data=data, headers=ZIP)
    assert resp.status_code == 200, resp.text
    return resp.json()


def one_byte_changed(path, suffix: str) -> tuple[bytes, str]:
    """The zip with one byte of its first file of that kind flipped, and that file's name."""
    with zipfile.ZipFile(path) as pack:
        info = next(i for i in pack.infolist() if i.filename.endswith(suffix))
    data = bytearray(path.read_bytes())
    data[info.header_offset + 30 + len(info.filename.encode()) + len(info.extra) + 50] ^= 1
    return bytes(data), info.filename


def test_a_fresh_pack_is_intact_signed_by_a_published_key_with_every_file_ok(demo, pack_file):  # noqa: F811
    _pack, path, _jwks = pack_file
    verdict = sent(demo.session("auditor"), path.read_bytes())
    manifest = zipfile.ZipFile(path).read("manifest.json")
    assert (verdict["intact"], verdict["signature"], verdict["audit"]) == (True, "valid", "intact")
    assert verdict["problems"] == [] and verdict["key_id"]
    assert {f["state"] for f in verdict["files"]} == {"ok"}
    assert all(f["path"].encode() in manifest for f in verdict["files"])


def test_one_changed_byte_names_that_file_alone_and_the_signature_still_holds(demo, pack_file):  # noqa: F811
    _pack, path, _jwks = pack_file
    data, name = one_byte_changed(path, ".pdf")
    verdict = sent(demo.session("auditor"), data)
    assert (verdict["intact"], verdict["signature"]) == (False, "valid")
    assert [f["path"] for f in verdict["files"] if f["state"] != "ok"] == [name]
    assert [(p["subject"], p["problem"]) for p in verdict["problems"]] == [(name, "changed")]
    assert verdict["problems"][0]["text"]["th"] == f"{name}: ไฟล์ถูกแก้ไข: SHA-256 ไม่ตรงกับบัญชีรายการ"


def test_the_zip_may_come_as_the_pack_part_of_a_form(demo, pack_file):  # noqa: F811
    _pack, path, _jwks = pack_file
    resp = demo.session("auditor").post(CHECK, files={"pack": ("pack.zip", path.read_bytes())})
    assert resp.status_code == 200, resp.text
    assert resp.json()["intact"] is True


def test_a_pack_signed_by_a_key_identity_does_not_publish_is_refused(demo):
    verdict = sent(demo.session("auditor"), signed_pack(PackSigner(new_private_key_pem())))
    assert (verdict["intact"], verdict["signature"]) == (False, "invalid")
    assert verdict["problems"][0]["problem"] == "unknown-key"


def test_an_ambiguous_zip_is_refused_and_not_read(demo):
    craft, _named = CRAFTED["a changed copy of a PDF placed before the original"]
    verdict = sent(demo.session("auditor"), craft(signed_pack(PackSigner(new_private_key_pem()))))
    assert (verdict["intact"], verdict["signature"], verdict["files"]) == (False, "unchecked", [])
    assert [(p["subject"], p["problem"]) for p in verdict["problems"]] == [(PDF, "twice")]


def test_a_file_that_is_no_zip_is_not_a_pack(demo):
    verdict = sent(demo.session("auditor"), b"%PDF-1.7 not a zip")
    assert [p["problem"] for p in verdict["problems"]] == ["not-a-pack"]
    assert verdict["problems"][0]["text"]["th"] == "pack.zip: ไม่ใช่ชุดหลักฐานที่อ่านได้"


@pytest.mark.parametrize(
    ("user", "body", "headers", "status"),
    [
        ("reviewer", b"PK", ZIP, 403),
        ("reporter1", b"PK", ZIP, 403),
        ("auditor", b"PK", {"Content-Type": "text/plain"}, 415),
        ("auditor", b"", ZIP, 422),
        ("auditor", b"--x--\r\n", {"Content-Type": "multipart/form-data; boundary=x"}, 422),
    ],
)
def test_only_an_auditor_sends_a_zip_and_a_refusal_is_a_problem(demo, user, body, headers, status):
    resp = demo.session(user).post(CHECK, data=body, headers=headers)
    assert resp.status_code == status, resp.text
    assert resp.headers["Content-Type"] == "application/problem+json"


AUDITOR_ONLY = Principal(user_id="a", username="a", roles=frozenset({AUDITOR}))
NO_KEYS: dict = {"keys": []}


def test_a_zip_larger_than_the_limit_is_refused_before_it_is_read():
    with pytest.raises(PayloadTooLarge):
        check_pack(AUDITOR_ONLY, io.BytesIO(b"PK" * 600), 1000, lambda: NO_KEYS)


def test_a_zip_unpacking_to_far_more_than_its_size_is_not_hashed():
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("files/R1/zeros.pdf", b"\0" * 20_000_000)
    bomb.seek(0)
    verdict = check_pack(AUDITOR_ONLY, bomb, 1_000_000, lambda: NO_KEYS)
    assert [p["problem"] for p in verdict["problems"]] == ["too-large"]


def test_a_reviewer_may_not_check_a_pack_here():
    reviewer = Principal(user_id="r", username="r", roles=frozenset({REVIEWER}))
    with pytest.raises(Forbidden):
        check_pack(reviewer, io.BytesIO(b"PK"), 1000, lambda: NO_KEYS)


def unreadable_entry(method: int, flags: int) -> bytes:
    """A zip of one manifest.json whose local and central headers name `method` and `flags`."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("manifest.json", b"{}")
    data = bytearray(out.getvalue())
    for at in (6, data.index(b"PK\x01\x02") + 8):  # the flags, then the method
        data[at : at + 2] = flags.to_bytes(2, "little")
        data[at + 2 : at + 4] = method.to_bytes(2, "little")
    return bytes(data)


@pytest.mark.parametrize(
    ("method", "flags"), [(99, 0), (0, 1), (8, 0)], ids=["method", "encrypted", "deflate"]
)
def test_an_entry_python_cannot_read_makes_no_pack_not_a_failure(method, flags):
    verdict = check_pack(
        AUDITOR_ONLY, io.BytesIO(unreadable_entry(method, flags)), 10_000, lambda: NO_KEYS
    )
    assert verdict["intact"] is False and verdict["problems"][0]["problem"] == "not-a-pack"
