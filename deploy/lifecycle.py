"""One runner per data dir (a lock file with pids); its children die with it (common.lifecycle).

The lock file records every process of a run, so that a
start finds what an earlier run on the same data dir left and stops it, or says that another
live runner uses that data dir.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import signal
import time
from pathlib import Path
from typing import Any


def started_at(pid: int) -> str | None:
    """The start time of a live process in clock ticks since boot (tells a reused pid apart)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return None if fields[0] in "ZX" else fields[19]


def alive(process: dict[str, Any]) -> bool:
    pid = int(process.get("pid", 0))
    return pid > 0 and started_at(pid) == process.get("started")


def read_lock(path: Path) -> dict[str, Any]:
    """What a lock file says, read without the lock."""
    try:
        text = path.read_text()
        return json.JSONDecoder().raw_decode(text)[0] if text.strip() else {}
    except (OSError, ValueError):
        return {}


class AlreadyRunning(RuntimeError):
    """Another live runner holds the data dir."""


class DataDirLock:
    """`<data dir>/rbm.lock`: held (flock) by the live runner, listing the processes of its run."""

    def __init__(self, data_dir: Path):
        self.path = data_dir / "rbm.lock"
        self.file = None
        self.state: dict[str, Any] = {}

    def read(self) -> dict[str, Any]:
        return read_lock(self.path)

    def acquire(self, wait_for_stopping: float = 60.0) -> DataDirLock:
        """Take the data dir, first stopping whatever an earlier, dead run left running."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # Not O_APPEND (pwrite would append); O_CLOEXEC: no child keeps the lock after us.
        self.file = os.fdopen(os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC), "r+b")
        deadline = time.monotonic() + wait_for_stopping
        while not self._try_lock():
            holder = self.read()
            if holder.get("state") != "stopping" or time.monotonic() > deadline:
                self.file.close()
                where = f" on {holder['url']}" if holder.get("url") else ""
                raise AlreadyRunning(
                    f"another rbm (pid {holder.get('pid', '?')}{where}) is using the data dir "
                    f"{self.path.parent}; stop it first, or choose another RBM_DATA_DIR"
                )
            time.sleep(0.5)  # an earlier runner is stopping: its processes go in seconds
        left = self.read().get("processes", [])
        stop_leftovers([*left, *(m for p in left[1:] for m in group_members(p))])
        self.state = {"pid": os.getpid(), "state": "starting", "processes": []}
        self.record("runner", os.getpid())
        return self

    def _try_lock(self) -> bool:
        try:
            fcntl.flock(self.file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def record(self, name: str, pid: int) -> None:
        """Add a process to the run, before it can outlive a crash of the runner unrecorded."""
        processes = [p for p in self.state["processes"] if p["name"] != name]
        processes.append({"name": name, "pid": pid, "started": started_at(pid)})
        self.state["processes"] = processes
        self._write()

    def update(self, **fields: Any) -> None:
        self.state.update(fields)
        self._write()

    def _write(self) -> None:
        # One write over the old text, then cut what is left of it: a reader never sees the
        # file empty, at worst the new text followed by the end of the old one.
        text = json.dumps(self.state).encode()
        os.pwrite(self.file.fileno(), text, 0)
        os.truncate(self.file.fileno(), len(text))

    def release(self) -> None:
        if self.file is not None:
            self.update(state="stopped", processes=[])
            self.file.close()  # releases the flock
            self.file = None


def group_members(leader: dict[str, Any]) -> list[dict[str, Any]]:
    """Live processes of the process group a recorded child leads (it started its own session),
    started after it: its own children, which the kernel does not kill when it dies."""
    members = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid = int(stat.parent.name)
        in_group = fields[2] == str(leader["pid"]) and pid != int(leader["pid"])
        if in_group and fields[0] not in "ZX" and int(fields[19]) >= int(leader["started"] or 0):
            members.append({"name": f"{leader['name']} child", "pid": pid, "started": fields[19]})
    return members


def stop_leftovers(processes: list[dict[str, Any]], grace: float = 10.0) -> list[int]:
    """SIGTERM, then SIGKILL after `grace`, to the recorded processes still alive."""
    left = [p for p in processes if alive(p) and int(p["pid"]) != os.getpid()]
    for process in left:
        with contextlib.suppress(ProcessLookupError):
            os.kill(int(process["pid"]), signal.SIGTERM)
    deadline = time.monotonic() + grace
    while any(alive(p) for p in left) and time.monotonic() < deadline:
        time.sleep(0.2)
    for process in left:
        if alive(process):
            with contextlib.suppress(ProcessLookupError):
                os.kill(int(process["pid"]), signal.SIGKILL)
    while any(alive(p) for p in left):
        time.sleep(0.1)
    return [int(p["pid"]) for p in left]
