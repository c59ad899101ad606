"""Settings read from `RBM_*` environment variables (12-factor); nothing is read at import time."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

TRUE = {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class Settings:
    """Everything a service needs to know about where it runs."""

    service: str
    data_dir: Path
    database_url: str
    broker_url: str
    events_exchange: str = "rbm.events"
    queue_prefix: str = "rbm"
    gateway_url: str = "http://127.0.0.1:8000"
    # Where people reach the system (links in emails, secure cookies); the gateway by default.
    public_url: str = ""
    s3_endpoint: str = ""
    s3_access_key: str = ""
    s3_secret_key: str = ""
    s3_secure: bool = False
    s3_bucket: str = "rbm-evidence"
    smtp_host: str = ""
    smtp_port: int = 25
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_tls: bool = False
    mail_from: str = "rbm@localhost"
    demo: bool = False
    token_ttl_seconds: int = 3600
    max_json_bytes: int = 1_000_000
    max_upload_bytes: int = 50 * 1024 * 1024
    http_timeout: float = 5.0
    # How long a producer keeps the events it published, for consumers that missed some.
    events_retention_days: int = 28
    extra: Mapping[str, str] = field(default_factory=dict)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def service_url(self, service: str) -> str:
        """Base URL of another service behind the one origin (embedded dispatcher or gateway)."""
        return f"{self.gateway_url.rstrip('/')}/api/{service}"

    def with_(self, **changes) -> Settings:
        return replace(self, **changes)


def _flag(value: str | None, default: bool = False) -> bool:
    return default if value is None else value.strip().lower() in TRUE


def from_env(service: str, env: Mapping[str, str] | None = None) -> Settings:
    """Build the settings of `service` from the environment; a service's own URL wins."""
    env = os.environ if env is None else env
    data_dir = Path(env.get("RBM_DATA_DIR", "./var")).resolve()
    own_db = env.get(f"RBM_{service.upper()}_DATABASE_URL")
    database_url = own_db or env.get("RBM_DATABASE_URL") or f"sqlite:///{data_dir}/{service}.db"
    broker_url = env.get("RBM_BROKER_URL") or f"filesystem://{data_dir}/broker"
    port = env.get("RBM_PORT", "8000")
    gateway_url = env.get("RBM_GATEWAY_URL", f"http://127.0.0.1:{port}")
    return Settings(
        service=service,
        data_dir=data_dir,
        database_url=database_url,
        broker_url=broker_url,
        events_exchange=env.get("RBM_EVENTS_EXCHANGE", "rbm.events"),
        queue_prefix=env.get("RBM_QUEUE_PREFIX", "rbm"),
        gateway_url=gateway_url,
        public_url=env.get("RBM_PUBLIC_URL", gateway_url),
        s3_endpoint=env.get("RBM_S3_ENDPOINT", ""),
        s3_access_key=env.get("RBM_S3_ACCESS_KEY", ""),
        s3_secret_key=env.get("RBM_S3_SECRET_KEY", ""),
        s3_secure=_flag(env.get("RBM_S3_SECURE")),
        s3_bucket=env.get("RBM_S3_BUCKET", "rbm-evidence"),
        smtp_host=env.get("RBM_SMTP_HOST", ""),
        smtp_port=int(env.get("RBM_SMTP_PORT", "25")),
        smtp_user=env.get("RBM_SMTP_USER", ""),
        smtp_password=env.get("RBM_SMTP_PASSWORD", ""),
        smtp_tls=_flag(env.get("RBM_SMTP_TLS")),
        mail_from=env.get("RBM_MAIL_FROM", "rbm@localhost"),
        demo=_flag(env.get("RBM_DEMO")),
        token_ttl_seconds=int(env.get("RBM_TOKEN_TTL_SECONDS", "3600")),
        max_upload_bytes=int(env.get("RBM_MAX_UPLOAD_BYTES", str(50 * 1024 * 1024))),
        http_timeout=float(env.get("RBM_HTTP_TIMEOUT", "5")),
        events_retention_days=int(env.get("RBM_EVENTS_RETENTION_DAYS", "28")),
        extra={k: v for k, v in env.items() if k.startswith("RBM_")},
    )
