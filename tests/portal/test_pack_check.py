"""The auditor's page where a pack's zip is dropped: the verdict in Thai, the signature, each
file's result, and a file changed by one byte named (HTTP only; the browser's drop is in the
auditor's journey)."""

from __future__ import annotations

import re
from html import unescape

import pytest

from tests.evidence.test_pack_check import one_byte_changed
from tests.evidence.test_packs import CURRENT, PACKS, built
from tests.portal.test_home import portal_of

# A word of English in the page's text: Latin letters, not part of a code or a file's name.
ENGLISH = re.compile(r"(?<![\w.\-/@])[A-Za-z][a-z]{2,}(?![\w.\-/@])")


@pytest.fixture(scope="module")
def pack_zip(demo, pack_worker, tmp_path_factory):
    auditor = demo.session("auditor")
    pack = built(auditor, {"year": CURRENT, "unit": "R1", "kpi": "4.1"})
    assert pack["state"] == "ready", pack["error"]
    path = tmp_path_factory.mktemp("pack") / "pack.zip"
    path.write_bytes(auditor.get(f"{PACKS}/{pack['id']}/content").content)
    return path


def dropped(web, data: bytes) -> str:
    form = web.get("/packs/check").text
    csrf = re.search(r'action="/packs/check\?csrf=([^"]+)"', form).group(1)
    answer = web.post(f"/packs/check?csrf={csrf}", files={"pack": ("ชุด.zip", data)})
    assert answer.status_code == 200, answer.text
    return answer.text


def text_of(html: str) -> str:
    main = html[html.index("<main") : html.index("</main>")]
    return unescape(re.sub(r"<[^>]+>", " ", main))


def test_an_intact_pack_reads_intact_in_thai_with_every_file_matching(demo, pack_zip):
    page = dropped(portal_of(demo, "auditor"), pack_zip.read_bytes())
    assert "ครบถ้วน: ไม่มีสิ่งใดในชุดหลักฐานถูกแก้ไขหลังลงลายมือชื่อ" in page
    assert 'id="signature" data-state="valid"' in page
    assert page.count('<tr data-state="ok">') >= 3 and 'data-state="changed"' not in page
    assert ENGLISH.findall(text_of(page)) == []


def test_a_pack_with_one_byte_changed_names_that_file_in_thai(demo, pack_zip):
    data, name = one_byte_changed(pack_zip, ".pdf")
    page = dropped(portal_of(demo, "auditor"), data)
    assert "ไม่ผ่านการตรวจ: ชุดหลักฐานไม่ตรงกับที่ลงลายมือชื่อไว้" in page
    changed = re.findall(r'<tr data-state="changed">\s*<td[^>]*>([^<]+)</td>', page)
    assert [unescape(c) for c in changed] == [name]
    assert f"{name}: ไฟล์ถูกแก้ไข: SHA-256 ไม่ตรงกับบัญชีรายการ" in unescape(page)
    assert ENGLISH.findall(text_of(page)) == []


def test_a_file_that_is_no_zip_reads_not_a_pack(demo):
    page = dropped(portal_of(demo, "auditor"), b"not a zip at all")
    assert "ไม่ใช่ชุดหลักฐานที่อ่านได้" in page and 'data-state="unchecked"' in page


def test_the_page_is_the_auditors_alone(demo):
    assert portal_of(demo, "reviewer").get("/packs/check").status_code == 404
