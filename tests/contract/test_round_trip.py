"""Every PUT takes back the body its GET returns: what it cannot set (read-only) is ignored
while it holds the stored value, and named in a 422 when it does not."""

from __future__ import annotations

import pytest

from tests.catalogue.conftest import copy_year

CATALOGUE = "/api/catalogue"


@pytest.fixture
def admin(as_user):
    return as_user("admin")


@pytest.fixture
def own_year(admin) -> int:
    """A draft copy of 2547 that only this test changes."""
    return copy_year(admin)["year"]


def _taken_back(http, url: str, params: dict | None = None) -> tuple[object, object]:
    """What the GET returned, and what it returns after the PUT of that same body."""
    read = http.get(url, params=params).json()
    written = http.put(url, json=read)
    assert written.status_code == 200, written.text
    return read, http.get(url, params=params).json()


# --- catalogue: scoring --------------------------------------------------------------------


@pytest.mark.parametrize("kpi", ["2.2", "7.1", "4.1"])  # by achievement, milestones, steps
def test_a_kpis_scoring_as_read_is_taken_back_and_nothing_changes(admin, own_year, kpi):
    read, after = _taken_back(admin, f"{CATALOGUE}/years/{own_year}/kpis/{kpi}/scoring")
    assert after == read


def test_a_scoring_read_after_a_change_is_taken_back_with_a_new_value(admin, own_year):
    url = f"{CATALOGUE}/years/{own_year}/kpis/2.2/scoring"
    assert admin.put(url, json={"weight": 2}).status_code == 200
    read = admin.get(url).json()
    changed = admin.put(url, json={**read, "weight": 3})
    assert changed.status_code == 200, changed.text
    assert (changed.json()["weight"], read["updated_by"]) == (3, "admin")


@pytest.mark.parametrize(
    "field, value",
    [
        ("kpi", "2.1"),
        ("year", 2547),
        ("measure", "percent"),
        ("provisional", False),
        ("updated_by", "reviewer"),
        ("updated_at", "2004-01-01T00:00:00+00:00"),
        ("milestones", None),  # 7.1's form prints five; null says "none of these"
    ],
)
def test_a_scoring_sent_back_with_a_read_only_field_changed_is_refused_naming_it(
    admin, own_year, field, value
):
    url = f"{CATALOGUE}/years/{own_year}/kpis/7.1/scoring"
    read = admin.get(url).json()
    refused = admin.put(url, json={**read, field: value, "weight": 4})
    assert refused.status_code == 422, refused.text
    assert list(refused.json()["errors"]) == [field]
    assert admin.get(url).json() == read


# --- catalogue: targets and owners ---------------------------------------------------------


@pytest.mark.parametrize("rows", ["targets", "assignments"])
def test_a_years_plan_rows_as_read_are_taken_back_and_nothing_changes(admin, own_year, rows):
    read, after = _taken_back(admin, f"{CATALOGUE}/years/{own_year}/{rows}", {"unit": "R1"})
    assert read and after == read


@pytest.mark.parametrize("rows", ["targets", "assignments"])
def test_plan_rows_sent_back_with_another_year_are_refused_naming_the_row(admin, own_year, rows):
    url = f"{CATALOGUE}/years/{own_year}/{rows}"
    read = admin.get(url, params={"unit": "R1"}).json()
    refused = admin.put(url, json=[read[0], {**read[1], "year": 2547}])
    assert refused.status_code == 422, refused.text
    assert {row: list(fields) for row, fields in refused.json()["errors"].items()} == {
        "1": ["year"]
    }
    assert admin.get(url, params={"unit": "R1"}).json() == read


# --- identity: memberships -----------------------------------------------------------------


def test_a_users_memberships_as_read_are_taken_back_and_nothing_changes(admin, make_team):
    team = make_team()
    read, after = _taken_back(admin, f"/api/identity/users/{team.reporter}/memberships")
    assert read == {"memberships": [{"unit": team.unit, "role": "reporter"}]} and after == read


# --- notifications: preferences ------------------------------------------------------------


def test_ones_delivery_preferences_as_read_are_taken_back_and_nothing_changes(as_user):
    read, after = _taken_back(as_user("reporter2"), "/api/notifications/preferences")
    assert read and after == read
