"""Celery app of evidence (building evidence packs, deleting expired ones); `python -m` runs a
worker with beat.

`python -m services.evidence.worker` starts a worker with beat (the embedded runner does); other
arguments go to Celery's command line (`python -m services.evidence.worker worker --pool=solo`,
`python -m services.evidence.worker beat`).
"""

from __future__ import annotations

from pathlib import Path

from celery import Celery

from common.clients import ServiceClient
from common.config import Settings, typed
from common.db import make_session_factory, open_store
from common.errors import Unavailable
from common.tasks import create_worker_app, run_worker, worker_dependencies
from services.evidence.pack_build import MISSING, PackContext, build, expire
from services.evidence.packs import PackPolicy
from services.evidence.signing import PackSigner
from services.evidence.store import ObjectStore

BUILD_PACK = "rbm.evidence.build_pack"
EXPIRE_PACKS = "rbm.evidence.expire_packs"
# How often beat looks for packs past their time: a pack outlives its days by at most this.
EXPIRY_SWEEP_SECONDS = 3600.0


def create_celery(settings: Settings) -> Celery:
    """A Celery app whose task builds evidence packs (a pack whose worker died is built again)
    and whose beat deletes the packs past their time."""
    app = create_worker_app(settings, pack_context)
    app.conf.update(
        beat_schedule_filename=str(settings.data_dir / "evidence-beat-schedule"),
        beat_schedule={
            "expire-packs": {"task": EXPIRE_PACKS, "schedule": EXPIRY_SWEEP_SECONDS},
        },
    )

    # Not shared: Celery would otherwise add these to every app of the process, closed over
    # this one's context.
    @app.task(name=BUILD_PACK, shared=False, bind=True, ignore_result=True, max_retries=10)
    def build_pack(self, pack_id: str) -> str:
        """Build one evidence pack."""
        outcome = build(worker_dependencies(self.app, PackContext), pack_id)
        if outcome == MISSING:
            raise self.retry(countdown=0.5)
        return outcome

    @app.task(name=EXPIRE_PACKS, shared=False, ignore_result=True)
    def expire_packs() -> int:
        """Delete the packs past their time from the object store; mark them expired."""
        return expire(worker_dependencies(app, PackContext))

    return app


class PackQueue:
    """Sends pack builds to the workers; 503 when the broker does not take the task."""

    def __init__(self, celery: Celery):
        self.celery = celery

    def enqueue(self, pack_id: str) -> None:
        try:
            self.celery.send_task(BUILD_PACK, args=[pack_id])
        except Exception as exc:  # noqa: BLE001 - any broker failure is the same 503
            raise Unavailable("The task queue did not take the pack; try again.") from exc


def pack_context(settings: Settings, _celery: Celery) -> PackContext:
    """What the pack tasks use: the worker's composition root."""
    return PackContext(
        factory=make_session_factory(open_store(settings, Path(__file__).parent / "migrations")),
        store=ObjectStore.from_settings(settings),
        workflow=ServiceClient(settings, "workflow"),
        signer=PackSigner.from_settings(settings),
        policy=typed(PackPolicy, settings.environment),
    )


def main(argv: list[str] | None = None) -> None:
    default = ["worker", "--beat", "--loglevel=WARNING", "--concurrency=1", "--pool=threads"]
    run_worker("evidence", create_celery, argv, default)


if __name__ == "__main__":
    main()
