"""Celery app of notifications (email, reminders, escalation); `python -m` runs worker + beat.

`python -m services.notifications.worker` starts a worker with beat (the embedded runner);
any other arguments are handed to Celery's command line instead
(`python -m services.notifications.worker worker --pool=solo`).
"""

from __future__ import annotations

import sys

from celery import Celery
from celery.schedules import crontab
from celery.signals import beat_embedded_init, worker_ready
from kombu import Exchange, Queue

from common.config import Settings, from_env
from common.messaging import connect, is_amqp
from deploy.lifecycle import die_with_parent
from services.notifications import tasks
from services.notifications.policy import policy_of


def task_queue(settings: Settings) -> str:
    return f"{settings.queue_prefix}.notifications.tasks"


def create_celery(settings: Settings) -> Celery:
    """A Celery app on the same broker as the events (RabbitMQ, or the filesystem transport)."""
    app = Celery("rbm.notifications")
    broker = connect(settings.broker_url)
    policy = policy_of(settings)
    queue = task_queue(settings)
    options = dict(broker.transport_options)
    # Tasks are published without waiting for confirms: an email row is the truth and stays
    # pending until sent, so a task the broker lost is re-enqueued by the sweep.
    options.pop("confirm_publish", None)
    if not is_amqp(settings.broker_url):
        options["polling_interval"] = 0.2  # the filesystem transport polls its folder
    app.conf.update(
        broker_url=broker.as_uri(include_password=True),
        broker_transport_options=options,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_default_queue=queue,
        # Through the broker's default exchange: the queue is all there is to declare (and remove).
        task_default_exchange="",
        task_default_routing_key=queue,
        task_queues=[Queue(queue, Exchange(""), routing_key=queue, durable=True)],
        task_ignore_result=True,
        beat_schedule_filename=str(settings.data_dir / "celerybeat-schedule"),
        worker_hijack_root_logger=False,
        # No pidbox queues outside the service's own prefix; /readyz is the health check.
        worker_enable_remote_control=False,
        broker_connection_retry_on_startup=True,
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
    app.conf.rbm_settings = settings
    tasks.register(app)
    worker_ready.connect(_sync_people_on_start, sender=None, weak=False)
    # `worker --beat` runs beat in a child process: it goes when the worker goes, even killed.
    beat_embedded_init.connect(lambda **_: die_with_parent(), sender=None, weak=False)
    return app


def _sync_people_on_start(sender, **_) -> None:
    """A starting worker asks for a refresh of the people copy (heals events missed before)."""
    sender.app.send_task(tasks.SYNC_PEOPLE)


WORKER_ARGS = ["--without-gossip", "--without-mingle", "--without-heartbeat"]


def main(argv: list[str] | None = None) -> None:
    settings = from_env("notifications")
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    app = create_celery(settings)
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv:
        # Threads, not solo: a solo worker with acks_late and prefetch 1 idles for seconds
        # between tasks on RabbitMQ.
        argv = ["worker", "--beat", "--loglevel=WARNING", "--concurrency=2", "--pool=threads"]
    if argv[0] == "worker":
        argv += [a for a in WORKER_ARGS if a not in argv]
    app.start(argv)


if __name__ == "__main__":
    main()
