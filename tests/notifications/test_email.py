"""Email over real SMTP (aiosmtpd), sent by a Celery worker subprocess: Thai subject, plain text
and HTML with the report's link; preferences; digest; 4xx, 5xx and a server that is down."""

from __future__ import annotations

import email
import email.policy
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import update

from common.config import from_env
from common.db import make_session_factory, unit_of_work
from common.tasks import worker_dependencies
from services.notifications.delivery import write_digests
from services.notifications.models import Email, Preference
from services.notifications.routines import WorkerDependencies
from services.notifications.service import Message, notify
from services.notifications.tasks import SEND_DIGESTS, SWEEP_EMAILS
from services.notifications.worker import create_celery
from tests.conftest import login
from tests.notifications.conftest import PASSWORD, new_unit, report_data
from tests.waiting import eventually


def mails_to(smtp, address: str) -> list[email.message.EmailMessage]:
    return [
        email.message_from_bytes(m["data"], policy=email.policy.default)
        for m in list(smtp.messages)
        if address in m["to"]
    ]


def address_of(store, username: str) -> str:
    return store.person(username).email


def test_a_submission_emails_the_head_in_thai_with_a_link_to_the_report(
    live, people, publisher, store, smtp, celery_worker
):
    unit = new_unit()
    reporter, head = people((unit, "reporter"), (unit, "unit_head"))
    data = report_data(unit, "submitted", reporter, reporter, kpi="15.1", period="H1")
    publisher.event("workflow.report.submitted", data)
    (mail,) = eventually(lambda: mails_to(smtp, address_of(store, head)), what="email to head")
    assert mail["Subject"].startswith("[rbm] รายงานรอการรับรอง")
    assert "15.1" in mail["Subject"] and "ครึ่งปีแรก" in mail["Subject"]
    link = f"{live.url}/reports/{data['report_id']}"
    text = mail.get_body(("plain",)).get_content()
    html = mail.get_body(("html",)).get_content()
    assert link in text and f'href="{link}"' in html
    assert "กรุณาตรวจสอบและรับรอง" in text and "กรุณาตรวจสอบและรับรอง" in html
    assert mail["Date"] and mail["Auto-Submitted"] == "auto-generated"
    assert mail["Message-ID"].endswith("@localhost>")  # the default RBM_MAIL_FROM's domain
    assert mail["List-Unsubscribe"] == f"<{live.url}/settings/notifications>"


def test_the_email_row_is_marked_sent(people, publisher, store, smtp, celery_worker):
    unit = new_unit()
    reporter, head = people((unit, "reporter"), (unit, "unit_head"))
    event = publisher.event(
        "workflow.report.submitted", report_data(unit, "submitted", reporter, reporter)
    )
    (note,) = eventually(lambda: store.notifications(source=event), what="head told")
    sent = eventually(lambda: (e := store.email_of(note)) and e.status == "sent" and e)
    assert sent.attempts == 1 and sent.sent_at is not None


def test_in_app_only_writes_no_email(live, people, publisher, store):
    unit = new_unit()
    reporter, head = people((unit, "reporter"), (unit, "unit_head"))
    resp = login(live, head, PASSWORD).put(
        "/api/notifications/preferences", json={"submitted": "in_app"}
    )
    assert resp.status_code == 200
    event = publisher.event(
        "workflow.report.submitted", report_data(unit, "submitted", reporter, reporter)
    )
    (note,) = eventually(lambda: store.notifications(source=event), what="head told")
    assert note.delivery == "in_app" and store.email_of(note) is None


def test_digest_kinds_wait_for_one_daily_email_that_lists_them_all(
    live, people, publisher, store, smtp, celery_worker
):
    unit = new_unit()
    reporter, head = people((unit, "reporter"), (unit, "unit_head"))
    login(live, head, PASSWORD).put("/api/notifications/preferences", json={"submitted": "digest"})
    for kpi in ("2.1", "2.2"):
        event = publisher.event(
            "workflow.report.submitted", report_data(unit, "submitted", reporter, reporter, kpi=kpi)
        )
        (note,) = eventually(lambda e=event: store.notifications(source=e), what="head told")
        assert store.email_of(note) is None
    celery = live.app("notifications").extensions["rbm"].deps.celery
    celery.send_task(SEND_DIGESTS, args=["2026-01-15"])
    (mail,) = eventually(lambda: mails_to(smtp, address_of(store, head)), what="the digest")
    assert "สรุปการแจ้งเตือน" in mail["Subject"] and "(2 รายการ)" in mail["Subject"]
    text = mail.get_body(("plain",)).get_content()
    assert "ตัวชี้วัด 2.1" in text and "ตัวชี้วัด 2.2" in text


# --- an SMTP server that refuses --------------------------------------------------------------


@pytest.fixture(scope="module")
def flaky_celery(flaky_worker):
    return create_celery(from_env("notifications", flaky_worker.env))


@pytest.fixture(scope="module")
def flaky_runtime(flaky_celery):
    """The use cases wired to the flaky worker's queue: emails they write go to that worker."""
    return worker_dependencies(flaky_celery, WorkerDependencies)


def tell(runtime, store, usernames: list[str]) -> dict[str, str]:
    """Notify these people through the real use case; returns their email ids by username."""
    people = {name: store.person(name) for name in usernames}
    message = Message("approved", f"test:{uuid.uuid4()}", None, "รายงานได้รับอนุมัติ", "ทดสอบ")
    with unit_of_work(runtime.factory) as session:
        notify(session, runtime.context, people, message)
    return {name: store.emails(recipient=name)[0].id for name in usernames}


def status_of(store, email_id: str):
    return store.emails(id=email_id)[0]


def test_a_5xx_for_one_address_fails_that_email_and_never_blocks_the_others(
    live, people, store, flaky_smtp, flaky_runtime
):
    unit = new_unit()
    names = people((unit, "reporter"), (unit, "reporter"), (unit, "reporter"))
    bounced = names[1]
    flaky_smtp.bounce.add(address_of(store, bounced))
    ids = tell(flaky_runtime, store, names)
    for name in names:
        eventually(lambda n=name: status_of(store, ids[n]).status in ("sent", "failed"))
    assert [status_of(store, ids[n]).status for n in names] == ["sent", "failed", "sent"]
    failed = status_of(store, ids[bounced])
    assert failed.attempts == 1 and failed.last_error.startswith("550")
    listed = live.session("admin").get("/api/notifications/admin/emails?status=failed").json()
    assert ids[bounced] in [e["id"] for e in listed]


def test_a_4xx_is_retried_until_the_server_takes_it(people, store, flaky_smtp, flaky_runtime):
    (name,) = people((new_unit(), "reporter"))
    address = address_of(store, name)
    flaky_smtp.busy[address] = 2
    ids = tell(flaky_runtime, store, [name])
    sent = eventually(lambda: (e := status_of(store, ids[name])).status == "sent" and e)
    assert sent.attempts == 3
    assert len(flaky_smtp.to(address)) == 1


def test_an_email_waits_while_the_server_is_down_and_goes_when_it_is_back(
    people, store, flaky_smtp, flaky_runtime
):
    (name,) = people((new_unit(), "reporter"))
    flaky_smtp.stop()
    try:
        ids = tell(flaky_runtime, store, [name])
        eventually(lambda: status_of(store, ids[name]).attempts >= 2, what="two failed tries")
        assert status_of(store, ids[name]).status in ("pending", "sending")
    finally:
        flaky_smtp.start()
    eventually(lambda: status_of(store, ids[name]).status == "sent", what="sent once back")
    assert len(flaky_smtp.to(address_of(store, name))) == 1


def test_an_administrator_can_send_a_failed_email_again(
    live, people, store, flaky_smtp, flaky_runtime, flaky_celery
):
    (name,) = people((new_unit(), "reporter"))
    address = address_of(store, name)
    flaky_smtp.bounce.add(address)
    ids = tell(flaky_runtime, store, [name])
    eventually(lambda: status_of(store, ids[name]).status == "failed", what="failed")
    flaky_smtp.bounce.discard(address)
    resp = live.session("admin").post(f"/api/notifications/admin/emails/{ids[name]}/retry")
    assert resp.status_code == 200 and resp.json()["status"] == "pending"
    # The live service queued it for its own worker; whichever worker claims it first sends it.
    flaky_celery.send_task("rbm.notifications.send_email", args=[ids[name]])
    eventually(lambda: status_of(store, ids[name]).status == "sent", what="sent again")


def test_only_administrators_see_failed_emails(as_user):
    assert as_user("head1").get("/api/notifications/admin/emails").status_code == 403


def test_an_email_whose_task_was_lost_is_sent_by_the_sweep(
    live, people, store, smtp, celery_worker
):
    (name,) = people((new_unit(), "reporter"))
    runtime = live.app("notifications").extensions["rbm"]
    # A session without the after-commit hook: the row is written, its task never queued.
    lost = make_session_factory(runtime.engine)
    message = Message("approved", f"test:{uuid.uuid4()}", None, "รายงานได้รับอนุมัติ", "ทดสอบ")
    with unit_of_work(lost) as session:
        notify(session, runtime.deps.context, {name: store.person(name)}, message)
    (row,) = store.emails(recipient=name)
    with unit_of_work(lost) as session:
        long_ago = datetime.now(UTC) - timedelta(hours=1)
        session.execute(update(Email).where(Email.id == row.id).values(next_attempt_at=long_ago))
    runtime.deps.celery.send_task(SWEEP_EMAILS)
    eventually(lambda: status_of(store, row.id).status == "sent", what="sent after the sweep")
    assert len(mails_to(smtp, address_of(store, name))) == 1


def test_a_second_digest_run_the_same_day_sends_nothing_more(live, people, store):
    (name,) = people((new_unit(), "reporter"))
    runtime = live.app("notifications").extensions["rbm"]
    factory = runtime.session_factory
    with unit_of_work(factory) as session:
        session.add(Preference(username=name, kind="approved", delivery="digest"))
    for _ in range(2):
        message = Message("approved", f"test:{uuid.uuid4()}", None, "อนุมัติแล้ว", "ทดสอบ")
        with unit_of_work(factory) as session:
            notify(session, runtime.deps.context, {name: store.person(name)}, message)
        write_digests(factory, runtime.deps.context, date(2026, 2, 2))
    (digest,) = store.emails(recipient=name)
    assert digest.key == f"digest:{name}:2026-02-02" and "(1 รายการ)" in digest.subject
    assert [n.digested_at is None for n in store.notifications(recipient=name)] == [False, True]
