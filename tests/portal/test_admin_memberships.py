"""The admin's user form sends memberships as typed; identity reads them and its refusal,
naming the wrong entry, is what the page shows (HTTP only, no browser)."""

import re
import uuid
from html import unescape

from tests.conftest import DEMO_PASSWORD

USERS = "/api/identity/users"
ROLE_TYPO = "Entry 2 'R1-01:unit_hed': unknown role 'unit_hed'"


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
        f"/admin/users/{name}", data={"csrf": csrf, "memberships": "R1:reporter; R1-01:unit_hed"}
    )
    assert ROLE_TYPO in unescape(shown.text)
    kept = api.get(f"{USERS}/{name}/memberships").json()["memberships"]
    assert kept == [{"unit": "R1", "role": "reporter"}]


def test_memberships_typed_in_the_user_form_are_stored_as_typed(live):
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
            "memberships": "R1:reporter, R2:unit_head",
        },
    )
    assert created.ok
    stored = live.session("admin").get(f"{USERS}/{name}/memberships").json()["memberships"]
    assert stored == [{"unit": "R1", "role": "reporter"}, {"unit": "R2", "role": "unit_head"}]
