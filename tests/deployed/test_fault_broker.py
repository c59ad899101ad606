"""The broker fails under a burst of report transitions: every connection of the run's vhost is
closed twice and one consumer replica is killed with SIGKILL. Afterwards every event reached the
inbox, every notification exists once, every email was sent (counted at the SMTP sink, where a
duplicate is reported). RBM_FAULT_BURST sets the burst (an even number of transitions)."""

from __future__ import annotations

import collections
import email
import os
import random
import signal
import threading
from concurrent.futures import ThreadPoolExecutor

from deploy.topology import rabbitmqctl
from tests.deployed.conftest import act, draft_reports, new_team
from tests.waiting import eventually

BURST = int(os.environ.get("RBM_FAULT_BURST", "1000"))


def test_broker_faults_mid_burst_lose_and_double_nothing(deployed, gateway, smtp):
    team = new_team(deployed, gateway)
    reporter, head = team.reporter, team.head
    reports = draft_reports(team)

    done = collections.Counter()
    lock = threading.Lock()
    faults: list[str] = []

    def transition(report_id: str, who, action: str) -> None:
        act(who, report_id, action)
        with lock:
            done[action] += 1

    def cycles(report_id: str, count: int) -> None:
        for _ in range(count):
            transition(report_id, reporter, "submit")
            transition(report_id, head, "return")

    def inject() -> None:
        plan = [
            (BURST // 4, "close every connection of the vhost"),
            (BURST // 2, "SIGKILL one notifications-workers replica"),
            (3 * BURST // 4, "close every connection of the vhost"),
        ]
        for at, what in plan:
            eventually(lambda at=at: sum(done.values()) >= at, timeout=300, what=f"{at} done")
            told = deployed.sql(
                "SELECT count(*) FROM notifications.notifications WHERE recipient IN (%s, %s)",
                team.head_name,
                team.reporter_name,
            )[0][0]
            faults.append(f"{what} at {sum(done.values())} transitions, {told} told")
            if what.startswith("SIGKILL"):
                victim = random.choice(deployed.replicas("notifications-workers"))
                victim.signal(signal.SIGKILL)
            else:
                rabbitmqctl("close_all_connections", "--vhost", deployed.vhost, "fault test")

    injector = threading.Thread(target=inject)
    injector.start()
    # Submit-and-return cycles spread over the reports, BURST transitions in all.
    each, more = divmod(BURST // 2, len(reports))
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(cycles, reports, [each + (i < more) for i in range(len(reports))]))
    injector.join()

    placeholders = ",".join(["%s"] * len(reports))
    events = deployed.sql(
        "SELECT id, routing_key FROM workflow.outbox "
        f"WHERE body::json->'data'->>'report_id' IN ({placeholders})",
        *reports,
    )
    expected = {
        (event_id, team.head_name if key.endswith("submitted") else team.reporter_name)
        for event_id, key in events
        if key.endswith(("submitted", "returned"))
    }

    def told():
        rows = deployed.sql("SELECT source, recipient FROM notifications.notifications")
        return set(rows) >= expected and rows

    rows = eventually(told, timeout=300, what="every event in an inbox")
    notified = collections.Counter(r for r in rows if r in expected)
    doubled = sum(1 for count in notified.values() if count > 1)

    def emails():
        rows = deployed.sql(
            "SELECT e.id, e.status FROM notifications.emails e "
            "JOIN notifications.notifications n ON e.key = 'n:' || n.id "
            "WHERE n.recipient IN (%s, %s)",
            team.head_name,
            team.reporter_name,
        )
        return rows if rows and all(status == "sent" for _, status in rows) else None

    sent = eventually(emails, timeout=300, what="every email sent")
    ids = {email_id for email_id, _ in sent}
    received = collections.Counter(
        email.message_from_bytes(m["data"])["X-RBM-Email-Id"] for m in list(smtp.messages)
    )
    missing = [i for i in ids if received[i] == 0]
    duplicated = [i for i in ids if received[i] > 1]
    deployed.restart(victim := next(p for p in deployed.processes if not p.alive))
    print(
        f"\nbroker faults: transitions {dict(done)}; injected: {'; '.join(faults)};"
        f" events {len(events)}, notifications expected {len(expected)}, doubled {doubled};"
        f" emails {len(ids)}, at the sink {sum(received[i] for i in ids)},"
        f" lost {len(missing)}, duplicated {len(duplicated)}; restarted {victim.name}"
    )
    assert sum(done.values()) == BURST and len(faults) == 3
    assert doubled == 0 and not missing
    assert len(expected) == done["submit"] + done["return"]
