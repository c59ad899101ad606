"""Every number a caller sends has a documented range: outside it, a 422 naming the parameter."""

from __future__ import annotations

import pytest

HUGE = "5065919018771552403456"


@pytest.mark.parametrize(
    ("user", "path", "parameter"),
    [
        ("admin", f"/api/catalogue/years/{HUGE}", "year"),
        ("admin", f"/api/catalogue/years/{HUGE}/kpis", "year"),
        ("admin", f"/api/evidence/templates/{HUGE}/4.1?unit=R1&period=Q1", "year"),
        ("admin", f"/api/evidence/templates/4.1/versions/{HUGE}", "version"),
        ("admin", f"/api/workflow/reports?offset={HUGE}", "offset"),
        ("admin", f"/api/evidence/files?year={HUGE}", "year"),
        ("head1", f"/api/notifications/inbox?offset={HUGE}", "offset"),
    ],
)
def test_a_number_out_of_range_is_a_problem_naming_it(as_user, user, path, parameter):
    resp = as_user(user).get(path)
    assert resp.status_code == 422, resp.text
    assert resp.headers["Content-Type"] == "application/problem+json"
    assert parameter in resp.json()["errors"]


def test_a_membership_listed_twice_is_refused_by_name(as_user):
    twice = [{"unit": "R1", "role": "reporter"}] * 2
    resp = as_user("admin").put(
        "/api/identity/users/reporter1/memberships", json={"memberships": twice}
    )
    assert resp.status_code == 422, resp.text
    assert "memberships" in resp.json()["errors"]


def test_memberships_set_to_what_they_are_change_nothing(as_user):
    same = [{"unit": "R1", "role": "reporter"}]
    resp = as_user("admin").put(
        "/api/identity/users/reporter1/memberships", json={"memberships": same}
    )
    assert resp.status_code == 200, resp.text
    assert resp.json()["memberships"] == same


def test_timestamps_carry_their_offset(as_user):
    user = as_user("admin").get("/api/identity/users/reporter1").json()
    assert user["created_at"].endswith("+00:00")
