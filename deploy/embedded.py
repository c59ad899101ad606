"""`make run`: the whole system on one machine, in the foreground until Ctrl-C.

SeaweedFS (unless RBM_S3_ENDPOINT points elsewhere), a local SMTP sink (unless RBM_SMTP_HOST is
set), every service under one origin, their outbox relays and event consumers, and the Celery
worker with beat. SQLite files and the kombu filesystem broker live under RBM_DATA_DIR.

One runner per data dir: `<data dir>/rbm.lock` names it, its port and its processes. Its
children die with it (even after SIGKILL), a child that dies is started again, and a start
after a crash first stops whatever the crashed run left. `RBM_PORT=0` serves on a port the
kernel picks, written to the lock file and the banner.
"""

from __future__ import annotations

import errno
import gc
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import structlog
from waitress.server import create_server

from common import logging as rbm_logging
from common.lifecycle import child_dies_with_parent, die_with_parent
from deploy import demo_department
from deploy.lifecycle import AlreadyRunning, DataDirLock
from deploy.mailsink import MailSink
from deploy.migrate import migrate_all, with_database
from deploy.seaweedfs import SeaweedFS
from services.identity.demo import DEMO_PASSWORD, DEMO_USERS
from services.system import build_system

log = structlog.get_logger("rbm.embedded")


@dataclass
class Child:
    """A process the runner keeps running: started again if it dies, stopped with the runner."""

    name: str
    start: Callable[[], subprocess.Popen]
    stop: Callable[[], None]
    lock: DataDirLock
    process: subprocess.Popen | None = None

    def run(self) -> None:
        self.process = self.start()
        self.lock.record(self.name, self.process.pid)

    def keep_alive(self) -> None:
        if self.process is not None and (code := self.process.poll()) is not None:
            log.warning("process_died", process=self.name, code=code)
            self.run()


def _seaweedfs(env: dict[str, str], data_dir: Path, lock: DataDirLock, stack: list) -> Child:
    seaweed = SeaweedFS(data_dir / "seaweedfs")

    def start() -> subprocess.Popen:
        seaweed.start()  # on the same S3 port again after a restart
        env.update(seaweed.env())
        return seaweed.process

    child = Child("seaweedfs", start, seaweed.stop, lock)
    child.run()
    stack.append(seaweed.stop)
    return child


def _celery(env: dict[str, str], lock: DataDirLock, stack: list, module: str) -> Child:
    holder: list[subprocess.Popen] = []

    def start() -> subprocess.Popen:
        holder[:] = [
            subprocess.Popen(
                [sys.executable, "-m", module],
                env=env,
                start_new_session=True,
                preexec_fn=child_dies_with_parent,  # noqa: PLW1509 - no Python runs before exec
            )
        ]
        return holder[0]

    def stop() -> None:
        proc = holder[0]
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)

    child = Child(f"celery {module.split('.')[1]}", start, stop, lock)
    child.run()
    stack.append(stop)
    return child


def _banner(url: str, env: dict[str, str], started: float, data_dir: Path) -> str:
    lines = [
        "",
        f"rbm is running on {url}  (ready in {time.monotonic() - started:.1f} s)",
        f"  data: {data_dir}   emails: {data_dir / 'mail'}",
    ]
    if env.get("RBM_DEMO", "") in ("1", "true"):
        lines.append(f"  demo logins (password '{DEMO_PASSWORD}'):")
        for name, _, memberships in DEMO_USERS:
            held = ", ".join(f"{role} of {unit}" for unit, role in memberships)
            lines.append(f"    {name:<10} {held}")
        if env.get("RBM_DEMO_SIZE") == "department":
            lines.append(demo_department.BANNER)
    lines.append("Press Ctrl-C to stop.")
    return "\n".join(lines)


def _serve(env: dict[str, str], port: int):
    """Bind the one origin before the services are built: they need its URL."""
    try:
        server = create_server(_not_yet, host="127.0.0.1", port=port, threads=16)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise AlreadyRunning(f"port {port} is in use: set RBM_PORT to a free one") from exc
        raise
    env["RBM_PORT"] = str(server.effective_port)
    env.setdefault("RBM_GATEWAY_URL", f"http://127.0.0.1:{server.effective_port}")
    return server


def _not_yet(_environ, start_response):
    start_response(
        "503 Service Unavailable", [("Content-Type", "text/plain"), ("Retry-After", "1")]
    )
    return [b"rbm is starting\n"]


# Celery workers: notifications (email, reminders), evidence (packs).
WORKERS = ("services.notifications.worker", "services.evidence.worker")


def _run(env: dict[str, str], data_dir: Path, lock: DataDirLock, stack: list, stopping) -> None:
    started = time.monotonic()
    server = _serve(env, int(env.setdefault("RBM_PORT", "8000")))
    stack.append(server.close)
    threading.Thread(target=server.run, name="http", daemon=True).start()
    lock.update(url=env["RBM_GATEWAY_URL"])
    children = []
    if not env.get("RBM_S3_ENDPOINT"):
        children.append(_seaweedfs(env, data_dir, lock, stack))
    if not env.get("RBM_SMTP_HOST"):
        sink = MailSink(data_dir / "mail").start()
        stack.append(sink.stop)
        env.update(sink.env())
    migrate_all(with_database(), env)  # and the seed data: the apps start on stores at head
    system = build_system(env)
    stack.append(system.shutdown)
    gc.freeze()  # as deploy/wsgi.py: what starting made stays out of every full collection
    server.application = system.wsgi
    system.start_workers()
    children.extend(_celery(env, lock, stack, module) for module in WORKERS)
    if env.get("RBM_DEMO", "") in ("1", "true"):
        threading.Thread(
            target=_demo_reports,
            args=(env["RBM_GATEWAY_URL"], env.get("RBM_DEMO_SIZE", "department")),
            name="demo",
            daemon=True,
        ).start()
    lock.update(state="running")
    print(_banner(env["RBM_GATEWAY_URL"], env, started, data_dir), flush=True)
    while not stopping.wait(1.0):
        for child in children:
            child.keep_alive()
    lock.update(state="stopping")
    print("\nstopping rbm ...", flush=True)


def _demo_reports(url: str, size: str) -> None:
    """The demo department of the current year, written through the APIs once the system
    answers (RBM_DEMO_SIZE: small or department)."""
    try:
        demo_department.seed(url, size)
    except Exception as exc:  # noqa: BLE001 - the system runs on without its demo reports
        log.warning("demo_reports_failed", error=str(exc))


def main() -> int:
    # Started by `make run` or a test: if that parent goes, stop as on Ctrl-C.
    die_with_parent(signal.SIGTERM)
    rbm_logging.configure()
    env = dict(os.environ)
    data_dir = Path(env.setdefault("RBM_DATA_DIR", "./var")).resolve()
    env["RBM_DATA_DIR"] = str(data_dir)
    if env.setdefault("RBM_DEMO_SIZE", "department") not in demo_department.SIZES:
        print(
            f"rbm: RBM_DEMO_SIZE must be one of {', '.join(demo_department.SIZES)}", file=sys.stderr
        )
        return 1
    stopping = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stopping.set())
    try:
        lock = DataDirLock(data_dir).acquire()
    except AlreadyRunning as exc:
        print(f"rbm: {exc}", file=sys.stderr, flush=True)
        return 1
    stack: list = []  # what to stop, in reverse order
    try:
        _run(env, data_dir, lock, stack, stopping)
    except AlreadyRunning as exc:
        print(f"rbm: {exc}", file=sys.stderr, flush=True)
        return 1
    finally:
        lock.update(state="stopping")
        for stop in reversed(stack):
            try:
                stop()
            except Exception as exc:  # noqa: BLE001 - stop everything else anyway
                log.warning("stop_failed", error=str(exc))
        lock.release()
    print("rbm stopped.", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
