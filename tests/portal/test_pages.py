"""The web UI as a person uses it: sign in, Thai first, an English switch, the catalogue."""

from tests.portal.conftest import enter_as, go, sign_in


def test_an_anonymous_visitor_is_sent_to_sign_in(page):
    page.goto("/")
    assert page.url.endswith("/login?next=/")
    assert page.locator("h1").inner_text() == "เข้าสู่ระบบ"


def test_a_reporter_signs_in_and_is_greeted_in_thai(page):
    sign_in(page, "reporter1")
    assert "ยินดีต้อนรับ" in page.locator("h1").inner_text()
    assert "R1" in page.content()


def test_the_english_switch_changes_the_interface_language(page):
    sign_in(page, "reporter1")
    go(page, "text=English")
    assert page.locator("h1").inner_text().startswith("Welcome")


def test_a_wrong_password_shows_an_error_and_no_session(page):
    sign_in(page, "reporter1", "wrong-password")
    assert page.locator("[role=alert]").inner_text() == "ชื่อผู้ใช้หรือรหัสผ่านไม่ถูกต้อง"
    page.goto("/")
    assert "/login" in page.url


def test_the_catalogue_page_lists_the_24_kpis_of_2547(page):
    enter_as(page, "reviewer")
    page.goto("/kpis")
    assert page.locator("tbody tr").count() == 24
    assert "ภาคบังคับ" in page.content()


def test_a_form_posted_without_its_csrf_token_is_refused(live):
    resp = live.session().post(
        "/login", data={"username": "reporter1", "password": "demo-password"}
    )
    assert resp.status_code == 400


def test_a_page_that_does_not_exist_is_an_html_page_in_thai(anonymous):
    resp = anonymous.get("/no-such-page", headers={"Accept": "text/html"})
    assert resp.status_code == 404
    assert resp.headers["Content-Type"].startswith("text/html")
    assert "ไม่พบหน้าที่ต้องการ" in resp.text


def test_an_unknown_api_path_keeps_problem_json(anonymous):
    resp = anonymous.get("/api/no-such-service/things", headers={"Accept": "text/html"})
    assert resp.status_code == 404
    assert resp.headers["Content-Type"] == "application/problem+json"
