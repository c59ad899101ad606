"""`python -m deploy.workers SERVICE`: one service's outbox relay and event consumers.

The web processes of a deployed service only answer HTTP; this process runs its background
loops until SIGTERM or SIGINT, then lets each finish its current pass. If a loop dies on its
own the process exits non-zero, so that the orchestrator restarts it.
"""

from __future__ import annotations

import signal
import sys
import threading

import structlog

from common.web import runtime_of
from deploy.wsgi import create_app

log = structlog.get_logger("rbm.workers")


def main(argv: list[str]) -> int:
    app = create_app(argv[0] if argv else None)
    runtime = runtime_of(app)
    service = runtime.settings.service
    if not runtime.workers:
        log.error("no_workers", service=service)
        return 2
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    threads = [
        threading.Thread(target=w.run, args=(stop,), name=type(w).__name__, daemon=True)
        for w in runtime.workers
    ]
    for thread in threads:
        thread.start()
    log.info("workers_started", service=service, workers=[t.name for t in threads])
    code = 0
    while not stop.wait(2.0):
        if dead := [t.name for t in threads if not t.is_alive()]:
            log.error("worker_died", service=service, workers=dead)
            code = 1
            stop.set()
    for thread in threads:
        thread.join(timeout=20)
    if runtime.engine is not None:
        runtime.engine.dispose()
    log.info("workers_stopped", service=service, code=code)
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
