"""Anyone signed in may name the people a page shows, or find one by part of a name."""

import pytest

PEOPLE = "/api/identity/people"


def test_a_reporter_reads_a_heads_display_name(as_user):
    resp = as_user("reporter1").get(PEOPLE, params={"username": ["head1", "reporter1"]})
    assert resp.status_code == 200
    assert resp.json() == [
        {"username": "head1", "display_name": "ผู้อำนวยการ สปข.1 (ตัวอย่าง)"},
        {"username": "reporter1", "display_name": "ผู้รายงาน สปข.1 (ตัวอย่าง)"},
    ]


def test_the_lookup_answers_names_only_never_email_or_memberships(as_user):
    (head,) = as_user("reporter1").get(PEOPLE, params={"username": "head1"}).json()
    assert set(head) == {"username", "display_name"}


def test_an_unknown_or_impossible_username_is_simply_absent(as_user):
    names = ["head1", "nobody-here", "Not A Name!", "x" * 64]
    resp = as_user("auditor").get(PEOPLE, params={"username": names})
    assert [p["username"] for p in resp.json()] == ["head1"]


def test_a_disabled_person_is_still_named(as_user, admin, new_user):
    gone = new_user(display_name="ผู้เคยรายงาน")["username"]
    admin.patch(f"/api/identity/users/{gone}", json={"active": False})
    resp = as_user("reporter1").get(PEOPLE, params={"username": gone})
    assert resp.json() == [{"username": gone, "display_name": "ผู้เคยรายงาน"}]


def test_more_than_200_usernames_are_refused_naming_the_field(as_user):
    resp = as_user("reporter1").get(PEOPLE, params={"username": [f"u{i:03}" for i in range(201)]})
    assert resp.status_code == 422
    assert "username" in resp.json()["errors"]


def test_part_of_a_display_name_finds_the_person(as_user):
    resp = as_user("auditor").get(PEOPLE, params={"q": "ผู้รายงาน สปข.1"})
    assert [p["username"] for p in resp.json()] == ["reporter1"]


def test_a_search_matches_usernames_in_any_case(as_user):
    found = [p["username"] for p in as_user("auditor").get(PEOPLE, params={"q": "HEAD1"}).json()]
    assert "head1" in found


def test_a_search_treats_wildcards_as_text(as_user):
    assert as_user("auditor").get(PEOPLE, params={"q": "%"}).json() == []


def test_a_search_finds_at_most_20(as_user):
    assert len(as_user("admin").get(PEOPLE, params={"q": "e"}).json()) <= 20


@pytest.mark.parametrize(
    "params",
    [{}, {"q": ""}, {"q": "a\u202eb"}, {"q": "ab", "username": "head1"}, {"username": "a\x00b"}],
)
def test_a_query_that_is_neither_usernames_nor_a_search_is_a_422(as_user, params):
    resp = as_user("reporter1").get(PEOPLE, params=params)
    assert resp.status_code == 422
    assert resp.headers["Content-Type"] == "application/problem+json"


def test_no_token_gets_401_before_the_query_is_read(anonymous):
    assert anonymous.get(PEOPLE, params={"q": ""}).status_code == 401
