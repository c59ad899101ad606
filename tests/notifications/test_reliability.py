"""A Celery worker SIGKILLed in the middle of a batch of 1,000 events, on real RabbitMQ: once it
is back every notification exists exactly once and every email has gone out."""

from __future__ import annotations

import json
import uuid
from collections import Counter

from kombu import Queue

from common.config import from_env
from common.messaging import connect
from services.notifications.tasks import enqueue_emails
from services.notifications.worker import create_celery
from tests.notifications.conftest import new_unit, report_data
from tests.waiting import eventually

BATCH = 1000


def message_ids(smtp, address: str) -> list[str]:
    """The X-RBM-Email-Id of every message the SMTP server took for this address."""
    found = []
    for message in list(smtp.messages):
        if address in message["to"]:
            for line in message["data"].split(b"\r\n"):
                if line.startswith(b"X-RBM-Email-Id:"):
                    found.append(line.split(b":", 1)[1].strip().decode())
    return found


def test_a_worker_killed_mid_batch_loses_and_doubles_no_notification(
    people, publisher, store, smtp, celery_worker
):
    unit = new_unit()
    reporter, head = people((unit, "reporter"), (unit, "unit_head"))
    address = store.person(head).email
    events = [
        publisher.event(
            "workflow.report.submitted", report_data(unit, "submitted", reporter, reporter)
        )
        for _ in range(BATCH)
    ]
    eventually(lambda: len(message_ids(smtp, address)) >= 100, what="a tenth of the emails sent")
    celery_worker.kill()
    assert len(set(message_ids(smtp, address))) < BATCH  # killed in the middle of the batch
    celery_worker.start()

    def all_sent():
        emails = store.emails(recipient=head)
        return len(emails) == BATCH and all(e.status == "sent" for e in emails) and emails

    emails = eventually(all_sent, timeout=180, interval=1, what="every email sent")
    notes = store.notifications(recipient=head)
    assert len(notes) == BATCH and sorted(n.source for n in notes) == sorted(events)
    received = Counter(message_ids(smtp, address))
    assert set(received) == {e.id for e in emails}
    # SMTP is not transactional: an email in flight at the kill (one per worker thread) may
    # have been accepted before its row said so; it goes out again, nothing else does.
    assert sum(received.values()) - len(received) <= celery_worker.concurrency


def test_an_email_task_carries_only_the_email_id(live, rabbitmq):
    """No addresses, text or file bytes travel through the broker: the worker reads the row."""
    env = {**live.env, "RBM_QUEUE_PREFIX": f"{live.env['RBM_QUEUE_PREFIX']}.peek"}
    celery = create_celery(from_env("notifications", env))
    queue = celery.conf.task_default_queue
    email_id = str(uuid.uuid4())
    enqueue_emails(celery, [email_id])
    with connect(rabbitmq.url) as conn:
        message = Queue(queue, no_declare=True)(conn.channel()).get(no_ack=True)
    args, kwargs, _ = json.loads(message.body)
    assert args == [email_id] and kwargs == {}
    assert len(message.body) < 300
