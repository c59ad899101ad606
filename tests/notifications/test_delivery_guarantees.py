"""Consumers on RabbitMQ: a redelivered event changes nothing, a malformed one is parked in the
dead-letter queue where an administrator can see it, and the rest keep flowing."""

from __future__ import annotations

import threading
import uuid
from collections import defaultdict

import pytest

from common.messaging import BatchConsumer
from tests.notifications.conftest import new_unit, report_data
from tests.waiting import eventually


@pytest.fixture
def handled(live):
    """Each event id the live report consumers finished with, and whether it had any effect
    (spies around the real `handle_batch` and one-by-one `handle`, removed after the test)."""
    consumers = [
        c
        for c in live.app("notifications").extensions["rbm"].deps.consumers
        if isinstance(c, BatchConsumer)
    ]
    outcomes: dict[str, list[bool]] = defaultdict(list)
    lock = threading.Lock()
    for consumer in consumers:

        def batch_spy(envelopes, _real=consumer.handle_batch):
            effective = _real(envelopes)
            with lock:
                for envelope in {e.id: e for e in envelopes}.values():
                    outcomes[envelope.id].append(envelope.id in effective)
            return effective

        def one_spy(envelope, _real=consumer.handle):
            effect = _real(envelope)
            with lock:
                outcomes[envelope.id].append(effect)
            return effect

        consumer.handle, consumer.handle_batch = one_spy, batch_spy
    yield outcomes
    for consumer in consumers:
        del consumer.handle, consumer.handle_batch


def test_redelivering_every_event_creates_no_second_notification_or_email(
    people, publisher, store, handled
):
    unit = new_unit()
    reporter, head, other_head = people(
        (unit, "reporter"), (unit, "unit_head"), (unit, "unit_head")
    )
    envelopes = [
        publisher.envelope(
            "workflow.report.submitted", report_data(unit, "submitted", reporter, reporter)
        )
        for _ in range(20)
    ]
    for envelope in envelopes:
        publisher.send(envelope)
    eventually(lambda: len(store.notifications(recipient=head)) == 20, what="first deliveries")
    for envelope in envelopes:
        publisher.send(envelope)  # the same ids again, as a broker redelivers after a failure
    ids = [e.id for e in envelopes]
    eventually(lambda: all(len(handled[i]) == 2 for i in ids), what="every copy handled")
    assert all(sorted(handled[i]) == [False, True] for i in ids)
    for person in (head, other_head):
        notes = store.notifications(recipient=person)
        assert sorted(n.source for n in notes) == sorted(ids)
        assert all(store.email_of(n) is not None for n in notes)
        assert len(store.emails(recipient=person)) == 20


def test_a_malformed_event_is_dead_lettered_and_the_rest_keep_flowing(
    live, people, publisher, store
):
    unit = new_unit()
    reporter, head = people((unit, "reporter"), (unit, "unit_head"))
    marker = uuid.uuid4().hex
    publisher.raw("workflow.report.submitted", f"{{not json {marker}")
    no_unit = report_data(unit, "submitted", reporter, reporter)
    del no_unit["unit"]
    broken = publisher.event("workflow.report.submitted", no_unit)
    good = publisher.event(
        "workflow.report.submitted", report_data(unit, "submitted", reporter, reporter)
    )
    eventually(lambda: store.recipients(good) == [head], what="the good event handled")
    admin = live.session("admin")

    def parked():
        letters = admin.get("/api/notifications/admin/dead-letters?limit=1000").json()
        return [d for d in letters if d["event_id"] == broken or marker in d["body"]]

    letters = eventually(lambda: len(parked()) == 2 and parked(), what="both dead-lettered")
    by_kind = {("envelope" if d["event_id"] else "raw"): d for d in letters}
    assert "unit" in by_kind["envelope"]["error"]
    assert by_kind["raw"]["error"].startswith("malformed")
    assert store.notifications(source=broken) == []


def test_dead_letters_stay_in_the_queue_when_listed(live, publisher):
    marker = uuid.uuid4().hex
    publisher.raw("workflow.report.approved", f"broken {marker}")
    admin = live.session("admin")

    def listed():
        letters = admin.get("/api/notifications/admin/dead-letters?limit=1000").json()
        return [d for d in letters if marker in d["body"]]

    eventually(listed, what="dead-lettered")
    assert len(listed()) == 1  # listing again finds it again: nothing was taken away


def test_only_administrators_see_dead_letters(as_user):
    resp = as_user("reviewer").get("/api/notifications/admin/dead-letters")
    assert resp.status_code == 403
    assert resp.headers["Content-Type"] == "application/problem+json"


def test_a_redriven_dead_letter_goes_through_its_consumer_again(live, publisher):
    marker = uuid.uuid4().hex
    publisher.raw("workflow.report.endorsed", f"still broken {marker}")
    admin = live.session("admin")

    def parked():
        letters = admin.get("/api/notifications/admin/dead-letters?limit=1000").json()
        return [d for d in letters if marker in d["body"]]

    eventually(parked, what="dead-lettered")
    moved = admin.post("/api/notifications/admin/dead-letters/redrive")
    assert moved.status_code == 200 and moved.json()["moved"] >= 1
    # Still malformed: the consumer parks it again, once.
    (again,) = eventually(parked, what="parked again")
    assert again["error"].startswith("malformed")
