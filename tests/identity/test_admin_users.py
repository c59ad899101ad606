"""An administrator creates users, sets their memberships, disables them and lists them."""

from common.clients import ServiceClient
from tests.conftest import login
from tests.identity.conftest import PASSWORD, USERS, unique_name


def test_created_user_logs_in_and_me_shows_units_and_roles(live, new_user):
    user = new_user(memberships=[("R1", "reporter"), ("R2", "unit_head")])
    me = login(live, user["username"], PASSWORD).get("/api/identity/me").json()
    assert (me["units"], me["roles"]) == (["R1", "R2"], ["reporter", "unit_head"])


def test_create_answers_201_with_the_user_and_never_the_password(admin):
    name = unique_name()
    body = {"username": name, "display_name": "สมชาย ใจดี", "password": PASSWORD}
    resp = admin.post(USERS, json={**body, "memberships": [{"unit": "R3", "role": "reporter"}]})
    assert resp.status_code == 201
    created = resp.json()
    assert created["username"] == name and created["display_name"] == "สมชาย ใจดี"
    assert (
        created["active"] is True and "password" not in created and "password_hash" not in created
    )


def test_a_taken_username_is_409(admin, new_user):
    taken = new_user()["username"]
    resp = admin.post(USERS, json={"username": taken, "display_name": "x", "password": PASSWORD})
    assert resp.status_code == 409
    assert resp.json()["errors"] == {"username": ["Taken."]}


def test_a_unit_the_catalogue_does_not_know_is_422_naming_memberships(admin, tables):
    name = unique_name()
    resp = admin.post(
        USERS,
        json={
            "username": name,
            "display_name": "x",
            "password": PASSWORD,
            "memberships": [{"unit": "NO-SUCH-UNIT", "role": "reporter"}],
        },
    )
    assert resp.status_code == 422
    assert "NO-SUCH-UNIT" in resp.json()["errors"]["memberships"][0]
    assert not tables.exists(name)


def test_an_unknown_role_is_422_naming_memberships(admin, tables):
    name = unique_name()
    resp = admin.post(
        USERS,
        json={
            "username": name,
            "display_name": "x",
            "password": PASSWORD,
            "memberships": [{"unit": "R1", "role": "superuser"}],
        },
    )
    assert resp.status_code == 422
    assert "memberships" in resp.json()["errors"]
    assert not tables.exists(name)


def test_a_weak_password_is_422_naming_password(admin, tables):
    name = unique_name()
    resp = admin.post(USERS, json={"username": name, "display_name": "x", "password": "short"})
    assert resp.status_code == 422
    assert resp.headers["Content-Type"] == "application/problem+json"
    assert list(resp.json()["errors"]) == ["password"]
    assert not tables.exists(name)


def test_a_password_equal_to_the_username_is_refused(admin):
    name = unique_name()
    resp = admin.post(USERS, json={"username": name, "display_name": "x", "password": name})
    assert resp.status_code == 422 and "password" in resp.json()["errors"]


def test_usernames_of_service_accounts_cannot_be_taken(admin):
    resp = admin.post(
        USERS, json={"username": "svc-reporting", "display_name": "x", "password": PASSWORD}
    )
    assert resp.status_code == 422 and "username" in resp.json()["errors"]


def test_a_disabled_user_can_no_longer_log_in(admin, anonymous, new_user):
    name = new_user()["username"]
    assert admin.patch(f"{USERS}/{name}", json={"active": False}).status_code == 200
    resp = anonymous.post("/api/identity/token", json={"username": name, "password": PASSWORD})
    assert resp.status_code == 401


def test_a_disabled_users_old_token_no_longer_reads_me(live, admin, new_user):
    name = new_user()["username"]
    session = login(live, name, PASSWORD)
    assert session.get("/api/identity/me").status_code == 200
    admin.patch(f"{USERS}/{name}", json={"active": False})
    assert session.get("/api/identity/me").status_code == 401


def test_an_administrator_cannot_disable_themselves(admin):
    resp = admin.patch(f"{USERS}/admin", json={"active": False})
    assert resp.status_code == 422 and "active" in resp.json()["errors"]


def test_patch_changes_name_and_email(admin, new_user):
    name = new_user()["username"]
    resp = admin.patch(
        f"{USERS}/{name}", json={"display_name": "ชื่อใหม่", "email": "new@test.rbm.invalid"}
    )
    assert resp.status_code == 200
    assert admin.get(f"{USERS}/{name}").json()["display_name"] == "ชื่อใหม่"


def test_a_new_password_set_by_the_admin_works(live, admin, new_user):
    name = new_user()["username"]
    admin.patch(f"{USERS}/{name}", json={"password": "another-long-password"})
    assert login(live, name, "another-long-password").get("/api/identity/me").status_code == 200


def test_put_memberships_replaces_them(live, admin, new_user):
    name = new_user(memberships=[("R1", "reporter")])["username"]
    resp = admin.put(
        f"{USERS}/{name}/memberships", json={"memberships": [{"unit": "R4", "role": "unit_head"}]}
    )
    assert resp.status_code == 200
    me = login(live, name, PASSWORD).get("/api/identity/me").json()
    assert me["memberships"] == [{"unit": "R4", "role": "unit_head"}]


def test_put_memberships_with_an_unknown_unit_changes_nothing(admin, new_user):
    name = new_user(memberships=[("R1", "reporter")])["username"]
    resp = admin.put(
        f"{USERS}/{name}/memberships",
        json={"memberships": [{"unit": "NO-SUCH-UNIT", "role": "reporter"}]},
    )
    assert resp.status_code == 422 and "memberships" in resp.json()["errors"]
    assert admin.get(f"{USERS}/{name}").json()["memberships"] == [
        {"unit": "R1", "role": "reporter"}
    ]


def test_an_unknown_user_is_404(admin):
    assert admin.get(f"{USERS}/{unique_name()}").status_code == 404
    assert admin.patch(f"{USERS}/{unique_name()}", json={"active": False}).status_code == 404


def test_list_filtered_by_unit_and_role_holds_only_those_holders(admin, new_user):
    auditor = new_user(memberships=[("R6", "auditor")])["username"]
    reporter = new_user(memberships=[("R6", "reporter")])["username"]
    listed = admin.get(USERS, params={"unit": "R6", "role": "auditor"}).json()
    names = {u["username"] for u in listed}
    assert auditor in names and reporter not in names
    assert all({"unit": "R6", "role": "auditor"} in u["memberships"] for u in listed)


def test_list_filtered_by_unit_alone_holds_every_role_there(admin, new_user):
    auditor = new_user(memberships=[("R7", "auditor")])["username"]
    reporter = new_user(memberships=[("R7", "reporter")])["username"]
    elsewhere = new_user(memberships=[("R8", "reporter")])["username"]
    names = {u["username"] for u in admin.get(USERS, params={"unit": "R7"}).json()}
    assert {auditor, reporter} <= names and elsewhere not in names


def test_list_searched_by_part_of_a_name_holds_only_those_named(admin, new_user):
    tag = unique_name()[-6:]
    named = new_user(display_name=f"สมหญิง {tag} ใจดี", memberships=[("R7", "reporter")])
    new_user(memberships=[("R7", "reporter")])
    listed = admin.get(USERS, params={"q": f"{tag.upper()} ใจ", "unit": "R7"}).json()
    assert [u["username"] for u in listed] == [named["username"]]
    by_username = admin.get(USERS, params={"q": named["username"]}).json()
    assert [u["username"] for u in by_username] == [named["username"]]


def test_a_service_account_lists_who_holds_a_role_in_a_unit(live, new_user):
    head = new_user(memberships=[("R5", "unit_head")])["username"]
    client = ServiceClient(live.app("notifications").extensions["rbm"].settings, "identity")
    listed = client.get("/users", unit="R5", role="unit_head")
    assert head in {u["username"] for u in listed}


def test_a_service_account_may_not_create_users(live):
    client = ServiceClient(live.app("workflow").extensions["rbm"].settings, "identity")
    resp = client.http.post(
        f"{client.base}/users",
        json={"username": unique_name(), "display_name": "x", "password": PASSWORD},
        headers={"Authorization": f"Bearer {client.service_token()}"},
    )
    assert resp.status_code == 403
