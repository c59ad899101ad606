"""The deployed topology (deploy/topology.py: gunicorn replicas behind nginx, RabbitMQ quorum
queues, PostgreSQL roles, SeaweedFS) measured through its gateway.

1. A burst of report transitions (RBM_BENCH_BURST, default 1,000) through the gateway, with two
   notifications-workers replicas and then with one: commit (the event's outbox row) to inbox
   (the head's notification row) p95, and events per second drained from a backlog of the same
   size (consumers stopped while it is committed, then started). The ratio says whether a second
   consumer replica helps.
2. A 40 MB upload through nginx and the evidence service against a raw S3 `put_object` of the
   same bytes into the same bucket (medians of 3).
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from io import BytesIO
from pathlib import Path

from bench.bench_evidence import MB, pdf_of
from deploy.mailsink import MailSink
from deploy.topology import Topology

BURST = int(os.environ.get("RBM_BENCH_BURST", "1000"))


def _wait(probe, timeout: float = 600, interval: float = 0.2):
    deadline = time.monotonic() + timeout
    while not (value := probe()):
        if time.monotonic() > deadline:
            raise RuntimeError("timed out")
        time.sleep(interval)
    return value


def burst(topology: Topology, gateway, team) -> list[str]:
    """BURST transitions (submit, return, submit, ...) spread over 24 reports of the team, four
    clients at once; returns the report ids."""
    from tests.deployed.conftest import act, draft_reports

    reports = draft_reports(team)
    share, extra = divmod(BURST, len(reports))

    def transitions(numbered: tuple[int, str]) -> None:
        number, report_id = numbered
        for step in range(share + (number < extra)):
            who, action = (team.reporter, "submit") if step % 2 == 0 else (team.head, "return")
            act(who, report_id, action)

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(transitions, enumerate(reports)))
    return reports


def delays(topology: Topology, team, reports: list[str]) -> list[tuple]:
    """(outbox created_at, notification created_at) of each submission, once all arrived."""
    marks = ",".join(["%s"] * len(reports))
    expected = topology.sql(
        "SELECT count(*) FROM workflow.outbox WHERE routing_key = 'workflow.report.submitted' "
        f"AND body::json->'data'->>'report_id' IN ({marks})",
        *reports,
    )[0][0]
    query = (
        "SELECT o.created_at, n.created_at FROM workflow.outbox o "
        "JOIN notifications.notifications n ON n.source = o.id::text AND n.recipient = %s "
        f"WHERE o.body::json->'data'->>'report_id' IN ({marks})"
    )
    return _wait(lambda: (rows := topology.sql(query, team.head_name, *reports)) and len(rows)
                 >= expected and rows)  # fmt: skip


def consumers(topology: Topology, replicas: int, gateway) -> tuple[float, float]:
    """p95 commit-to-inbox (s) of a live burst, and events/s drained from a backlog."""
    from tests.deployed.conftest import new_team

    workers = topology.replicas("notifications-workers")
    for proc in workers[replicas:]:
        proc.stop()
    team = new_team(topology, gateway)
    pairs = delays(topology, team, burst(topology, gateway, team))
    waits = sorted((inbox - commit).total_seconds() for commit, inbox in pairs)
    p95 = waits[int(0.95 * (len(waits) - 1))]

    backlog_team = new_team(topology, gateway)
    for proc in workers[:replicas]:
        proc.stop()
    reports = burst(topology, gateway, backlog_team)
    for proc in workers[:replicas]:
        proc.start()
    # From the first event handled to the last: the workers' own start is not counted.
    handled = sorted(inbox for _, inbox in delays(topology, backlog_team, reports))
    rate = (len(handled) - 1) / (handled[-1] - handled[0]).total_seconds()
    for proc in workers[replicas:]:
        proc.start()
    return p95, rate


def uploads(topology: Topology, gateway, root: Path) -> tuple[float, float]:
    """Median MB/s of a 40 MB upload through the gateway, and of a raw S3 PUT."""
    path = pdf_of(root / "forty.pdf", 40 * MB)
    data = path.read_bytes()
    token = gateway.session("reporter1").headers["Authorization"]
    via_gateway, raw = [], []
    client = topology.seaweedfs.client()
    for n in range(3):
        started = time.perf_counter()
        out = subprocess.run(
            [
                "curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", "-H", "Expect:",
                "-H", f"Authorization: {token}",
                "-F", "unit=R1", "-F", "year=2547", "-F", "kpi=2.1", "-F", f"period=M{n + 4:02d}",
                "-F", f"file=@{path};filename=หลักฐาน.pdf",
                f"{topology.url}/api/evidence/files",
            ],
            check=True, capture_output=True, text=True,
        )  # fmt: skip
        assert out.stdout == "201", out.stdout
        via_gateway.append(40 / (time.perf_counter() - started))
        started = time.perf_counter()
        client.put_object(topology.bucket, f"bench/raw-{n}", BytesIO(data), len(data))
        raw.append(40 / (time.perf_counter() - started))
    return statistics.median(via_gateway), statistics.median(raw)


def main() -> int:
    from tests.deployed.conftest import Client

    root = Path(tempfile.mkdtemp(prefix="rbm-bench-deployed-"))
    sink = MailSink(root / "mail").start()
    topology = Topology(root / "topology", sink.port)
    try:
        topology.start()
        gateway = Client(topology)
        two = consumers(topology, 2, gateway)
        one = consumers(topology, 1, gateway)
        print(f"burst of {BURST} transitions through the gateway, commit to inbox:")
        for name, (p95, rate) in (("2 consumer replicas", two), ("1 consumer replica ", one)):
            print(f"  {name}: p95 {p95:.2f} s, backlog drained at {rate:.0f} events/s")
        print(f"  events/s two against one: {two[1] / one[1]:.2f}x")
        gateway_mbs, raw_mbs = uploads(topology, gateway, root)
        print(
            f"40 MB upload: through nginx {gateway_mbs:.0f} MB/s, raw S3 PUT {raw_mbs:.0f} MB/s,"
            f" ratio {gateway_mbs / raw_mbs:.2f}"
        )
    finally:
        topology.stop()
        sink.stop()
        shutil.rmtree(root, ignore_errors=True)
    return 0
