"""Rows of a form added and removed in the page (portal.js, under the strict CSP) or, without
script, by the server; dates typed as day, month and Buddhist Era year."""

import pytest

from services.portal import thai
from tests.portal.conftest import enter_as, fill_date, go


@pytest.mark.parametrize(
    ("day", "month", "year", "expected"),
    [
        ("3", "12", "2546", ("2003-12-03", None)),
        ("29", "2", "2547", ("2004-02-29", None)),
        ("29", "2", "2546", ("29/2/2546", "no_such_day")),
        ("3", "12", "2003", ("3/12/2003", "not_a_date")),  # a Christian Era year
        ("3", "", "2546", ("3//2546", "incomplete")),
        ("", "", "", ("", None)),
    ],
)
def test_a_be_date_typed_in_three_fields_is_an_iso_date_or_says_what_is_wrong(
    day, month, year, expected
):
    typed = {"d-day": day, "d-month": month, "d-year": year}
    assert thai.typed_date(typed, "d") == expected


def test_a_refused_date_is_shown_again_as_typed_and_an_iso_date_in_be():
    assert thai.date_parts("29/2/2546") == {"day": "29", "month": "2", "year": "2546"}
    assert thai.date_parts("2003-12-03") == {"day": "3", "month": "12", "year": "2546"}
    assert thai.date_parts(None) == {"day": "", "month": "", "year": ""}


def test_rows_are_added_and_removed_in_the_page_without_a_round_trip(page, team):
    enter_as(page, team.reporter, team.password)
    page.goto(f"/reports/new?year=2547&unit={team.unit}&kpi=2.2&period=M02")
    page.evaluate("window.stayed = true")  # gone if the page were loaded again
    for _row in range(2):
        page.click("#add-row")
    assert page.locator("#item-rows tbody tr").count() == 3
    assert page.evaluate("window.stayed") is True
    assert page.locator("[name=items-2-agency]").count() == 1  # numbered on
    page.fill("[name=items-1-agency]", "กรมการปกครอง")
    fill_date(page, "items-1-date", "2003-11-05")
    page.fill("[name=items-2-agency]", "กรมที่ดิน")
    page.click("#item-rows tbody tr:nth-child(1) [data-remove-row]")
    assert page.locator("#item-rows tbody tr").count() == 2
    assert page.locator(".row-number").all_inner_texts() == ["1", "2"]
    assert page.evaluate("window.stayed") is True
    go(page, "#preview-count")  # what was typed reaches the server
    assert page.input_value("[name=items-0-agency]") == "กรมการปกครอง"
    assert page.input_value("[name='items-0-date-year']") == "2546"


def test_without_script_the_same_buttons_ask_the_server(browser, live, team):
    context = browser.new_context(base_url=live.url, locale="th-TH", java_script_enabled=False)
    page = context.new_page()
    try:
        enter_as(page, team.reporter, team.password)
        page.goto(f"/reports/new?year=2547&unit={team.unit}&kpi=2.2&period=M02")
        page.fill("[name=items-0-agency]", "กรมการปกครอง")
        go(page, "#add-row")
        assert page.locator("#item-rows tbody tr").count() == 2
        assert page.input_value("[name=items-0-agency]") == "กรมการปกครอง"
        go(page, "#item-rows tbody tr:nth-child(1) [data-remove-row]")
        assert page.locator("#item-rows tbody tr").count() == 1
    finally:
        context.close()


def test_the_admin_adds_a_membership_row_in_the_page(page):
    enter_as(page, "admin")
    page.goto("/admin/users")
    page.evaluate("window.stayed = true")
    page.click("#new-add-row")
    assert page.locator("#new-rows tbody tr").count() == 2
    assert page.locator("#new-unit-1").count() == 1 and page.locator("#new-role-1").count() == 1
    roles = page.locator("#new-role-1 option").all_inner_texts()
    assert "ผู้รายงาน" in roles and "หัวหน้าหน่วยงาน" in " ".join(roles)
    assert page.evaluate("window.stayed") is True


def test_an_item_date_not_in_the_calendar_is_said_on_its_field_as_typed(page, team):
    enter_as(page, team.reporter, team.password)
    page.goto(f"/reports/new?year=2547&unit={team.unit}&kpi=2.2&period=M05")
    page.fill("[name=items-0-agency]", "กรมการปกครอง")
    page.fill("[name='items-0-date-day']", "30")
    page.select_option("[name='items-0-date-month']", "2")
    page.fill("[name='items-0-date-year']", "2547")
    go(page, "#save")
    assert page.inner_text('[data-field="items.0.date"]') == "ไม่มีวันที่นี้ในปฏิทิน"
    assert page.input_value("[name='items-0-date-day']") == "30"
    assert page.input_value("[name='items-0-date-month']") == "2"
    assert page.input_value("[name=items-0-agency]") == "กรมการปกครอง"
