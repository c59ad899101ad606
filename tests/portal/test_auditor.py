"""The auditor's journey: search, a report's timeline, an evidence pack checked offline."""

import subprocess
import sys
import zipfile

from tests.portal.conftest import YEAR, act, api_of, create_report, enter_as, go
from tests.portal.test_living_demo import CURRENT
from tests.waiting import eventually


def test_the_auditor_finds_approved_reports_of_a_unit_and_reads_a_timeline(demo, page):
    enter_as(page, "auditor")
    page.goto(f"/audit/search?year={CURRENT}")
    page.select_option("#unit", "R1")
    page.select_option("#state", "approved")
    go(page, "#search button")
    found = page.locator("#found-reports tbody tr")
    assert found.count() >= 1
    go(page, "#found-reports tbody tr >> nth=0 >> text=ลำดับเหตุการณ์")
    timeline = page.locator("#timeline").inner_text()
    assert "กลุ่มพัฒนาระบบบริหาร (ตัวอย่าง)" in timeline  # the reviewer, by name
    assert "ผู้อำนวยการ สปข.1 (ตัวอย่าง)" in timeline  # head1
    assert page.locator("#timeline .no-mark").count() == 0


def test_a_search_by_person_and_date_finds_their_evidence_files(demo, page):
    enter_as(page, "auditor")
    page.goto(f"/audit/search?year={CURRENT}&person=reporter1&date_from=2000-01-01")
    assert page.locator("#found-files tbody tr").count() >= 2
    assert "ผู้รายงาน สปข.1 (ตัวอย่าง)" in page.locator("#found-files").inner_text()


def test_the_auditor_builds_a_pack_the_verifier_accepts_and_refuses_once_changed(
    demo, pack_worker, page, tmp_path
):
    enter_as(page, "auditor")
    page.goto(f"/packs?year={CURRENT}")
    page.select_option("#pack-unit", "R1")
    go(page, "#build-pack")
    ready = page.locator("#pack-list tbody tr >> nth=0 >> a.download")

    def listed() -> bool:
        if ready.count():
            return True
        page.reload()
        return False

    eventually(listed, timeout=60, interval=1, what="the pack listed")
    pack = tmp_path / "pack.zip"
    pack.write_bytes(page.request.get(ready.get_attribute("href")).body())
    jwks = tmp_path / "jwks.json"
    jwks.write_text(page.request.get("/api/identity/jwks.json").text())
    check = [sys.executable, "-m", "services.evidence.verify_pack"]
    accepted = subprocess.run([*check, pack, "--jwks", jwks], capture_output=True, text=True)
    assert (accepted.returncode, accepted.stdout.strip()) == (0, "intact")

    with zipfile.ZipFile(pack) as opened:
        info = next(i for i in opened.infolist() if i.filename.startswith("files/"))
    data = bytearray(pack.read_bytes())
    data[info.header_offset + 30 + len(info.filename.encode()) + len(info.extra) + 10] ^= 1
    pack.write_bytes(bytes(data))
    refused = subprocess.run([*check, pack, "--jwks", jwks], capture_output=True, text=True)
    assert refused.returncode == 1 and info.filename in refused.stdout


def endorsed_and_draft(live, team) -> dict:
    """The team's 2.1 of M07 endorsed by its head (returned) and of M08 only created."""
    reporter = api_of(live, team.reporter, team.password)
    endorsed = create_report(reporter, team.unit, "2.1", "M07")
    act(reporter, endorsed, "submit")
    act(api_of(live, team.head, team.password), endorsed, "endorse")
    create_report(reporter, team.unit, "2.1", "M08")
    return endorsed


def test_a_search_by_person_finds_the_reports_they_endorsed_not_only_created(live, page, team):
    endorsed = endorsed_and_draft(live, team)
    enter_as(page, "auditor")
    page.goto(f"/audit/search?year={YEAR}&unit={team.unit}&person={team.head}")
    rows = page.locator("#found-reports tbody tr")
    assert rows.count() == 1
    assert rows.first.get_attribute("data-report") == endorsed["id"]
    page.fill("#person", team.reporter)
    go(page, "#search button")
    assert page.input_value("#person") == team.reporter
    assert page.locator("#found-reports tbody tr").count() == 2


def test_the_auditor_finds_reports_by_typing_part_of_a_display_name(live, page, team):
    endorsed = endorsed_and_draft(live, team)
    enter_as(page, "auditor")
    page.goto(f"/audit/search?year={YEAR}&unit={team.unit}")
    page.fill("#person", f"หน่วยงาน {team.unit}")  # part of the head's "หัวหน้าหน่วยงาน <unit>"
    go(page, "#search button")
    rows = page.locator("#found-reports tbody tr")
    assert rows.count() == 1
    assert rows.first.get_attribute("data-report") == endorsed["id"]
    assert page.input_value("#person") == f"หน่วยงาน {team.unit}"
