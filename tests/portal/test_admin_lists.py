"""Long admin lists come a page at a time: the schedule (once ~19,000 px tall) and the users."""

import uuid

from tests.portal.conftest import enter_as, go
from tests.portal.test_living_demo import CURRENT

DESKTOP = {"width": 1366, "height": 768}
# A page of the list at most this many screens tall at 1366 px.
MOST_SCREENS = 6


def test_the_schedule_is_paged_and_each_page_fits_a_few_screens(demo, page):
    enter_as(page, "admin")
    page.set_viewport_size(DESKTOP)
    page.goto(f"/admin/schedule?year={CURRENT}")
    assert page.evaluate("document.documentElement.scrollHeight") <= MOST_SCREENS * 768
    said = page.inner_text("#pages")
    assert "หน้า 1 จาก" in said
    first = page.locator("#schedule tbody tr").first.inner_text()
    go(page, "#pages a[rel=next]")
    assert "page=2" in page.url and page.locator("#schedule tbody tr").first.inner_text() != first
    page.select_option("#kpi", "2.1")
    page.select_option("#unit", "R1")
    go(page, "#schedule-filter button")
    kpis = page.locator("#schedule tbody td:nth-child(2)").all_inner_texts()
    assert kpis and set(kpis) == {"2.1"}


def test_the_users_list_is_paged_and_filtered_by_unit_and_role(live, page):
    admin = live.session("admin")
    listed = admin.get("/api/identity/users").json()
    for _more in range(max(31 - len(listed), 0)):
        name = f"u-{uuid.uuid4().hex[:10]}"
        body = {"username": name, "display_name": "ผู้ใช้ทดสอบ", "password": "a-long-password-1"}
        assert admin.post("/api/identity/users", json={**body, "memberships": "R2:reporter"}).ok
    enter_as(page, "admin")
    page.goto("/admin/users")
    assert page.locator("#users tbody tr").count() == 30
    assert "หน้า 1 จาก" in page.inner_text("#pages")
    page.select_option("#unit", "R1")
    page.select_option("#role", "unit_head")
    go(page, "#users-filter button")
    rows = page.locator("#users tbody tr")
    assert rows.count() >= 1
    for text in rows.locator("td:nth-child(3)").all_inner_texts():
        assert "หัวหน้าหน่วยงาน · สำนักประชาสัมพันธ์เขต 1 (R1)" in text
