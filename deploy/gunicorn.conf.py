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
