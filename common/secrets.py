"""Secrets come from the environment; embedded mode keeps generated ones in its data dir."""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from collections.abc import Callable
from pathlib import Path

from common.config import Settings


def local_secret(settings: Settings, env_name: str, filename: str, make: Callable[[], str]) -> str:
    """The value of `env_name`, else one generated once into the data dir (mode 0600)."""
    if value := settings.environment.get(env_name):
        return value
    path = Path(settings.data_dir) / filename
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(make())
    return path.read_text()


def service_secret(settings: Settings) -> str:
    return local_secret(settings, "RBM_SERVICE_SECRET", "service-secret", secrets.token_hex)


def derive_password(secret: str, service: str) -> str:
    """The password of account `svc-<service>` that the service secret stands for."""
    return hmac.new(secret.encode(), f"svc-{service}".encode(), hashlib.sha256).hexdigest()


def service_password(settings: Settings, service: str) -> str:
    """The password of account `svc-<service>`.

    Deployed, only identity holds the service secret (it checks every account's password); each
    other service is given its own password alone (RBM_SERVICE_PASSWORD), so a service broken
    into cannot sign in as another. Embedded mode derives every one from the secret.
    """
    if service == settings.service and (own := settings.environment.get("RBM_SERVICE_PASSWORD")):
        return own
    return derive_password(service_secret(settings), service)
