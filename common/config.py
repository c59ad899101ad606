"""Settings read from `RBM_*` environment variables (12-factor); nothing is read at import time.

Every setting is a typed field that names its variable (`setting(variable, default)`): the
common ones on `Settings`, a service's own in a small dataclass of its own read with
`typed(Section, settings.environment)`. A value that does not parse stops the start, naming
its variable. Secrets are read by `common.secrets` from the same environment.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, TypeVar, get_args, get_type_hints

TRUE = {"1", "true", "yes", "on"}
FALSE = {"0", "false", "no", "off", ""}
T = TypeVar("T")


def setting(env: str, default: Any) -> Any:
    """A field read from environment variable `env` and parsed by its annotated type."""
    return field(default=default, metadata={"env": env})


def _parse(kind: Any, raw: str, env: str) -> Any:
    """`raw` as the type `kind` (of `X | None`, as X); a bool is one of TRUE or FALSE."""
    kind = next((k for k in get_args(kind) if k is not type(None)), kind)
    try:
        if kind is bool:
            if raw.strip().lower() not in TRUE | FALSE:
                raise ValueError(raw)
            return raw.strip().lower() in TRUE
        return kind(raw)
    except ValueError:
        raise ValueError(f"{env} is not a valid {kind.__name__}: {raw!r}") from None


def typed(section: type[T], source: Mapping[str, str], /, **given: Any) -> T:
    """The settings dataclass `section`, each `setting` field parsed from its variable in
    `source` (absent: its default); `given` values win."""
    kinds = get_type_hints(section)
    values = dict(given)
    for f in fields(section):  # type: ignore[arg-type]
        env = f.metadata.get("env")
        if f.name not in values and env and env in source:
            values[f.name] = _parse(kinds[f.name], source[env], env)
    return section(**values)


@dataclass(frozen=True)
class Settings:
    """Everything a service needs to know about where it runs."""

    service: str
    data_dir: Path
    database_url: str
    broker_url: str
    events_exchange: str = setting("RBM_EVENTS_EXCHANGE", "rbm.events")
    queue_prefix: str = setting("RBM_QUEUE_PREFIX", "rbm")
    gateway_url: str = "http://127.0.0.1:8000"
    # Where people reach the system (links in emails, secure cookies); the gateway by default.
    public_url: str = ""
    s3_endpoint: str = setting("RBM_S3_ENDPOINT", "")
    s3_access_key: str = setting("RBM_S3_ACCESS_KEY", "")
    s3_secret_key: str = setting("RBM_S3_SECRET_KEY", "")
    s3_secure: bool = setting("RBM_S3_SECURE", False)
    s3_bucket: str = setting("RBM_S3_BUCKET", "rbm-evidence")
    smtp_host: str = setting("RBM_SMTP_HOST", "")
    smtp_port: int = setting("RBM_SMTP_PORT", 25)
    smtp_user: str = setting("RBM_SMTP_USER", "")
    smtp_password: str = setting("RBM_SMTP_PASSWORD", "")
    smtp_tls: bool = setting("RBM_SMTP_TLS", False)
    mail_from: str = setting("RBM_MAIL_FROM", "rbm@localhost")
    demo: bool = setting("RBM_DEMO", False)
    token_ttl_seconds: int = setting("RBM_TOKEN_TTL_SECONDS", 3600)
    max_json_bytes: int = 1_000_000
    max_upload_bytes: int = setting("RBM_MAX_UPLOAD_BYTES", 50 * 1024 * 1024)
    # The largest evidence pack (zip) an auditor may send through the portal to be checked.
    max_pack_check_bytes: int = setting("RBM_MAX_PACK_CHECK_BYTES", 200 * 1024 * 1024)
    http_timeout: float = setting("RBM_HTTP_TIMEOUT", 5.0)
    # How long a producer keeps the events it published, for consumers that missed some.
    events_retention_days: int = setting("RBM_EVENTS_RETENTION_DAYS", 28)
    log_level: str = setting("RBM_LOG_LEVEL", "")
    db_pool_size: int = setting("RBM_DB_POOL_SIZE", 10)
    # Where a Celery worker serves its metrics (none: not served).
    celery_metrics_port: int | None = setting("RBM_CELERY_METRICS_PORT", None)
    # The RBM_* variables as given: read only through `typed` sections and `common.secrets`.
    environment: Mapping[str, str] = field(default_factory=dict)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def service_url(self, service: str) -> str:
        """Base URL of another service behind the one origin (embedded dispatcher or gateway)."""
        return f"{self.gateway_url.rstrip('/')}/api/{service}"

    def with_(self, **changes) -> Settings:
        return replace(self, **changes)


def from_env(service: str, env: Mapping[str, str] | None = None) -> Settings:
    """Build the settings of `service` from the environment; a service's own URL wins."""
    env = os.environ if env is None else env
    data_dir = Path(env.get("RBM_DATA_DIR", "./var")).resolve()
    own_db = env.get(f"RBM_{service.upper()}_DATABASE_URL")
    database_url = own_db or env.get("RBM_DATABASE_URL") or f"sqlite:///{data_dir}/{service}.db"
    port = env.get("RBM_PORT", "8000")
    gateway_url = env.get("RBM_GATEWAY_URL", f"http://127.0.0.1:{port}")
    return typed(
        Settings,
        env,
        service=service,
        data_dir=data_dir,
        database_url=database_url,
        broker_url=env.get("RBM_BROKER_URL") or f"filesystem://{data_dir}/broker",
        gateway_url=gateway_url,
        public_url=env.get("RBM_PUBLIC_URL", gateway_url),
        environment={k: v for k, v in env.items() if k.startswith("RBM_")},
    )
