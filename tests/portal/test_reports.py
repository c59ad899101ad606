"""Reports through the web UI: a list KPI typed in and counted, then up the approval chain."""

from tests.portal.conftest import (
    WORKFLOW,
    act,
    agencies,
    api_of,
    create_report,
    enter_as,
    fill_date,
    go,
    sign_in,
)


def test_a_reporter_types_a_2_2_report_and_a_repeated_agency_counts_once(page, team):
    enter_as(page, team.reporter, team.password)
    page.goto(f"/reports/new?year=2547&unit={team.unit}&kpi=2.2&period=M03")
    rows = [
        ("สำนักงาน ก.พ.ร.", "2003-12-03"),
        ("สำนักงาน  ก.พ.ร.", "2003-12-18"),
        ("กรมการปกครอง", "2003-12-20"),
    ]
    for index, (agency, day) in enumerate(rows):
        if index:
            page.click("#add-row")  # in the page: no round trip
        page.fill(f"[name=items-{index}-agency]", agency)
        fill_date(page, f"items-{index}-date", day)
    go(page, "#save")

    assert "/reports/" in page.url and "/new" not in page.url
    assert page.locator("#value strong").inner_text() == "2"
    assert page.locator("#items tbody tr.counted").count() == 2
    repeat = page.locator("#items tbody tr").nth(1)
    assert "ไม่นับ" in repeat.inner_text()
    assert "ซ้ำกับรายการที่ 1" in repeat.inner_text()


def test_a_field_the_api_refuses_is_marked_in_thai_and_nothing_is_saved(page, live, team):
    enter_as(page, team.reporter, team.password)
    page.goto(f"/reports/new?year=2547&unit={team.unit}&kpi=2.2&period=M04")
    page.fill("[name=items-0-agency]", "กรมประชาสัมพันธ์")
    go(page, "#save")

    assert "ยังไม่ได้บันทึกรายงาน" in page.locator("#errors").inner_text()
    assert page.locator('[data-field="items.0.date"]').inner_text() == "ต้องกรอก"
    assert page.input_value("[name=items-0-agency]") == "กรมประชาสัมพันธ์"
    reporter = api_of(live, team.reporter, team.password)
    assert reporter.get(f"{WORKFLOW}/reports", params={"unit": team.unit}).json() == []


def test_a_reporter_submits_a_draft_from_its_page(page, live, team):
    reporter = api_of(live, team.reporter, team.password)
    report = create_report(
        reporter, team.unit, "2.2", "M05", items=agencies(("อสมท", "2004-02-02"))
    )
    enter_as(page, team.reporter, team.password)
    page.goto(f"/reports/{report['id']}")
    go(page, "#actions button[value=submit]")

    assert page.locator("#state").inner_text() == "ส่งแล้ว"
    assert reporter.get(f"{WORKFLOW}/reports/{report['id']}").json()["state"] == "submitted"


def test_the_unit_head_endorses_a_submitted_report_from_the_home_page(page, live, team):
    reporter = api_of(live, team.reporter, team.password)
    report = create_report(
        reporter, team.unit, "2.2", "M06", items=agencies(("อสมท", "2004-03-02"))
    )
    act(reporter, report, "submit")
    sign_in(page, team.head, team.password)
    page.check(f"input[name=report][value^='{report['id']}:']")
    go(page, "text=รับรองรายงานที่เลือก")

    assert "ดำเนินการแล้ว 1 รายงาน" in page.locator("[role=status]").inner_text()
    assert reporter.get(f"{WORKFLOW}/reports/{report['id']}").json()["state"] == "endorsed"


def test_the_reviewer_approves_an_endorsed_report_from_its_page(page, live, team):
    reporter, head = (
        api_of(live, team.reporter, team.password),
        api_of(live, team.head, team.password),
    )
    report = create_report(
        reporter, team.unit, "2.2", "M07", items=agencies(("อสมท", "2004-04-02"))
    )
    act(reporter, report, "submit")
    act(head, report, "endorse")
    enter_as(page, "reviewer")
    page.goto(f"/reports/{report['id']}")
    go(page, "#actions button[value=approve]")

    assert page.locator("#state").inner_text() == "อนุมัติแล้ว"
    assert page.locator("#actions").count() == 0


def test_a_return_without_a_comment_is_refused_with_a_message(page, live, team):
    reporter = api_of(live, team.reporter, team.password)
    report = create_report(
        reporter, team.unit, "2.2", "M08", items=agencies(("อสมท", "2004-05-02"))
    )
    act(reporter, report, "submit")
    enter_as(page, team.head, team.password)
    page.goto(f"/reports/{report['id']}")
    comment = page.locator("#comment-return")
    assert comment.get_attribute("required") is not None
    comment.evaluate("box => box.removeAttribute('required')")
    go(page, "button[value=return]")

    assert "ต้องระบุเหตุผล" in page.locator("[role=alert]").inner_text()
    assert page.locator("#state").inner_text() == "ส่งแล้ว"


def test_a_reporter_is_offered_only_the_actions_of_their_role(page, live, team):
    reporter = api_of(live, team.reporter, team.password)
    report = create_report(
        reporter, team.unit, "2.2", "M09", items=agencies(("อสมท", "2004-06-02"))
    )
    act(reporter, report, "submit")
    enter_as(page, team.reporter, team.password)
    page.goto(f"/reports/{report['id']}")

    assert page.locator("#actions").count() == 0
    assert page.locator("text=แก้ไขรายงาน").count() == 0


def test_another_units_user_gets_the_html_not_found_page_for_a_report(page, live, team):
    reporter = api_of(live, team.reporter, team.password)
    report = create_report(
        reporter, team.unit, "2.2", "M10", items=agencies(("อสมท", "2004-07-02"))
    )
    sign_in(page, "reporter2")
    response = page.goto(f"/reports/{report['id']}")

    assert response.status == 404
    assert response.headers["content-type"].startswith("text/html")
    assert page.locator("h1").inner_text() == "ไม่พบหน้าที่ต้องการ"


def test_a_kpi_the_unit_does_not_type_is_refused_in_thai_only(page):
    enter_as(page, "reporter1")
    page.goto("/reports/new?year=2547&unit=R1&kpi=3.1&period=M01")
    refusal = page.locator("main .flash-error[role=alert]").first.inner_text()
    assert "นำเข้าโดยกลุ่มพัฒนาระบบบริหาร" in refusal
    assert not any(word in refusal for word in ("KPI", "feed", "reported", "system"))
