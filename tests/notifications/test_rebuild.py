"""The local copies rebuilt from the producers' feeds; the feeds and the consumers' lag."""

from __future__ import annotations

from sqlalchemy import func, select

from common.db import unit_of_work
from services.notifications.models import Notification, ReportState
from services.notifications.rebuild import rebuild
from tests.conftest import login
from tests.waiting import eventually


def test_a_rebuild_refills_the_copies_from_the_feeds_and_tells_nobody_again(live, make_team, store):
    team = make_team()
    eventually(lambda: store.person(team.head), what="the head known to notifications")
    reporter = login(live, team.reporter, team.password)
    body = {"year": 2547, "kpi": "2.1", "unit": team.unit, "period": "M07"}
    report = reporter.post("/api/workflow/reports", json=body).json()
    resp = reporter.post(
        f"/api/workflow/reports/{report['id']}/transitions", json={"action": "submit"}
    )
    assert resp.status_code == 200, resp.text

    def submitted():
        state = store.get(ReportState, report["id"])
        return state is not None and state.state == "submitted"

    eventually(submitted, what="the report's state copied")
    eventually(lambda: store.notifications(report_id=report["id"]), what="the head told")
    factory = live.app("notifications").extensions["rbm"].session_factory

    def notifications() -> int:
        with unit_of_work(factory) as session:
            return session.scalar(select(func.count(Notification.id)))

    told = notifications()
    counts = rebuild(live.app("notifications"))
    assert counts["report_events"] >= 1 and counts["directory_events"] >= 1
    assert store.person(team.head).username == team.head
    assert submitted()
    assert notifications() == told


def test_a_feed_is_for_service_accounts_and_its_readers_lag_shows_in_readyz(live, as_user):
    resp = as_user("admin").get("/api/workflow/events", params={"after": 0, "limit": 5})
    assert resp.status_code == 403
    assert live.session().get("/api/workflow/events").status_code == 401
    bad = as_user("admin").get("/api/workflow/events", params={"limit": 100000})
    assert bad.status_code == 422 and "limit" in bad.text
    ready = live.session().get("/api/notifications/readyz").json()
    assert set(ready["lag"]) >= {"notifications.directory", "notifications.reports"}


def test_a_service_account_reads_a_feed_in_order(live):
    runtime = live.app("notifications").extensions["rbm"]
    consumer = runtime.deps.consumers[0]
    page = consumer.feed.page("identity", 0, 50)
    numbers = [e["seq"] for e in page["events"]]
    assert numbers == sorted(numbers) and numbers[0] >= 1 and page["head"] >= numbers[-1]
    assert all(e["type"].startswith("identity.") for e in page["events"])
