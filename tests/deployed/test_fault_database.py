"""The database drops the services' connections twice during a burst of transitions: requests in
flight answer 503 problem+json and are sent again, none answers 500, and every transition the
client was told happened is in the audit trail and the outbox."""

from __future__ import annotations

import collections
import threading
from concurrent.futures import ThreadPoolExecutor

from tests.deployed.conftest import act, draft_reports, new_team
from tests.waiting import eventually

BURST = 200  # transitions: two terminations land mid-burst


def test_connections_terminated_mid_burst_answer_503_and_lose_nothing(deployed, gateway):
    team = new_team(deployed, gateway)
    reports = draft_reports(team)
    answers = collections.Counter()
    accepted = collections.Counter()
    lock = threading.Lock()

    def transition(report_id: str, who, action: str) -> None:
        act(who, report_id, action, answers)
        with lock:
            accepted[report_id] += 1

    def cycles(report_id: str, count: int) -> None:
        for _ in range(count):
            transition(report_id, team.reporter, "submit")
            transition(report_id, team.head, "return")

    terminated = []

    def inject() -> None:
        for at in (BURST // 4, BURST // 2):
            eventually(lambda at=at: sum(accepted.values()) >= at, timeout=300, what=f"{at}")
            rows = deployed.sql(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = %s AND usename <> %s AND pid <> pg_backend_pid()",
                deployed.database,
                deployed.owner_role,
            )
            terminated.append((sum(accepted.values()), len(rows)))

    injector = threading.Thread(target=inject)
    injector.start()
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda r: cycles(r, BURST // (2 * len(reports)) or 1), reports))
    injector.join()

    placeholders = ",".join(["%s"] * len(reports))
    trail = collections.Counter(
        report_id
        for (report_id,) in deployed.sql(
            "SELECT subject_id FROM workflow.audit_entries "
            f"WHERE action IN ('submit', 'return') AND subject_id IN ({placeholders})",
            *reports,
        )
    )
    events = deployed.sql(
        "SELECT count(*) FROM workflow.outbox "
        f"WHERE body::json->'data'->>'report_id' IN ({placeholders}) "
        "AND routing_key IN ('workflow.report.submitted', 'workflow.report.returned')",
        *reports,
    )[0][0]
    print(
        f"\ndatabase faults: connections terminated (after n accepted, how many): {terminated};"
        f" answers {dict(answers)}; accepted {sum(accepted.values())},"
        f" in the audit trail {sum(trail.values())}, events {events}, lost"
        f" {sum((accepted - trail).values())}"
    )
    assert len(terminated) == 2 and all(n > 0 for _, n in terminated)
    assert 500 not in answers
    assert trail == accepted and events == sum(accepted.values())
