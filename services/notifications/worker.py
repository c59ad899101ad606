"""Celery app of notifications (email, reminders, escalation); `python -m` runs worker + beat.

`python -m services.notifications.worker` starts a worker with beat (the embedded runner);
any other arguments are handed to Celery's command line instead
(`python -m services.notifications.worker worker --pool=solo`).
"""

from __future__ import annotations

from celery import Celery
from celery.schedules import crontab
from celery.signals import worker_ready

from common.config import Settings
from common.tasks import create_worker_app, run_worker
from services.notifications import tasks
from services.notifications.policy import policy_of


def create_celery(settings: Settings) -> Celery:
    """A Celery app on the same broker as the events (RabbitMQ, or the filesystem transport).

    An email row is the truth and stays pending until sent: a task the broker lost is
    re-enqueued by the sweep.
    """
    app = create_worker_app(settings, tasks.worker_root)
    policy = policy_of(settings)
    app.conf.update(
        beat_schedule_filename=str(settings.data_dir / "celerybeat-schedule"),
        timezone=policy.timezone,
        beat_schedule={
            "sweep-emails": {"task": tasks.SWEEP_EMAILS, "schedule": policy.sweep_seconds},
            "daily-digest": {
                "task": tasks.SEND_DIGESTS,
                "schedule": crontab(minute=0, hour=policy.digest_hour),
            },
            "sync-people": {"task": tasks.SYNC_PEOPLE, "schedule": 3600.0},
            "reminders": {
                "task": tasks.SEND_REMINDERS,
                "schedule": crontab(minute=0, hour=policy.reminder_hour),
            },
        },
    )
    tasks.register(app)
    worker_ready.connect(_sync_people_on_start, sender=None, weak=False)
    return app


def _sync_people_on_start(sender, **_) -> None:
    """A starting worker asks for a refresh of the people copy (heals events missed before)."""
    sender.app.send_task(tasks.SYNC_PEOPLE)


def main(argv: list[str] | None = None) -> None:
    # Threads, not solo: a solo worker with acks_late and prefetch 1 idles for seconds
    # between tasks on RabbitMQ.
    default = ["worker", "--beat", "--loglevel=WARNING", "--concurrency=2", "--pool=threads"]
    run_worker("notifications", create_celery, argv, default)


if __name__ == "__main__":
    main()
