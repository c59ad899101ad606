"""The Thai pages as people read them: history in sentences with names, dates and periods one
way, the department's own words, and no destructive step taken with one click."""

import re

from tests.portal.conftest import english_words, enter_as, go
from tests.portal.test_admin import free_year
from tests.portal.test_every_page import report_of
from tests.portal.test_living_demo import CURRENT

# "7 ธ.ค. 2569 14:05 น.": a Thai date, then the time in Thailand.
THAI_MOMENT = re.compile(r"\d{1,2} [ก-๙]{1,3}\.[ก-๙]{1,2}\. 25\d\d \d\d:\d\d น\.")


def test_a_reports_history_reads_as_sentences_with_names_times_and_short_sha256(demo, page):
    report = report_of(demo, "4.1", "Q1")
    admin = demo.session("admin")
    reporter = admin.get("/api/identity/users/reporter1").json()["display_name"]
    enter_as(page, "admin")
    page.goto(f"/reports/{report}")
    told = page.locator("#history").inner_text()
    assert f"{reporter} สร้างรายงานเมื่อ" in told
    assert THAI_MOMENT.search(told)
    assert re.search(r"แนบไฟล์ .+ \(SHA-256 [0-9a-f]{8}\)", told)
    assert "สถานะ: ร่าง → ส่งแล้ว" in told
    assert not any(code in told for code in ("'sha256'", "[{", "draft", "submitted", "reporter1"))
    assert english_words(page) == []

    enter_as(page, "auditor")
    page.goto(f"/reports/{report}/timeline")
    assert page.inner_text("h1").startswith("ลำดับเหตุการณ์ของ 4.1")
    timeline = page.locator("#timeline").inner_text()
    assert re.search(r"\(SHA-256 [0-9a-f]{8}\)", timeline) and "[{" not in timeline
    assert english_words(page) == []


def test_the_inbox_menu_and_forms_write_dates_periods_and_words_the_departments_way(demo, page):
    enter_as(page, "reporter1")
    page.goto("/inbox")
    assert page.inner_text("header a >> nth=0") == "งานของท่าน"
    shown = page.locator("#notifications tbody").inner_text()
    whens = page.locator("#notifications tbody td:first-child").all_inner_texts()
    assert whens and all(THAI_MOMENT.fullmatch(when.strip()) for when in whens)
    assert not re.search(r"/25\d\d", shown)
    assert english_words(page) == []

    page.goto(f"/kpis?year={CURRENT}")
    assert page.inner_text("table th >> nth=0") == "ตัวชี้วัดที่"
    cycles = set(page.locator("table tbody td:nth-child(4)").all_inner_texts())
    assert {"รายเดือน", "รายไตรมาส", "รายปี"} <= cycles
    assert not any(c.startswith("ทุก ") for c in cycles)
    assert english_words(page) == []

    page.goto(f"/dashboard?year={CURRENT}&unit=R1")
    scores = page.inner_text("#scores")
    assert "ด้านประสิทธิผลตามพันธกิจ" in scores and "P1" not in scores
    page.goto(f"/reports/new?year={CURRENT}&unit=R1&kpi=10.5&period=Y")
    assert "รางวัลจากหน่วยงานภายนอก" in page.inner_text("main")
    page.goto(f"/reports/new?year={CURRENT}&unit=R1&kpi=4.1&period=Q4")
    assert "ให้ดาวน์โหลดแบบฟอร์ม" in page.inner_text("main")


def test_a_year_closes_only_once_its_box_is_ticked(live, page):
    year = free_year(live)
    admin = live.session("admin")
    assert admin.post("/api/catalogue/years", json={"year": year, "copy_from": 2547}).ok
    assert admin.patch(f"/api/catalogue/years/{year}", json={"status": "open"}).ok
    enter_as(page, "admin")
    page.goto("/admin/years")
    assert page.locator("header").inner_text().count("การดูแลระบบ") == 1
    row = f"#years tr[data-year='{year}']"
    box = page.locator(f"{row} input[name=sure]")
    assert box.get_attribute("required") is not None
    # The browser will not send the form unticked; a sender that skips the page is refused too.
    box.evaluate("box => box.removeAttribute('required')")
    go(page, f"{row} button[value=closed]")
    assert page.inner_text("[role=alert]") == "ยังไม่ได้เปลี่ยนแปลงสิ่งใด: กรุณาทำเครื่องหมายยืนยันก่อน"
    assert admin.get(f"/api/catalogue/years/{year}").json()["status"] == "open"

    page.check(f"{row} input[name=sure]")
    go(page, f"{row} button[value=closed]")
    assert admin.get(f"/api/catalogue/years/{year}").json()["status"] == "closed"


def test_a_user_is_disabled_only_once_the_box_naming_them_is_ticked(live, page):
    username = f"leaver-{free_year(live)}"
    admin = live.session("admin")
    body = {"username": username, "display_name": "ผู้ย้ายออก", "password": "long-password-1"}
    assert admin.post("/api/identity/users", json=body).status_code == 201
    enter_as(page, "admin")
    listed = f"/admin/users?q={username}"
    page.goto(listed)
    row = f"#users tr[data-user='{username}']"
    box = page.locator(f"{row} input[name=sure]")
    assert box.get_attribute("required") is not None
    assert "ผู้ย้ายออก จะเข้าสู่ระบบไม่ได้อีก" in page.inner_text(row)
    box.evaluate("box => box.removeAttribute('required')")
    go(page, f"{row} button.danger")
    assert page.inner_text("[role=alert]") == "ยังไม่ได้เปลี่ยนแปลงสิ่งใด: กรุณาทำเครื่องหมายยืนยันก่อน"
    assert admin.get(f"/api/identity/users/{username}").json()["active"] is True

    page.goto(listed)
    page.check(f"{row} input[name=sure]")
    go(page, f"{row} button.danger")
    assert admin.get(f"/api/identity/users/{username}").json()["active"] is False
