"""`make run` starts every time: after Ctrl-C, after SIGKILL of any of its processes, on ports
that nothing else takes in the meantime. Each round ends its run a different way and the next
round's start must serve, with nothing of the earlier run left.

RBM_TEST_RESTARTS rounds (2 by default, the power-cut test kills the runner; 5 ends a run each
way once; 20 for a longer proof).
"""

from __future__ import annotations

import os
import signal
from itertools import cycle, islice
from pathlib import Path

import pytest

from deploy.lifecycle import alive, group_members
from tests.embedded.test_make_run import MakeRun, processes_using
from tests.waiting import eventually

# Starts a whole system of its own (make run, or an embedded one).
pytestmark = pytest.mark.system

ROUNDS = int(os.environ.get("RBM_TEST_RESTARTS", "2"))
ENDINGS = ("kill make", "ctrl-c", "kill runner", "kill seaweedfs", "kill celery")


def recorded(run: MakeRun, name: str) -> dict:
    return next(p for p in run.lock()["processes"] if p["name"] == name)


def end(run: MakeRun, how: str) -> None:
    """End a run the way `how` says; afterwards none of its processes may be left."""
    if how == "ctrl-c":
        assert "rbm stopped." in run.interrupt()
    elif how == "kill make":
        runner = recorded(run, "runner")
        os.kill(run.proc.pid, signal.SIGKILL)
        run.proc.wait()
        # The runner stops as on Ctrl-C when its parent goes.
        eventually(lambda: not alive(runner), timeout=90)
    elif how == "kill runner":
        os.kill(int(recorded(run, "runner")["pid"]), signal.SIGKILL)
        run.proc.wait(30)
    else:  # a child of the runner dies: it is started again, then the run is stopped
        victim = recorded(run, how.removeprefix("kill "))
        os.kill(int(victim["pid"]), signal.SIGKILL)
        eventually(lambda: alive(recorded(run, victim["name"])), timeout=90)
        assert "rbm stopped." in run.interrupt()
    run.log.close()


@pytest.mark.slow
def test_every_start_serves_whatever_ended_the_run_before(tmp_path, repo_root):
    data_dir = tmp_path / "var"
    previous: list[dict] = []
    for round_, how in enumerate(islice(cycle(ENDINGS), ROUNDS)):
        run = MakeRun(repo_root, data_dir)
        try:
            run.wait_ready()
            assert not [p for p in previous if alive(p)], f"round {round_}: left from before"
            previous = run.lock()["processes"]
            previous += [m for p in previous[1:] for m in group_members(p)]
        except BaseException:
            os.killpg(run.proc.pid, signal.SIGKILL)
            print(Path(run.log.name).read_text(errors="replace")[-3000:])
            raise
        end(run, how)
    eventually(lambda: not [p for p in previous if alive(p)], timeout=30)
    assert processes_using(data_dir) == []
