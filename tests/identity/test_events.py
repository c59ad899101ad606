"""Every change to a user writes identity.user.changed to the outbox, in the same transaction."""

from tests.identity.conftest import PASSWORD, USERS, unique_name


def test_creating_a_user_records_user_changed_with_memberships(new_user, tables):
    user = new_user(memberships=[("R2", "reporter")])
    [event] = tables.user_events(user["username"])
    assert event["type"] == "identity.user.changed" and event["actor"] == "admin"
    assert event["data"] == {
        "user_id": user["id"],
        "username": user["username"],
        "display_name": user["display_name"],
        "email": user["email"],
        "active": True,
        "memberships": [{"unit": "R2", "role": "reporter"}],
    }


def test_disabling_a_user_records_user_changed_with_active_false(admin, new_user, tables):
    name = new_user()["username"]
    admin.patch(f"{USERS}/{name}", json={"active": False})
    assert [e["data"]["active"] for e in tables.user_events(name)] == [True, False]


def test_setting_memberships_records_user_changed_with_the_new_ones(admin, new_user, tables):
    name = new_user(memberships=[("R1", "reporter")])["username"]
    admin.put(
        f"{USERS}/{name}/memberships", json={"memberships": [{"unit": "R5", "role": "unit_head"}]}
    )
    latest = tables.user_events(name)[-1]
    assert latest["data"]["memberships"] == [{"unit": "R5", "role": "unit_head"}]


def test_a_refused_create_records_no_event(admin, tables):
    name = unique_name()
    admin.post(USERS, json={"username": name, "display_name": "x", "password": "short"})
    assert tables.user_events(name) == []


def test_an_empty_patch_records_no_event(admin, new_user, tables):
    name = new_user()["username"]
    assert admin.patch(f"{USERS}/{name}", json={}).status_code == 200
    assert len(tables.user_events(name)) == 1


def test_imported_users_each_record_user_changed(admin, tables):
    names = [unique_name(), unique_name()]
    rows = "".join(f"{n},ผู้ใช้,,{PASSWORD},R3:reporter\n" for n in names)
    csv = ("username,display_name,email,password,memberships\n" + rows).encode()
    resp = admin.post(f"{USERS}/import?commit=true", files={"file": ("u.csv", csv)})
    assert resp.json()["committed"] is True
    assert [len(tables.user_events(n)) for n in names] == [1, 1]
