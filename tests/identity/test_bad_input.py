"""Bad input on every write endpoint of identity: a 4xx problem+json naming the field, no write.

Unknown fields are refused (422), not ignored: a misspelt field must not pass silently.
"""

import pytest

from tests.identity.conftest import PASSWORD, USERS, unique_name

PROBLEM = "application/problem+json"
TARGET = "bad-input-target"
CSV_HEADER = "username,display_name,email,password,memberships\n"


@pytest.fixture(scope="module")
def target(live):
    """One user whose PATCH and PUT endpoints receive the bad bodies."""
    admin = live.session("admin")
    resp = admin.post(USERS, json={"username": TARGET, "display_name": "x", "password": PASSWORD})
    assert resp.status_code in (201, 409), resp.text
    return TARGET


JSON_ENDPOINTS = {
    "token": ("post", "/api/identity/token"),
    "create": ("post", USERS),
    "update": ("patch", f"{USERS}/{TARGET}"),
    "memberships": ("put", f"{USERS}/{TARGET}/memberships"),
}

# (endpoint, body, the field the problem must name)
INVALID_BODIES = [
    ("token", {"username": 7, "password": "x"}, "username"),
    ("token", {"username": "admin"}, "password"),
    ("token", {"username": "admin", "password": "x", "otp": "1"}, "otp"),
    ("token", {"username": "admin", "password": "\ud800"}, "password"),
    ("token", {"username": "a" * 65, "password": "x"}, "username"),
    ("create", {"display_name": "x", "password": PASSWORD}, "username"),
    ("create", {"username": ["x"], "display_name": "x", "password": PASSWORD}, "username"),
    ("create", {"username": "ok-name", "display_name": 5, "password": PASSWORD}, "display_name"),
    (
        "create",
        {"username": "ok-name", "display_name": "x\u0000y", "password": PASSWORD},
        "display_name",
    ),
    (
        "create",
        {"username": "ok-name", "display_name": "x" * 201, "password": PASSWORD},
        "display_name",
    ),
    (
        "create",
        {"username": "ok-name", "display_name": "x", "password": PASSWORD, "email": "nope"},
        "email",
    ),
    (
        "create",
        {"username": "ok-name", "display_name": "x", "password": PASSWORD, "role": "admin"},
        "role",
    ),
    (
        "create",
        {"username": "ok-name", "display_name": "x", "password": PASSWORD, "memberships": "R1"},
        "memberships",
    ),
    (
        "create",
        {
            "username": "ok-name",
            "display_name": "x",
            "password": PASSWORD,
            "memberships": [{"unit": "R1"}],
        },
        "memberships",
    ),
    ("create", {"username": "Bad Name!", "display_name": "x", "password": PASSWORD}, "username"),
    ("update", {"active": "sometimes"}, "active"),
    ("update", {"display_name": ""}, "display_name"),
    ("update", {"password": "short"}, "password"),
    ("update", {"username": "renamed"}, "username"),
    ("update", {"email": 12}, "email"),
    ("memberships", {}, "memberships"),
    (
        "memberships",
        {"memberships": [{"unit": "R1", "role": "reporter", "extra": 1}]},
        "memberships",
    ),
    ("memberships", {"memberships": [{"unit": 1, "role": "reporter"}]}, "memberships"),
    ("memberships", {"memberships": [{"unit": "R1", "role": "reporter"}], "why": "x"}, "why"),
]


def _call(session, endpoint, **kwargs):
    method, path = JSON_ENDPOINTS[endpoint]
    return getattr(session, method)(path, **kwargs)


@pytest.mark.parametrize(
    ("endpoint", "body", "field"), INVALID_BODIES, ids=[f"{e}-{f}" for e, _, f in INVALID_BODIES]
)
def test_an_invalid_body_is_422_naming_the_field_and_writes_nothing(
    admin, tables, target, endpoint, body, field
):
    before = tables.snapshot()
    resp = _call(admin, endpoint, json=body)
    assert resp.status_code == 422, resp.text
    assert resp.headers["Content-Type"] == PROBLEM
    assert field in resp.json()["errors"]
    assert tables.snapshot() == before


@pytest.mark.parametrize("endpoint", JSON_ENDPOINTS)
def test_a_body_that_is_not_an_object_is_422(admin, target, endpoint):
    resp = _call(admin, endpoint, json=["not", "an", "object"])
    assert resp.status_code == 422 and resp.headers["Content-Type"] == PROBLEM


@pytest.mark.parametrize("endpoint", JSON_ENDPOINTS)
def test_invalid_json_is_400_saying_so(admin, tables, target, endpoint):
    before = tables.snapshot()
    resp = _call(
        admin, endpoint, data=b'{"username": ', headers={"Content-Type": "application/json"}
    )
    assert resp.status_code == 400 and resp.headers["Content-Type"] == PROBLEM
    assert resp.json()["detail"] == "Invalid JSON body."
    assert tables.snapshot() == before


@pytest.mark.parametrize("endpoint", JSON_ENDPOINTS)
def test_a_body_that_is_not_utf8_is_400(admin, tables, target, endpoint):
    before = tables.snapshot()
    body = '{"username": "ผู้ใช้", "display_name": "x"}'.encode("cp874")
    resp = _call(admin, endpoint, data=body, headers={"Content-Type": "application/json"})
    assert resp.status_code == 400 and resp.headers["Content-Type"] == PROBLEM
    assert tables.snapshot() == before


@pytest.mark.parametrize("endpoint", [*JSON_ENDPOINTS, "import"])
def test_a_body_over_one_megabyte_is_413(admin, tables, target, endpoint):
    before = tables.snapshot()
    padding = "x" * 1_100_000
    if endpoint == "import":
        csv = CSV_HEADER + f"{unique_name()},{padding},,,\n"
        resp = admin.post(f"{USERS}/import?commit=true", files={"file": ("u.csv", csv.encode())})
    else:
        resp = _call(admin, endpoint, json={"username": "x", "display_name": padding})
    assert resp.status_code == 413 and resp.headers["Content-Type"] == PROBLEM
    assert tables.snapshot() == before


def test_a_name_no_user_can_have_in_the_path_is_404(admin):
    resp = admin.patch(f"{USERS}/a%00b", json={"display_name": "x"})
    assert resp.status_code == 404 and resp.headers["Content-Type"] == PROBLEM


def test_an_import_query_that_is_not_a_boolean_is_422_naming_commit(admin, tables):
    before = tables.snapshot()
    csv = CSV_HEADER + f"{unique_name()},x,,{PASSWORD},\n"
    resp = admin.post(f"{USERS}/import?commit=perhaps", files={"file": ("u.csv", csv.encode())})
    assert resp.status_code == 422 and "commit" in resp.json()["errors"]
    assert tables.snapshot() == before


def test_an_import_with_a_nul_character_is_422_naming_file(admin, tables):
    before = tables.snapshot()
    csv = CSV_HEADER + f"{unique_name()},x\0y,,{PASSWORD},\n"
    resp = admin.post(f"{USERS}/import?commit=true", files={"file": ("u.csv", csv.encode())})
    assert resp.status_code == 422 and "file" in resp.json()["errors"]
    assert tables.snapshot() == before


def test_an_over_long_display_name_in_an_import_is_an_error_of_its_row(admin):
    csv = CSV_HEADER + f"{unique_name()},{'x' * 201},,{PASSWORD},\n"
    rows = admin.post(f"{USERS}/import", files={"file": ("u.csv", csv.encode())}).json()["rows"]
    assert list(rows[0]["errors"]) == ["display_name"]
