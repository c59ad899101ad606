"""The inbox API: the caller's notifications newest first, unread filter and count, pages,
marking read; preferences per kind."""

from __future__ import annotations

import pytest

from tests.conftest import login
from tests.notifications.conftest import PASSWORD, new_unit, report_data
from tests.waiting import eventually

INBOX = "/api/notifications/inbox"


@pytest.fixture
def head_with_inbox(live, people, publisher, store):
    """A unit head with three notifications (KPIs 2.1, 2.2, 10.1 submitted in that order)."""
    unit = new_unit()
    reporter, head = people((unit, "reporter"), (unit, "unit_head"))
    for kpi in ("2.1", "2.2", "10.1"):
        event = publisher.event(
            "workflow.report.submitted", report_data(unit, "submitted", reporter, reporter, kpi=kpi)
        )
        eventually(lambda e=event: store.recipients(e), what=f"KPI {kpi} told")
    return login(live, head, PASSWORD), head


def test_inbox_items_have_exactly_the_fields_of_the_contract(head_with_inbox):
    http, _ = head_with_inbox
    resp = http.get(INBOX)
    assert resp.status_code == 200
    items = resp.json()
    assert len(items) == 3
    expected = {"id", "kind", "report_id", "title", "body", "created_at", "read_at"}
    assert all(set(item) == expected for item in items)
    assert items[0]["kind"] == "submitted" and items[0]["read_at"] is None


def test_inbox_is_newest_first(head_with_inbox):
    http, _ = head_with_inbox
    items = http.get(INBOX).json()
    assert "10.1" in items[0]["title"] and "2.2" in items[1]["title"]
    assert "2.1" in items[2]["title"]
    assert [i["created_at"] for i in items] == sorted(
        (i["created_at"] for i in items), reverse=True
    )


def test_marking_one_read_drops_it_from_the_unread_filter_and_count(head_with_inbox):
    http, _ = head_with_inbox
    first = http.get(INBOX).json()[0]
    assert http.post(f"{INBOX}/{first['id']}/read").status_code == 204
    unread = http.get(INBOX, params={"unread": "true"})
    assert [i["id"] for i in unread.json()] == [i["id"] for i in http.get(INBOX).json()[1:]]
    assert unread.headers["X-Unread-Count"] == "2"
    assert http.get(f"{INBOX}/unread-count").json() == {"unread": 2}
    assert http.get(INBOX).json()[0]["read_at"] is not None


def test_marking_read_twice_keeps_the_first_time(head_with_inbox):
    http, _ = head_with_inbox
    first = http.get(INBOX).json()[0]
    http.post(f"{INBOX}/{first['id']}/read")
    read_at = http.get(INBOX).json()[0]["read_at"]
    assert http.post(f"{INBOX}/{first['id']}/read").status_code == 204
    assert http.get(INBOX).json()[0]["read_at"] == read_at


def test_someone_elses_notification_is_not_found(head_with_inbox, as_user):
    http, _ = head_with_inbox
    first = http.get(INBOX).json()[0]
    resp = as_user("head1").post(f"{INBOX}/{first['id']}/read")
    assert resp.status_code == 404
    assert resp.headers["Content-Type"] == "application/problem+json"
    assert http.get(INBOX).json()[0]["read_at"] is None


def test_an_unknown_notification_is_not_found(as_user):
    assert as_user("head1").post(f"{INBOX}/no-such-id/read").status_code == 404


def test_mark_all_read_empties_the_unread_filter(head_with_inbox):
    http, _ = head_with_inbox
    assert http.post(f"{INBOX}/read-all").json() == {"marked": 3}
    assert http.get(INBOX, params={"unread": "true"}).json() == []
    assert http.get(f"{INBOX}/unread-count").json() == {"unread": 0}


def test_inbox_pages_with_totals_in_the_headers(head_with_inbox):
    http, _ = head_with_inbox
    everything = [i["id"] for i in http.get(INBOX).json()]
    first = http.get(INBOX, params={"limit": 2})
    second = http.get(INBOX, params={"limit": 2, "offset": 2})
    assert [i["id"] for i in first.json() + second.json()] == everything
    assert first.headers["X-Total-Count"] == "3"


@pytest.mark.parametrize("name, value", [("limit", 0), ("offset", -1)])
def test_a_bad_limit_or_offset_is_a_problem_naming_the_field(as_user, name, value):
    resp = as_user("head1").get(INBOX, params={name: value})
    assert resp.status_code == 422
    assert name in resp.json()["errors"]


def test_the_inbox_needs_a_token(anonymous):
    resp = anonymous.get(INBOX)
    assert resp.status_code == 401
    assert resp.headers["Content-Type"] == "application/problem+json"


# --- preferences -----------------------------------------------------------------------------

PREFS = "/api/notifications/preferences"
KINDS = {"submitted", "endorsed", "returned", "approved", "reopened"}
KINDS |= {"due_soon", "overdue", "escalation"}


@pytest.fixture
def someone(live, people):
    (name,) = people((new_unit(), "reporter"))
    return login(live, name, PASSWORD)


def test_every_kind_is_an_immediate_email_until_chosen_otherwise(someone):
    prefs = someone.get(PREFS).json()
    assert set(prefs) == KINDS and set(prefs.values()) == {"immediate"}


def test_a_choice_is_kept_and_other_kinds_are_left_alone(someone):
    resp = someone.put(PREFS, json={"returned": "digest", "due_soon": "in_app"})
    assert resp.status_code == 200
    prefs = someone.get(PREFS).json()
    assert prefs["returned"] == "digest" and prefs["due_soon"] == "in_app"
    assert prefs["approved"] == "immediate"


@pytest.mark.parametrize(
    "body, field",
    [({"returned": "carrier-pigeon"}, "returned"), ({"no_such_kind": "digest"}, "no_such_kind")],
)
def test_a_bad_choice_is_refused_naming_the_field_and_changes_nothing(someone, body, field):
    resp = someone.put(PREFS, json={"approved": "digest", **body})
    assert resp.status_code == 422
    assert field in resp.json()["errors"]
    assert someone.get(PREFS).json()["approved"] == "immediate"
