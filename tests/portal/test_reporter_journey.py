"""The reporter's journey: a filled form uploaded with progress, saved, submitted; the head
endorses it; a refused file says why in Thai; the count is previewed before saving."""

from deploy.demo_activity import fill_form
from tests.portal.conftest import enter_as, fill_date, go, sign_in
from tests.portal.test_living_demo import CURRENT


def test_the_reporter_uploads_a_filled_form_and_submits_then_the_head_endorses(
    demo, page, browser, tmp_path
):
    enter_as(page, "reporter1")
    page.goto(f"/reports/new?year={CURRENT}&unit=R1&kpi=7.1&period=Y")
    blank = page.request.get(page.get_attribute("#download-form", "href")).body()
    filled = tmp_path / "แบบฟอร์ม 7.1.docx"
    filled.write_bytes(fill_form(blank))
    page.set_input_files("#file", str(filled))
    go(page, "#upload button[type=submit]")
    assert "บันทึกไฟล์" in page.locator("[role=status]").first.inner_text()
    go(page, "#save-submit")
    assert page.locator("#state").inner_text() == "ส่งแล้ว"
    report_id = page.url.rsplit("/", 1)[1]

    head = browser.new_context(base_url=demo.url, locale="th-TH").new_page()
    sign_in(head, "head1")
    head.check(f"input[name=report][value^='{report_id}:']")
    go(head, "text=รับรองรายงานที่เลือก")
    assert "ดำเนินการแล้ว 1 รายงาน" in head.locator("[role=status]").inner_text()
    head.context.close()


def test_a_refused_upload_says_why_in_thai(demo, page, tmp_path):
    enter_as(page, "reporter1")
    page.goto(f"/reports/new?year={CURRENT}&unit=R1&kpi=9.3&period=Q3")
    fake = tmp_path / "หนังสือ.pdf"
    fake.write_text("not a pdf at all")
    page.set_input_files("#file", str(fake))
    go(page, "#upload button[type=submit]")
    said = page.locator("[role=alert]").all_inner_texts()
    assert any("เนื้อหาของไฟล์ไม่ตรงกับชนิด" in text for text in said)


def test_the_count_is_previewed_before_saving_and_nothing_is_saved(demo, page):
    enter_as(page, "reporter2")
    page.goto(f"/reports/new?year={CURRENT}&unit=R2&kpi=2.2&period=M03")
    for index, agency in enumerate(("กรมการปกครอง", "กรมการปกครอง")):
        if index:
            page.click("#add-row")  # in the page: no round trip
        page.fill(f"[name=items-{index}-agency]", agency)
        fill_date(page, f"items-{index}-date", f"{CURRENT - 544}-12-1{index + 1}")
    go(page, "#preview-count")
    assert page.locator("#preview-value").inner_text() == "1"
    assert page.locator("#preview li.not-counted").count() == 1
    listed = demo.session("reporter2").get(
        "/api/workflow/reports",
        params={"year": CURRENT, "unit": "R2", "kpi": "2.2", "period": "M03"},
    )
    assert listed.json() == []
