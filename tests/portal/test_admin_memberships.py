"""The admin's user form: memberships as rows of a unit and a role chosen from lists, sent to
identity as the text it reads (its one parser); its refusal is shown in Thai on the row it
concerns, with what was chosen kept."""

import re
import uuid
from html import unescape

from tests.conftest import DEMO_PASSWORD

USERS = "/api/identity/users"
ROLE_TYPO = "ไม่มีบทบาท unit_hed: กรุณาเลือกจากรายการ"


def portal_admin(live):
    """A portal session (cookie) of the demo admin, and the CSRF token of its forms."""
    web = live.session()
    token = re.search(r'name="csrf" value="([^"]+)"', web.get("/login").text).group(1)
    signed = web.post(
        "/login",
        data={"csrf": token, "username": "admin", "password": DEMO_PASSWORD},
        allow_redirects=False,
    )
    assert signed.status_code in (302, 303)
    page = web.get("/admin/users").text
    return web, re.search(r'name="csrf" value="([^"]+)"', page).group(1)


def test_a_role_typo_in_the_user_form_is_shown_naming_the_entry_and_changes_nothing(live):
    api = live.session("admin")
    name = f"u-{uuid.uuid4().hex[:10]}"
    body = {"username": name, "display_name": "ผู้ใช้", "password": "a-long-password-1"}
    assert api.post(USERS, json={**body, "memberships": "R1:reporter"}).status_code == 201
    web, csrf = portal_admin(live)
    shown = web.post(
        f"/admin/users/{name}",
        data={"csrf": csrf, "m-unit": ["R1", "R1-01"], "m-role": ["reporter", "unit_hed"]},
    )
    assert shown.status_code == 422
    edited = row_of(shown.text, 1)  # the second row, named
    assert ROLE_TYPO in unescape(edited) and 'value="R1-01" selected' in edited
    assert ROLE_TYPO not in unescape(row_of(shown.text, 0))
    kept = api.get(f"{USERS}/{name}/memberships").json()["memberships"]
    assert kept == [{"unit": "R1", "role": "reporter"}]


def row_of(page: str, index: int) -> str:
    """The HTML of a membership row of the user's form."""
    return re.search(rf'<tr data-index="{index}".*?</tr>', page, re.S).group(0)


def test_memberships_chosen_in_the_user_form_are_stored_as_chosen(live):
    name = f"u-{uuid.uuid4().hex[:10]}"
    web, csrf = portal_admin(live)
    created = web.post(
        "/admin/users",
        data={
            "csrf": csrf,
            "username": name,
            "display_name": "ผู้ใช้",
            "email": "someone@test.rbm.invalid",
            "password": "a-long-password-1",
            "m-unit": ["R1", "", "R2"],  # a blank row is left out
            "m-role": ["reporter", "", "unit_head"],
        },
    )
    assert created.ok
    stored = live.session("admin").get(f"{USERS}/{name}/memberships").json()["memberships"]
    assert stored == [{"unit": "R1", "role": "reporter"}, {"unit": "R2", "role": "unit_head"}]


def test_a_refused_new_user_keeps_what_was_typed_and_says_why_in_thai_on_each_field(live):
    web, csrf = portal_admin(live)
    taken = web.post(
        "/admin/users",
        data={
            "csrf": csrf,
            "username": "admin",
            "display_name": "ผู้ดูแลคนใหม่",
            "email": "new-admin@test.rbm.invalid",
            "password": "short",
            "m-unit": ["R1", "NOWHERE"],
            "m-role": ["reporter", "reporter"],
        },
    )
    assert taken.status_code in (409, 422)
    page = unescape(taken.text)
    assert 'value="ผู้ดูแลคนใหม่"' in page and 'value="new-admin@test.rbm.invalid"' in page
    assert re.search(r'data-field="(username|password)">[^<]*[\u0e00-\u0e7f]', page)


def test_the_add_and_remove_buttons_work_without_the_pages_script(live):
    web, csrf = portal_admin(live)
    form = {"csrf": csrf, "username": "someone", "m-unit": ["R1"], "m-role": ["reporter"]}
    added = web.post("/admin/users", data={**form, "op": "add"}).text
    assert row_of(added, 1) and 'value="someone"' in added
    removed = web.post(
        "/admin/users",
        data={
            **form,
            "m-unit": ["R1", "R2"],
            "m-role": ["reporter", "unit_head"],
            "op": "remove-0",
        },
    ).text
    assert 'value="R2" selected' in row_of(removed, 0) and 'data-index="1"' not in removed
