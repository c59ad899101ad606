"""`make run`: the whole system on one machine, in the foreground until Ctrl-C.

SeaweedFS (unless RBM_S3_ENDPOINT points elsewhere), a local SMTP sink (unless RBM_SMTP_HOST is
set), every service under one origin, their outbox relays and event consumers, and the Celery
worker with beat. SQLite files and the kombu filesystem broker live under RBM_DATA_DIR.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import structlog
from waitress.server import create_server

from common import logging as rbm_logging
from deploy import demo_activity
from deploy.mailsink import MailSink
from deploy.seaweedfs import SeaweedFS
from services.identity.demo import DEMO_PASSWORD, DEMO_USERS
from services.system import build_system

log = structlog.get_logger("rbm.embedded")


def _backing_services(env: dict[str, str], data_dir: Path, stack: list) -> None:
    """Start what the environment does not already point at, and say where it is."""
    if not env.get("RBM_S3_ENDPOINT"):
        seaweed = SeaweedFS(data_dir / "seaweedfs").start()
        stack.append(seaweed.stop)
        env.update(seaweed.env())
    if not env.get("RBM_SMTP_HOST"):
        sink = MailSink(data_dir / "mail").start()
        stack.append(sink.stop)
        env.update(sink.env())


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
    lines.append("Press Ctrl-C to stop.")
    return "\n".join(lines)


# Celery workers: notifications (email, reminders), evidence (packs).
WORKERS = ("services.notifications.worker", "services.evidence.worker")


def _start_celery(env: dict[str, str], stack: list, module: str) -> None:
    proc = subprocess.Popen([sys.executable, "-m", module], env=env, start_new_session=True)

    def stop() -> None:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)

    stack.append(stop)


def _demo_reports(url: str) -> None:
    """The current year's demo reports, written through the APIs once the system answers."""
    try:
        demo_activity.seed(url)
    except Exception as exc:  # noqa: BLE001 - the system runs on without its demo reports
        log.warning("demo_reports_failed", error=str(exc))


def main() -> int:
    started = time.monotonic()
    rbm_logging.configure()
    env = dict(os.environ)
    data_dir = Path(env.setdefault("RBM_DATA_DIR", "./var")).resolve()
    env["RBM_DATA_DIR"] = str(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    port = int(env.setdefault("RBM_PORT", "8000"))
    env.setdefault("RBM_GATEWAY_URL", f"http://127.0.0.1:{port}")
    stack: list = []  # what to stop, in reverse order
    stopping = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stopping.set())
    try:
        _backing_services(env, data_dir, stack)
        system = build_system(env)
        stack.append(system.shutdown)
        server = create_server(system.wsgi, host="127.0.0.1", port=port, threads=16)
        stack.append(server.close)
        threading.Thread(target=server.run, name="http", daemon=True).start()
        system.start_workers()
        for module in WORKERS:
            _start_celery(env, stack, module)
        if env.get("RBM_DEMO", "") in ("1", "true"):
            threading.Thread(
                target=_demo_reports, args=(env["RBM_GATEWAY_URL"],), daemon=True
            ).start()
        print(_banner(env["RBM_GATEWAY_URL"], env, started, data_dir), flush=True)
        stopping.wait()
        print("\nstopping rbm ...", flush=True)
    finally:
        for stop in reversed(stack):
            try:
                stop()
            except Exception as exc:  # noqa: BLE001 - stop everything else anyway
                log.warning("stop_failed", error=str(exc))
    print("rbm stopped.", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
