"""Memberships as text (`R1:reporter; R1-01:unit_head`) are read by identity's one rule,
whether the admin types them in the portal (sent as typed) or a CSV import holds them: a
wrong entry is named by its number and text, with what is wrong with it."""

import pytest

from services.identity.rules import parse_memberships
from tests.conftest import login
from tests.identity.conftest import PASSWORD, USERS, unique_name
from tests.identity.test_import import HEADER, _upload

ROLE_TYPO = (
    "Entry 2 'R1-01:unit_hed': unknown role 'unit_hed': "
    "one of reporter, unit_head, reviewer, auditor, admin, importer."
)
NO_COLON = "Entry 1 'R1 reporter': write it as unit:role, e.g. R1:reporter."


@pytest.mark.parametrize(
    ("text", "pairs"),
    [
        ("R1:reporter; R1-01:unit_head", [("R1", "reporter"), ("R1-01", "unit_head")]),
        (
            "R1:reporter,R2:reviewer\nR3:auditor;",
            [("R1", "reporter"), ("R2", "reviewer"), ("R3", "auditor")],
        ),
        (" R1 : reporter ", [("R1", "reporter")]),
        ("", []),
        (" ; , ", []),
    ],
)
def test_entries_apart_by_semicolon_comma_or_line_break_are_unit_role_pairs(text, pairs):
    assert parse_memberships(text) == (pairs, [])


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("R1:reporter; R1-01:unit_hed", ROLE_TYPO),
        ("R1 reporter", NO_COLON),
        ("R1:", "Entry 1 'R1:': write it as unit:role, e.g. R1:reporter."),
        (":reporter", "Entry 1 ':reporter': write it as unit:role, e.g. R1:reporter."),
        (
            f"{'U' * 33}:reporter",
            f"Entry 1 '{'U' * 33}:reporter': a unit code has at most 32 characters.",
        ),
    ],
)
def test_a_wrong_entry_is_named_by_its_number_and_text(text, problem):
    assert parse_memberships(text)[1] == [problem]


def test_a_typed_text_creates_the_user_with_those_memberships(live, admin):
    name = unique_name()
    body = {"username": name, "display_name": "ผู้ใช้", "password": PASSWORD}
    resp = admin.post(USERS, json={**body, "memberships": "R1:reporter; R2:unit_head"})
    assert resp.status_code == 201, resp.text
    me = login(live, name, PASSWORD).get("/api/identity/me").json()
    assert me["memberships"] == [
        {"unit": "R1", "role": "reporter"},
        {"unit": "R2", "role": "unit_head"},
    ]


def test_a_role_typo_in_typed_memberships_is_422_naming_the_entry_and_changes_nothing(
    admin, new_user
):
    name = new_user(memberships=[("R1", "reporter")])["username"]
    resp = admin.put(
        f"{USERS}/{name}/memberships", json={"memberships": "R1:reporter; R1-01:unit_hed"}
    )
    assert resp.status_code == 422
    assert resp.json()["errors"] == {"memberships": [ROLE_TYPO]}
    kept = admin.get(f"{USERS}/{name}/memberships").json()["memberships"]
    assert kept == [{"unit": "R1", "role": "reporter"}]


def test_the_same_typo_in_a_csv_import_is_named_the_same_on_its_line(admin):
    row = f"{unique_name()},ผู้ใช้,,{PASSWORD},R1:reporter; R1-01:unit_hed\n"
    rows = _upload(admin, (HEADER + row).encode()).json()["rows"]
    assert (rows[0]["line"], rows[0]["errors"]) == (2, {"memberships": [ROLE_TYPO]})
