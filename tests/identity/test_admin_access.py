"""Only an administrator reaches the admin endpoints; everyone else is refused before any work."""

import pytest

from tests.identity.conftest import PASSWORD, USERS, unique_name

CSV = b"username,display_name,email,password,memberships\n"


def _admin_calls(target: str):
    """Every admin endpoint with a body it would accept from an administrator."""
    user = {"username": unique_name(), "display_name": "x", "password": PASSWORD}
    memberships = {"memberships": [{"unit": "R1", "role": "reporter"}]}
    return {
        "list": ("get", USERS, {}),
        "create": ("post", USERS, {"json": user}),
        "read": ("get", f"{USERS}/{target}", {}),
        "update": ("patch", f"{USERS}/{target}", {"json": {"active": False}}),
        "memberships": ("put", f"{USERS}/{target}/memberships", {"json": memberships}),
        "import": ("post", f"{USERS}/import?commit=true", {"files": {"file": ("u.csv", CSV)}}),
    }


ENDPOINTS = list(_admin_calls("x"))


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("username", ["reporter1", "head1", "reviewer", "auditor"])
def test_a_non_admin_gets_403_on_every_admin_endpoint(as_user, new_user, endpoint, username):
    target = new_user()["username"]
    method, path, kwargs = _admin_calls(target)[endpoint]
    resp = getattr(as_user(username), method)(path, **kwargs)
    assert resp.status_code == 403
    assert resp.headers["Content-Type"] == "application/problem+json"


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_no_token_gets_401_on_every_admin_endpoint(anonymous, endpoint):
    method, path, kwargs = _admin_calls("admin")[endpoint]
    assert getattr(anonymous, method)(path, **kwargs).status_code == 401


def test_a_refused_non_admin_changes_nothing(as_user, admin, new_user, tables):
    target = new_user()["username"]
    before = tables.snapshot()
    as_user("reporter1").patch(f"{USERS}/{target}", json={"active": False})
    assert admin.get(f"{USERS}/{target}").json()["active"] is True
    assert tables.snapshot() == before


def test_a_non_admin_with_a_bad_body_still_gets_403_not_422(as_user):
    resp = as_user("reporter1").post(USERS, json={"nonsense": True})
    assert resp.status_code == 403
