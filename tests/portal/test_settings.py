"""The stand-ins page (delegations) and the notification settings page."""

from datetime import timedelta

from services.portal.thai import today_here
from tests.portal.conftest import WORKFLOW, api_of, enter_as, fill_date, go, sign_in

PREFERENCES = "/api/notifications/preferences"


def test_a_unit_head_names_the_reporter_as_stand_in_then_ends_it(page, live, team):
    sign_in(page, team.head, team.password)
    go(page, "#nav-delegations")
    today = today_here()
    page.fill("#delegate", team.reporter)
    fill_date(page, "starts_on", today.isoformat())  # day, month and BE year
    fill_date(page, "ends_on", (today + timedelta(days=7)).isoformat())
    go(page, "#name-stand-in")

    row = page.locator(f"#delegations tr[data-delegate='{team.reporter}']")
    assert row.get_attribute("class") == "active"
    assert "มีผลอยู่" in row.inner_text()
    go(page, f"#delegations tr[data-delegate='{team.reporter}'] button.revoke")

    assert row.get_attribute("class") == "revoked"
    head = api_of(live, team.head, team.password)
    assert head.get(f"{WORKFLOW}/delegations", params={"active": "true"}).json() == []


def test_a_stand_in_the_api_refuses_is_marked_next_to_its_field(page, team):
    enter_as(page, team.head, team.password)
    page.goto("/delegations")
    today = today_here().isoformat()
    page.fill("#delegate", team.head)
    fill_date(page, "starts_on", today)
    fill_date(page, "ends_on", today)
    go(page, "#name-stand-in")

    assert page.locator('[data-field="delegate"]').inner_text() == "ต้องระบุผู้อื่นที่ไม่ใช่ตัวท่านเอง"
    assert page.locator("#delegations").count() == 0


def test_a_date_that_is_not_in_the_calendar_is_said_in_thai_on_its_field_as_typed(page, team):
    enter_as(page, team.head, team.password)
    page.goto("/delegations")
    page.fill("#delegate", team.reporter)
    fill_date(page, "starts_on", today_here().isoformat())
    page.fill("[name='ends_on-day']", "31")
    page.select_option("[name='ends_on-month']", "2")
    page.fill("[name='ends_on-year']", "2570")
    go(page, "#name-stand-in")

    assert page.locator('[data-field="ends_on"]').inner_text() == "ไม่มีวันที่นี้ในปฏิทิน"
    assert page.input_value("[name='ends_on-day']") == "31"  # kept as typed
    assert page.input_value("[name='ends_on-year']") == "2570"
    assert page.input_value("#delegate") == team.reporter
    months = page.locator("[name='starts_on-month'] option").all_inner_texts()
    assert "กุมภาพันธ์" in months


def test_a_user_switches_one_kind_to_the_daily_digest(page, live, team):
    enter_as(page, team.reporter, team.password)
    page.goto("/inbox")
    go(page, "#notification-settings")
    page.check("tr[data-kind=returned] input[value=digest]")
    go(page, "#save-preferences")

    assert page.is_checked("tr[data-kind=returned] input[value=digest]")
    reporter = api_of(live, team.reporter, team.password)
    assert reporter.get(PREFERENCES).json()["returned"] == "digest"


def test_both_pages_speak_english_after_the_switch(page, team):
    sign_in(page, team.head, team.password)
    go(page, "header >> text=English")
    said = {}
    for path, selector in (("/delegations", "h1"), ("/settings/notifications", "h1")):
        page.goto(path)
        said[path] = (page.locator("html").get_attribute("lang"), page.inner_text(selector))
    assert said == {
        "/delegations": ("en", "Stand-ins"),
        "/settings/notifications": ("en", "Notification settings"),
    }
