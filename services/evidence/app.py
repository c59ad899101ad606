"""Composition root of the evidence service."""

from datetime import timedelta
from pathlib import Path

import structlog
from flask import Flask, Response, request
from prometheus_client import Counter

from common.clients import ServiceClient
from common.config import Settings, from_env
from common.errors import Unavailable
from common.metrics import counted
from common.web import create_service_app, runtime_of
from services.evidence.api import blp
from services.evidence.dependencies import Dependencies
from services.evidence.forms.api import blp as forms_blp
from services.evidence.forms.library import TemplateLibrary
from services.evidence.models import Outbox
from services.evidence.signing import PackSigner
from services.evidence.store import STORE_ERRORS, ObjectStore
from services.evidence.worker import PackQueue, create_celery

log = structlog.get_logger("rbm.evidence")
QUARANTINE_MAX_AGE = timedelta(days=1)


def create_app(settings: Settings | None = None) -> Flask:
    settings = settings or from_env("evidence")
    app = create_service_app(
        settings,
        title="evidence",
        migrations_dir=Path(__file__).parent / "migrations",
        blueprints=[blp, forms_blp],
        outbox_model=Outbox,
    )
    runtime = runtime_of(app)
    store = ObjectStore.from_settings(settings)
    celery = create_celery(settings)
    runtime.deps = Dependencies(
        store=store,
        templates=TemplateLibrary(store),
        catalogue=ServiceClient(settings, "catalogue"),
        identity=ServiceClient(settings, "identity"),
        celery=celery,
        pack_queue=PackQueue(celery),
    )
    runtime.checks["object store"] = store.check
    uploads = counted(
        runtime,
        Counter("rbm_evidence_uploads", "Evidence uploads by outcome", ["outcome"], registry=None),
    )
    app.after_request(lambda response: count_upload(uploads, response))
    PackSigner.from_settings(settings)  # embedded mode: the public key identity publishes
    try:
        store.ensure_bucket()
        swept = store.sweep_quarantine(QUARANTINE_MAX_AGE)
        if swept:
            log.warning("quarantine_swept", aborted_uploads=swept)
    except (Unavailable, *STORE_ERRORS) as exc:
        # Readiness reports it until the store answers; the bucket is set up on first use.
        log.warning("object_store_unavailable", bucket=settings.s3_bucket, error=str(exc))
    return app


def count_upload(uploads: Counter, response: Response) -> Response:
    """Uploads stored, and refused by the reason the problem names (a bounded set of titles)."""
    if request.method == "POST" and request.url_rule and request.url_rule.rule == "/files":
        if response.status_code == 201:
            outcome = "stored"
        else:
            problem = response.get_json(silent=True) or {}
            outcome = f"{response.status_code} {problem.get('title', '')}".strip()
        uploads.labels(outcome).inc()
    return response
