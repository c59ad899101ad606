"""The inbox page: notifications of the user's reports, marked read one by one or all at once."""

from tests.portal.conftest import act, agencies, api_of, create_report, enter_as, go
from tests.waiting import eventually

INBOX = "/api/notifications/inbox"


def wait_for_notifications(session, count: int) -> list[dict]:
    """The notifications, once the event consumers have delivered `count` of them."""

    def delivered() -> list[dict] | None:
        found = session.get(INBOX).json()
        return found if len(found) >= count else None

    return eventually(delivered, what=f"{count} notifications")


def submitted_reports(live, team, periods):
    reporter = api_of(live, team.reporter, team.password)
    for period, day in periods:
        report = create_report(reporter, team.unit, "2.2", period, items=agencies(("อสมท", day)))
        act(reporter, report, "submit")
    head = api_of(live, team.head, team.password)
    return head, wait_for_notifications(head, len(periods))


def test_a_notification_marked_read_is_shown_read_and_leaves_the_unread_count(page, live, team):
    head, notifications = submitted_reports(live, team, [("M11", "2004-08-03")])
    assert len(notifications) == 1
    enter_as(page, team.head, team.password)
    page.goto("/inbox")
    go(page, "#notifications tr.unread >> text=อ่านแล้ว")

    assert page.locator("#notifications tr.read").count() == 1
    assert head.get(f"{INBOX}/unread-count").json() == {"unread": 0}


def test_mark_all_read_clears_the_unread_badge(page, live, team):
    head, notifications = submitted_reports(
        live, team, [("M11", "2004-08-03"), ("M12", "2004-09-03")]
    )
    assert len(notifications) == 2
    enter_as(page, team.head, team.password)
    page.goto("/inbox")
    assert page.locator("header .badge").inner_text() == "2"
    go(page, "#read-all")

    assert page.locator("header .badge").count() == 0
    assert page.locator("#notifications tr.unread").count() == 0


def test_opening_a_notification_goes_to_its_report(page, live, team):
    _head, notifications = submitted_reports(live, team, [("M12", "2004-09-03")])
    enter_as(page, team.head, team.password)
    page.goto("/inbox")
    go(page, "#notifications >> text=เปิดรายงาน")

    assert page.url.endswith(f"/reports/{notifications[0]['report_id']}")
