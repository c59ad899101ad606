"""The pack's own verifier page, opened from the unzipped folder in Chromium (file://): it
checks the manifest's signature and every file's SHA-256 and names what does not match.
The pack is the crafted one of `test_verify_pack` (a test key, no backend)."""

from __future__ import annotations

import io
import zipfile

import pytest
from playwright.sync_api import expect

from common.auth import new_private_key_pem
from services.evidence.signing import PackSigner
from tests.evidence.test_verify_pack import PDF, signed_pack

pytestmark = pytest.mark.browser


@pytest.fixture
def unzipped(tmp_path):
    folder = tmp_path / "pack-1"
    with zipfile.ZipFile(io.BytesIO(signed_pack(PackSigner(new_private_key_pem())))) as zf:
        zf.extractall(folder)
    return folder


def verdict(browser, folder) -> tuple[str, list[str]]:
    """Open verify.html from the folder, choose the folder, and read the verdict and problems."""
    page = browser.new_page()
    try:
        page.goto((folder / "verify.html").as_uri())
        page.set_input_files("#folder", folder)
        expect(page.locator("#verdict")).not_to_have_text("")
        expect(page.locator("#verdict")).not_to_have_text("กำลังตรวจ…")
        return page.inner_text("#verdict"), page.locator("#problems li").all_inner_texts()
    finally:
        page.close()


def test_an_unchanged_unzipped_pack_reads_intact(browser, unzipped):
    assert verdict(browser, unzipped) == ("ครบถ้วน ไม่ถูกแก้ไข", [])


def test_a_pdf_with_one_byte_changed_is_named(browser, unzipped):
    pdf = unzipped / PDF
    data = bytearray(pdf.read_bytes())
    data[-3] ^= 1
    pdf.write_bytes(bytes(data))
    assert verdict(browser, unzipped) == (
        "ไม่ผ่านการตรวจ",
        [f"ไฟล์ถูกแก้ไข (SHA-256 ไม่ตรงกับบัญชีรายการ): {PDF}"],
    )


def test_a_missing_file_and_an_extra_one_are_each_named(browser, unzipped):
    (unzipped / PDF).unlink()
    (unzipped / "files" / "note.txt").write_text("added later")
    assert verdict(browser, unzipped)[1] == [
        f"ไม่มีไฟล์ที่บัญชีรายการระบุ: {PDF}",
        "มีไฟล์ที่บัญชีรายการไม่ได้ระบุ: files/note.txt",
    ]


def test_a_changed_manifest_fails_its_signature(browser, unzipped):
    manifest = unzipped / "manifest.json"
    manifest.write_bytes(manifest.read_bytes().replace(b'"approved"', b'"returned"', 1))
    assert verdict(browser, unzipped)[1] == ["manifest.json ไม่ใช่บัญชีรายการฉบับที่ลงลายมือชื่อไว้"]


def test_a_signature_made_by_another_key_is_refused(browser, unzipped):
    token = unzipped / "manifest.jws"
    head, body, _signature = token.read_text().split(".")
    forged = PackSigner(new_private_key_pem()).sign(b"", {}).split(".")[2]
    token.write_text(f"{head}.{body}.{forged}")
    assert verdict(browser, unzipped)[1] == ["ลายมือชื่อดิจิทัลของบัญชีรายการไม่ถูกต้อง"]


def test_the_english_switch_says_the_verdict_in_english(browser, unzipped):
    page = browser.new_page()
    try:
        page.goto((unzipped / "verify.html").as_uri())
        page.set_input_files("#folder", unzipped)
        expect(page.locator("#verdict")).to_have_text("ครบถ้วน ไม่ถูกแก้ไข")
        page.click("#language")
        expect(page.locator("#verdict")).to_have_text("Intact, unchanged")
        assert page.evaluate("document.documentElement.lang") == "en"
    finally:
        page.close()
