"""Sending email rows: claim one, hand it to SMTP, record the outcome; sweep and digests."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from common.config import Settings
from common.db import unit_of_work
from common.events import utcnow
from services.notifications import mailer, messages, rules
from services.notifications.models import Email, Notification, Person
from services.notifications.policy import Policy
from services.notifications.service import Context, add_emails, email_row


def claim(session: Session, email_id: str, claimer: str, policy: Policy) -> Email | None:
    """Take the email for this task: pending, or left mid-send by this very task (redelivered
    after its worker died) or by one whose claim ran out. None if it is not to be sent now."""
    now = utcnow()
    takeable = or_(
        Email.status == "pending",
        and_(
            Email.status == "sending",
            or_(Email.claimed_by == claimer, Email.claimed_until < now),
        ),
    )
    claimed = session.execute(
        update(Email)
        .where(Email.id == email_id, takeable)
        .values(
            status="sending",
            claimed_by=claimer,
            claimed_until=now + timedelta(seconds=policy.email_claim_seconds),
        )
    )
    return session.get(Email, email_id) if claimed.rowcount == 1 else None


def deliver(
    settings: Settings,
    policy: Policy,
    factory: sessionmaker[Session],
    email_id: str,
    claimer: str,
) -> float | None:
    """Send one email; returns the seconds to wait before another try, or None when done."""
    with unit_of_work(factory) as session:
        email = claim(session, email_id, claimer, policy)
    if email is None:
        return None
    outcome = mailer.send(settings, email, policy.language)
    attempts = email.attempts + 1
    values: dict = {"attempts": attempts, "claimed_by": None, "claimed_until": None}
    delay = None
    if outcome.status == mailer.SENT:
        values |= {"status": "sent", "sent_at": utcnow(), "last_error": None}
    elif outcome.status == mailer.FAILED or attempts >= policy.email_max_attempts:
        values |= {"status": "failed", "last_error": outcome.error}
    else:
        delay = rules.backoff_seconds(attempts, policy.email_retry_seconds)
        values |= {
            "status": "pending",
            "last_error": outcome.error,
            "next_attempt_at": utcnow() + timedelta(seconds=delay),
        }
    with unit_of_work(factory) as session:
        session.execute(
            update(Email).where(Email.id == email_id, Email.claimed_by == claimer).values(**values)
        )
    return delay


def stale_emails(session: Session, policy: Policy) -> list[str]:
    """Emails whose task was lost (broker down at enqueue, claim expired): to enqueue again."""
    now = utcnow()
    stale = now - timedelta(seconds=policy.sweep_grace_seconds)
    pending = and_(Email.status == "pending", Email.next_attempt_at < stale)
    abandoned = and_(Email.status == "sending", Email.claimed_until < now)
    ids = list(session.scalars(select(Email.id).where(or_(pending, abandoned)).limit(1000)))
    if ids:
        # Not picked again by the next sweep while the new task waits in the queue.
        session.execute(update(Email).where(Email.id.in_(ids)).values(next_attempt_at=now))
    return ids


def write_digests(factory: sessionmaker[Session], ctx: Context, day: date) -> int:
    """One email per person gathering the notifications they chose to get as a daily digest."""
    with unit_of_work(factory) as session:
        waiting = session.execute(
            select(Notification.recipient, Notification.id)
            .where(Notification.delivery == rules.DIGEST, Notification.digested_at.is_(None))
            .order_by(Notification.created_at)
        ).all()
        by_person: dict[str, list[str]] = defaultdict(list)
        for recipient, notification_id in waiting:
            by_person[recipient].append(notification_id)
    written = 0
    for username, ids in by_person.items():
        with unit_of_work(factory) as session:
            written += _digest_for(session, ctx, username, ids, day)
    return written


def _digest_for(session: Session, ctx: Context, username: str, ids: list[str], day: date) -> int:
    key = f"digest:{username}:{day.isoformat()}"
    if session.scalar(select(Email.id).where(Email.key == key)):
        return 0  # today's digest went out already: these wait for tomorrow's
    rows = list(
        session.scalars(
            select(Notification)
            .where(Notification.id.in_(ids), Notification.digested_at.is_(None))
            .order_by(Notification.created_at)
            .with_for_update()
        )
    )
    person = session.get(Person, username)
    now = utcnow()
    for row in rows:
        row.digested_at = now
    if not rows or person is None or not person.active or not person.email:
        return 0
    items = [(r.title, r.body, r.link) for r in rows]
    name = person.display_name or username
    mail = messages.digest_mail(name, day, items, ctx.settings_link, ctx.policy.language)
    add_emails(session, [email_row(key, person, mail)])
    return 1
