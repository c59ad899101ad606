"""A power cut in the middle of a burst of report submissions loses no notification and
doubles none: the embedded broker drops what a consumer had taken, and the consumer catches up
from workflow's feed when the system is started again. To make that loss certain rather than
a matter of timing, the test also takes messages away from the consumer during the burst.

RBM_TEST_POWER_CUTS: cuts per way of dying (1 by default; 10 for the longer proof). Each way
prints `lost=… duplicated=…` per cut.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from deploy.lifecycle import alive, group_members
from tests.embedded.test_make_run import MakeRun

# Starts a whole system of its own (make run, or an embedded one).
pytestmark = pytest.mark.system

CUTS = int(os.environ.get("RBM_TEST_POWER_CUTS", "1"))
REPORTS = 24


class Client:
    def __init__(self, run: MakeRun, username: str):
        self.url = run.url
        self.http = requests.Session()
        self.http.headers.update(run.token(username))

    def get(self, path: str, **params):
        resp = self.http.get(f"{self.url}{path}", params=params, timeout=30)
        assert resp.status_code == 200, resp.text
        return resp.json()

    def post(self, path: str, body: dict) -> requests.Response:
        return self.http.post(f"{self.url}{path}", json=body, timeout=30)


def drafts(reporter: Client, count: int) -> list[str]:
    """`count` new reports of unit R1, whichever KPIs and periods take one."""
    made: list[str] = []
    for kpi in ("2.1", "2.2", "1.2", "3.2", "4.1", "6.1"):
        for period in [f"M{m:02d}" for m in range(1, 13)] + ["Q1", "Q2", "Q3", "Q4", "H1", "Y"]:
            body = {"year": 2547, "kpi": kpi, "unit": "R1", "period": period}
            resp = reporter.post("/api/workflow/reports", body)
            if resp.status_code == 201:
                made.append(resp.json()["id"])
                if len(made) == count:
                    return made
    raise AssertionError(f"only {len(made)} reports could be made")


def submit(reporter: Client, report_id: str) -> int:
    try:
        path = f"/api/workflow/reports/{report_id}/transitions"
        return reporter.post(path, {"action": "submit"}).status_code
    except requests.RequestException:
        return 0  # cut off: committed or not, the report's state says


def cut(run: MakeRun, how: str) -> list[dict]:
    """Kill the run at once; returns its processes (none may be left)."""
    processes = run.lock()["processes"]
    children = [m for p in processes[1:] for m in group_members(p)]  # Celery's beat
    victims = [*processes, *children] if how == "everything" else processes[:1]
    for process in victims:
        os.kill(int(process["pid"]), signal.SIGKILL)
    if how == "everything":
        os.kill(run.proc.pid, signal.SIGKILL)
    run.proc.wait(30)
    run.log.close()
    return [*processes, *children]


class Thief(threading.Thread):
    """Takes messages for notifications' report consumers out of the filesystem broker while
    it runs: what a crash does to the messages they had taken and not handled yet."""

    def __init__(self, data_dir):
        super().__init__(daemon=True)
        self.folder = data_dir / "broker" / "data"
        self.stop = threading.Event()
        self.taken = 0

    def run(self) -> None:
        while not self.stop.wait(0.005):
            for message in self.folder.glob("*.rbm.notifications.reports.msg"):
                with contextlib.suppress(FileNotFoundError):  # the consumer was faster
                    message.unlink()
                    self.taken += 1


def told_once(head: Client, ours: set[str], submitted: set[str], timeout: float = 120) -> Counter:
    """The head's `submitted` notifications per report of `ours` (the demo's own reports tell
    the head too), once every submitted one arrived and the consumers have read workflow's
    whole feed (after which nothing more can come)."""
    deadline = time.monotonic() + timeout
    while True:
        items = head.get("/api/notifications/inbox", limit=100)
        per_report = Counter(
            i["report_id"] for i in items if i["kind"] == "submitted" and i["report_id"] in ours
        )
        lag = requests.get(f"{head.url}/api/notifications/readyz", timeout=10).json()["lag"]
        read_all = lag.get("notifications.reports", {}).get("workflow") == 0
        if (submitted <= set(per_report) and read_all) or time.monotonic() > deadline:
            return per_report
        time.sleep(1)


@pytest.mark.slow
@pytest.mark.parametrize("how", ["everything", "runner"])
def test_a_cut_in_a_burst_loses_and_doubles_no_notification(tmp_path, repo_root, how):
    for number in range(CUTS):
        data_dir = tmp_path / f"cut{number}" / "var"
        first = MakeRun(repo_root, data_dir)
        first.wait_ready()
        reporter = Client(first, "reporter1")
        reports = drafts(reporter, REPORTS)
        thief = Thief(data_dir)
        thief.start()
        with ThreadPoolExecutor(1) as pool:  # one after the other, as people do
            answers = [pool.submit(submit, reporter, r) for r in reports]
            while sum(a.done() for a in answers) < REPORTS // 2:
                time.sleep(0.01)
            before = cut(first, how)
        thief.stop.set()
        thief.join()
        assert any(a.result() == 200 for a in answers)

        second = MakeRun(repo_root, data_dir)
        try:
            second.wait_ready()
            assert not [p for p in before if alive(p)], "left from the first run"
            reporter, head = Client(second, "reporter1"), Client(second, "head1")
            states = {r: reporter.get(f"/api/workflow/reports/{r}")["state"] for r in reports}
            submitted = {r for r, state in states.items() if state == "submitted"}
            answered = {r for r, a in zip(reports, answers, strict=True) if a.result() == 200}
            assert answered <= submitted
            per_report = told_once(head, set(reports), submitted)
            lost = len(submitted - set(per_report))
            duplicated = sum(n - 1 for n in per_report.values() if n > 1)
            print(
                f"cut {number} ({how}): submitted={len(submitted)} taken={thief.taken} "
                f"lost={lost} duplicated={duplicated}"
            )
            assert (lost, duplicated) == (0, 0)
            assert set(per_report) <= submitted
            verify = Client(second, "admin").get("/api/workflow/audit/verify")
            assert verify["intact"], verify
        finally:
            assert "rbm stopped." in second.interrupt()
