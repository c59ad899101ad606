"""gunicorn settings shared by every rbm service; GUNICORN_CMD_ARGS overrides any of them."""

import os

bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "gthread"
threads = int(os.environ.get("RBM_WEB_THREADS", "4"))
# Evidence uploads of up to 50 MB over a slow line need more than the default 30 s.
timeout = 120
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then so that a slow leak never grows without bound.
max_requests = 5000
max_requests_jitter = 500
# Every service logs each request itself, as JSON with its request id.
accesslog = None
errorlog = "-"
# Only the gateway reaches a service: trust its X-Forwarded-Proto and -For.
forwarded_allow_ips = "*"

# /metrics sums the counters of every worker (prometheus-client's multiprocess mode): each
# process writes its own files to this folder, emptied when the server starts.
os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", f"/tmp/rbm-metrics-{os.getpid()}")


def on_starting(server):
    import shutil

    folder = os.environ["PROMETHEUS_MULTIPROC_DIR"]
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder, exist_ok=True)


def on_exit(server):
    import shutil

    shutil.rmtree(os.environ["PROMETHEUS_MULTIPROC_DIR"], ignore_errors=True)


def child_exit(server, worker):
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
