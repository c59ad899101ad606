"""One runner per data dir, what a dead run left is stopped, ports the kernel never hands out."""

from __future__ import annotations

import signal
import subprocess
import sys

import pytest

from deploy.lifecycle import AlreadyRunning, DataDirLock, alive, started_at
from deploy.ports import ephemeral_range, free_port
from tests.waiting import eventually


def test_a_second_start_on_a_live_runners_data_dir_says_who_holds_it(tmp_path):
    first = DataDirLock(tmp_path).acquire()
    first.update(url="http://127.0.0.1:8123", state="running")
    try:
        with pytest.raises(AlreadyRunning, match=r"pid \d+ on http://127.0.0.1:8123"):
            DataDirLock(tmp_path).acquire(wait_for_stopping=0)
    finally:
        first.release()
    DataDirLock(tmp_path).acquire().release()


def test_a_start_stops_what_a_dead_run_left_running_with_its_children(tmp_path):
    crashed = DataDirLock(tmp_path).acquire()
    # A child in a session of its own that started a child of its own (Celery's beat, say).
    child = subprocess.Popen(
        ["sh", "-c", "sleep 60 & echo $!; wait"], stdout=subprocess.PIPE, start_new_session=True
    )
    grandchild = int(child.stdout.readline())
    crashed.record("celery", child.pid)
    crashed.file.close()  # the runner died: the kernel drops its lock, its file stays
    leader = crashed.state["processes"][-1]
    orphan = {"pid": grandchild, "started": started_at(grandchild)}
    assert alive(leader) and alive(orphan)
    again = DataDirLock(tmp_path).acquire()
    try:
        assert child.wait(15) == -signal.SIGTERM
        assert not alive(leader) and not alive(orphan)
    finally:
        again.release()


def test_a_child_dies_with_the_process_that_started_it():
    # A parent that starts a grandchild with the guard, prints its pid and is killed.
    script = (
        "import subprocess, sys, time\n"
        "from common.lifecycle import child_dies_with_parent\n"
        "p = subprocess.Popen(['sleep', '60'], preexec_fn=child_dies_with_parent)\n"
        "print(p.pid, flush=True); time.sleep(60)\n"
    )
    parent = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    grandchild = int(parent.stdout.readline())
    record = {"pid": grandchild, "started": started_at(grandchild)}
    parent.kill()
    parent.wait()
    eventually(lambda: not alive(record), timeout=10, interval=0.05, what="the grandchild gone")


def test_chosen_ports_are_outside_the_kernels_ephemeral_range():
    low, high = ephemeral_range()
    for _ in range(50):
        assert not low <= free_port() <= high
