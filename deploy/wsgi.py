"""One service as a WSGI app, for deployed mode: one gunicorn deployment per service.

    RBM_SERVICE=identity SCRIPT_NAME=/api/identity gunicorn -c deploy/gunicorn.conf.py \
        'deploy.wsgi:create_app()'

or `gunicorn 'deploy.wsgi:create_app(service="identity")'`. The gateway passes `/api/identity/...`
through unchanged; gunicorn moves the `SCRIPT_NAME` prefix out of the path, so the service sees
`/token` and the URLs it builds keep the prefix. The portal runs with no prefix.

A service's store must be migrated first (`python -m deploy.migrate`, compose's `migrate`, the
Kubernetes Job): a service started on a store behind its migrations stops, saying so.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Mapping

from flask import Flask

from services.system import SERVICES, create_service

# Secrets every replica must share: generated ones would differ from replica to replica.
SHARED_SECRETS = {
    # Identity checks every service account's password; each other service knows its own.
    "RBM_SERVICE_SECRET": ("identity",),
    "RBM_SERVICE_PASSWORD": tuple(s for s in SERVICES if s != "identity"),
    "RBM_JWT_PRIVATE_KEY": ("identity",),
    "RBM_PORTAL_SECRET": ("portal",),
}


def service_name(service: str | None, env: Mapping[str, str]) -> str:
    name = service or env.get("RBM_SERVICE", "")
    if name not in SERVICES:
        raise SystemExit(f"Name the service to run (RBM_SERVICE): one of {', '.join(SERVICES)}.")
    return name


def missing_secrets(service: str, env: Mapping[str, str]) -> list[str]:
    return [
        name for name, users in SHARED_SECRETS.items() if service in users and not env.get(name)
    ]


def create_app(service: str | None = None, env: Mapping[str, str] | None = None) -> Flask:
    """Build the app of one service from the environment, on its migrated store."""
    env = os.environ if env is None else env
    name = service_name(service, env)
    if missing := missing_secrets(name, env):
        raise SystemExit(f"{name}: set {', '.join(missing)} (see deploy/README.md).")
    app = create_service(name, env)
    # What starting made (modules, the app: over 100,000 objects) lives as long as the
    # process: kept out of every full collection, which walked them all (~80 ms in the
    # scorecard) about once in a dozen reads of a region's progress.
    gc.freeze()
    return app
