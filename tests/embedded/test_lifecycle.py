"""One runner per data dir, what a dead run left is stopped, ports the kernel never hands out."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

import pytest

from deploy.lifecycle import AlreadyRunning, DataDirLock, alive, started_at
from deploy.ports import ephemeral_range, free_port


def test_a_second_start_on_a_live_runners_data_dir_says_who_holds_it(tmp_path):
    first = DataDirLock(tmp_path).acquire()
    first.update(url="http://127.0.0.1:8123", state="running")
    try:
        with pytest.raises(AlreadyRunning, match=r"pid \d+ on http://127.0.0.1:8123"):
            DataDirLock(tmp_path).acquire(wait_for_stopping=0)
    finally:
        first.release()
    DataDirLock(tmp_path).acquire().release()


def test_a_start_stops_what_a_dead_run_left_running(tmp_path):
    crashed = DataDirLock(tmp_path).acquire()
    left = subprocess.Popen(["sleep", "60"])
    crashed.record("seaweedfs", left.pid)
    crashed.file.close()  # the runner died: the kernel drops its lock, its file stays
    record = crashed.state["processes"][-1]
    assert alive(record)
    again = DataDirLock(tmp_path).acquire()
    try:
        assert left.wait(15) == -signal.SIGTERM
        assert not alive(record)
    finally:
        again.release()


def test_a_child_dies_with_the_process_that_started_it():
    # A parent that starts a grandchild with the guard, prints its pid and is killed.
    script = (
        "import subprocess, sys, time\n"
        "from deploy.lifecycle import child_dies_with_parent\n"
        "p = subprocess.Popen(['sleep', '60'], preexec_fn=child_dies_with_parent)\n"
        "print(p.pid, flush=True); time.sleep(60)\n"
    )
    parent = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    grandchild = int(parent.stdout.readline())
    record = {"pid": grandchild, "started": started_at(grandchild)}
    parent.kill()
    parent.wait()
    deadline = time.monotonic() + 10
    while alive(record) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not alive(record)


def test_chosen_ports_are_outside_the_kernels_ephemeral_range():
    low, high = ephemeral_range()
    for _ in range(50):
        assert not low <= free_port() <= high
