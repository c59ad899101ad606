"""Celery app of notifications (email, reminders, escalation); `python -m` runs worker + beat."""

from __future__ import annotations

from celery import Celery

from common.config import Settings, from_env
from common.messaging import connect


def create_celery(settings: Settings) -> Celery:
    """A Celery app on the same broker as the events (RabbitMQ, or the filesystem transport)."""
    app = Celery("rbm.notifications")
    broker = connect(settings.broker_url)
    app.conf.update(
        broker_url=broker.as_uri(include_password=True),
        broker_transport_options=broker.transport_options,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_default_queue=f"{settings.queue_prefix}.notifications.tasks",
        beat_schedule_filename=str(settings.data_dir / "celerybeat-schedule"),
        worker_hijack_root_logger=False,
        broker_connection_retry_on_startup=True,
    )
    app.conf.rbm_settings = settings
    return app


def main() -> None:
    settings = from_env("notifications")
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    app = create_celery(settings)
    app.worker_main(
        ["--quiet", "worker", "--beat", "--loglevel=WARNING", "--concurrency=1", "--pool=solo"]
    )


if __name__ == "__main__":
    main()
