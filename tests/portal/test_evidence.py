"""Evidence KPIs through the portal: the prefilled form, uploads and downloads."""

import hashlib
from pathlib import Path

from tests.evidence import samples
from tests.portal.conftest import api_of, create_report, enter_as, go

FORM_MARKS = {1: "คำสั่ง", 2: "แผน", 3: "รายงานผล"}
PROCESSES = [("ออกหนังสือรับรอง", 60, 10, 5), ("ตอบข้อร้องเรียน", 40, 20, 18)]
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def test_the_4_1_form_downloads_prefilled_for_the_unit_and_period(page, team):
    enter_as(page, team.reporter, team.password)
    page.goto(f"/reports/new?year=2547&unit={team.unit}&kpi=4.1&period=Q1")
    with page.expect_download() as download:
        page.click("#download-form")

    assert download.value.suggested_filename.endswith(".docx")
    text = samples.docx_text(Path(download.value.path()).read_bytes())
    assert team.unit in text and "2547" in text


def test_an_uploaded_form_appears_on_the_report_with_its_hash_and_level(page, live, team):
    reporter = api_of(live, team.reporter, team.password)
    report = create_report(reporter, team.unit, "4.1", "Q2")
    form = reporter.get(
        "/api/evidence/templates/2547/4.1", params={"unit": team.unit, "period": "Q2"}
    )
    filled = samples.fill_form(form.content, FORM_MARKS, PROCESSES)
    enter_as(page, team.reporter, team.password)
    page.goto(f"/reports/{report['id']}")
    page.set_input_files(
        "#file", files=[{"name": "แบบ 4.1.docx", "mimeType": DOCX, "buffer": filled}]
    )
    go(page, "#upload button[type=submit]")

    row = page.locator("#evidence tbody tr")
    assert row.count() == 1
    assert hashlib.sha256(filled).hexdigest() in row.inner_text()
    assert page.locator("#value strong").inner_text() == "ระดับ 3"


def test_an_evidence_file_downloads_through_the_portal_byte_for_byte(page, live, team):
    reporter = api_of(live, team.reporter, team.password)
    content = samples.docx_file("หลักฐานการดำเนินงาน 7.1")
    fields = {"unit": team.unit, "year": "2547", "kpi": "7.1", "period": "Y"}
    stored = reporter.post(
        "/api/evidence/files", data=fields, files={"file": ("หลักฐาน.docx", content, DOCX)}
    ).json()
    report = create_report(reporter, team.unit, "7.1", "Y", evidence_ids=[stored["id"]], value=2)
    enter_as(page, team.reporter, team.password)
    page.goto(f"/reports/{report['id']}")
    with page.expect_download() as download:
        page.click("#evidence a")

    assert Path(download.value.path()).read_bytes() == content


def test_a_blank_9_3_form_warns_at_upload_and_submit_says_why_in_thai(page, live, team):
    reporter = api_of(live, team.reporter, team.password)
    report = create_report(reporter, team.unit, "9.3", "Q1")
    blank = reporter.get(
        "/api/evidence/templates/2547/9.3", params={"unit": team.unit, "period": "Q1"}
    ).content
    enter_as(page, team.reporter, team.password)
    page.goto(f"/reports/{report['id']}")
    page.set_input_files(
        "#file", files=[{"name": "แบบ 9.3.docx", "mimeType": DOCX, "buffer": blank}]
    )
    go(page, "#upload button[type=submit]")

    assert "แบบฟอร์มนี้ยังไม่ได้กรอกข้อมูล" in page.locator(".flash-error").inner_text()
    assert "ยังไม่ได้กรอกข้อมูล" in page.locator("#value-problem").inner_text()
    go(page, "#actions button[value=submit]")
    refused = page.locator(".flash-error").inner_text()
    assert "แบบฟอร์มล่าสุดยังไม่ได้กรอกข้อมูล" in refused
