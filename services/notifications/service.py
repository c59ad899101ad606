"""Use cases of notifications: telling people (inbox row + email row), reading the inbox,
preferences, and the administrators' view of failed emails."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import func, insert, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import Session

from common.db import read_only, transactional, upsert
from common.errors import Invalid, NotFound
from common.events import utcnow
from services.notifications import messages, rules
from services.notifications.models import Email, Notification, Person, Preference, new_id
from services.notifications.policy import Policy

# Ids of emails written in a transaction; enqueued for sending once it commits.
OUTGOING = "rbm_outgoing_emails"


@dataclass(frozen=True)
class Context:
    """What telling people needs beyond the database: where links point, the policy."""

    gateway_url: str
    policy: Policy

    def report_link(self, report_id: str | None) -> str:
        base = self.gateway_url.rstrip("/")
        return f"{base}/reports/{report_id}" if report_id else f"{base}/"

    @property
    def settings_link(self) -> str:
        """The portal page where a person chooses which emails they get (or none)."""
        return settings_page(self.gateway_url)


def settings_page(public_url: str) -> str:
    return f"{public_url.rstrip('/')}/settings/notifications"


@dataclass(frozen=True)
class Message:
    kind: str
    source: str
    report_id: str | None
    title: str
    body: str


# Rows per INSERT statement: well under PostgreSQL's and SQLite's limits on parameters.
CHUNK = 500


def insert_new_rows(session: Session, model: Any, rows: list[dict]) -> set:
    """Insert the rows whose unique keys are not taken yet; returns the keys of those inserted."""
    table = model.__table__
    key = next(iter(table.primary_key.columns))
    inserted: set = set()
    for start in range(0, len(rows), CHUNK):
        statement = upsert(session)(table).values(rows[start : start + CHUNK])
        statement = statement.on_conflict_do_nothing().returning(key)
        inserted.update(session.scalars(statement))
    return inserted


def notify(
    session: Session, ctx: Context, people: dict[str, Person], message: Message
) -> list[str]:
    """Put the message in each person's inbox once; see `notify_all`."""
    return notify_all(session, ctx, [(message, people)])


def notify_all(
    session: Session, ctx: Context, batch: list[tuple[Message, dict[str, Person]]]
) -> list[str]:
    """Put each message in its people's inboxes once, and write the emails their choices ask
    for; returns the ids of new notifications (a message already delivered adds nothing).

    Email ids go to `session.info` to be enqueued after the commit, so a task never looks for
    a row that is not there yet.
    """
    names = sorted({name for _, people in batch for name in people})
    if not names:
        return []
    kinds = sorted({message.kind for message, _ in batch})
    query = select(Preference.username, Preference.kind, Preference.delivery).where(
        Preference.username.in_(names), Preference.kind.in_(kinds)
    )
    chosen = {(name, kind): delivery for name, kind, delivery in session.execute(query)}
    now = utcnow()
    rows, mail_for = [], {}
    for message, people in batch:
        link = ctx.report_link(message.report_id)
        for name, person in sorted(people.items()):
            delivery = chosen.get((name, message.kind), rules.DEFAULT_DELIVERY)
            row = {
                "id": new_id(),
                "recipient": name,
                "source": message.source,
                "kind": message.kind,
                "report_id": message.report_id,
                "title": message.title,
                "body": message.body,
                "link": link,
                "delivery": delivery,
                "created_at": now,
                "read_at": None,
                "digested_at": None,
            }
            rows.append(row)
            if delivery == rules.IMMEDIATE and person.email:
                mail_for[row["id"]] = (person, message, link)
    created = insert_new_rows(session, Notification, rows)
    emails = [
        email_row(
            f"n:{notification_id}",
            person,
            messages.notification_mail(
                person.display_name or person.username,
                message.title,
                message.body,
                link,
                ctx.settings_link,
                ctx.policy.language,
            ),
        )
        for notification_id, (person, message, link) in mail_for.items()
        if notification_id in created
    ]
    add_emails(session, emails)
    return [str(row["id"]) for row in rows if row["id"] in created]


def email_row(key: str, person: Person, mail: messages.Mail) -> dict:
    return {
        "id": new_id(),
        "key": key,
        "recipient": person.username,
        "address": person.email,
        "subject": mail.subject,
        "text_body": mail.text,
        "html_body": mail.html,
        "status": "pending",
        "attempts": 0,
        "last_error": None,
        "claimed_by": None,
        "claimed_until": None,
        "next_attempt_at": utcnow(),
        "created_at": utcnow(),
        "sent_at": None,
    }


def add_emails(session: Session, rows: list[dict]) -> None:
    """Write email rows (to be enqueued for sending once the transaction commits)."""
    if rows:
        session.execute(insert(Email.__table__), rows)
        session.info.setdefault(OUTGOING, []).extend(row["id"] for row in rows)


# --- the inbox -------------------------------------------------------------------------------


@read_only
def inbox(
    session: Session, username: str, unread_only: bool, limit: int, offset: int
) -> tuple[list[Notification], int, int]:
    """Some of a person's notifications, newest first, with the total and unread counts."""
    mine = Notification.recipient == username
    unread = Notification.read_at.is_(None)
    query = select(Notification).where(mine)
    if unread_only:
        query = query.where(unread)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    unread_count = session.scalar(select(func.count()).where(mine, unread)) or 0
    rows = session.scalars(
        query.order_by(Notification.created_at.desc(), Notification.id.desc())
        .offset(offset)
        .limit(limit)
    )
    return list(rows), total, unread_count


@read_only
def unread_count(session: Session, username: str) -> int:
    query = select(func.count()).where(
        Notification.recipient == username, Notification.read_at.is_(None)
    )
    return session.scalar(query) or 0


@transactional
def mark_read(session: Session, username: str, notification_id: str) -> None:
    """Mark one of the person's own notifications read; someone else's is not found."""
    row = session.get(Notification, notification_id)
    if row is None or row.recipient != username:
        raise NotFound("No such notification in your inbox.")
    if row.read_at is None:
        row.read_at = utcnow()


@transactional
def mark_all_read(session: Session, username: str) -> int:
    result = session.execute(
        update(Notification)
        .where(Notification.recipient == username, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
    return cast(CursorResult, result).rowcount


# --- preferences -----------------------------------------------------------------------------


@read_only
def preferences(session: Session, username: str) -> dict[str, str]:
    """How the person gets each kind; kinds never chosen are immediate."""
    query = select(Preference.kind, Preference.delivery).where(Preference.username == username)
    chosen = dict(session.execute(query).all())
    return {kind: chosen.get(kind, rules.DEFAULT_DELIVERY) for kind in rules.KINDS}


@transactional
def set_preferences(session: Session, username: str, choices: dict[str, str]) -> dict[str, str]:
    errors = {
        kind: [f"One of: {', '.join(rules.DELIVERIES)}."]
        for kind, delivery in choices.items()
        if delivery not in rules.DELIVERIES
    }
    errors |= {kind: ["Unknown kind."] for kind in choices if kind not in rules.KINDS}
    if errors:
        raise Invalid("Some preferences are not valid.", errors)
    for kind, delivery in choices.items():
        session.merge(Preference(username=username, kind=kind, delivery=delivery))
    session.flush()
    return preferences.within(session, username)


# --- administrators --------------------------------------------------------------------------


@read_only
def emails(session: Session, status: str | None, limit: int) -> list[Email]:
    query = select(Email).order_by(Email.created_at.desc()).limit(limit)
    if status:
        query = query.where(Email.status == status)
    return list(session.scalars(query))


@transactional
def retry_email(session: Session, email_id: str) -> Email:
    """Send a failed email again (after the address or the server was fixed)."""
    email = session.get(Email, email_id)
    if email is None:
        raise NotFound("No such email.")
    if email.status == "failed":
        email.status, email.attempts, email.next_attempt_at = "pending", 0, utcnow()
        email.claimed_by = email.claimed_until = None
        session.info.setdefault(OUTGOING, []).append(email.id)
    return email
