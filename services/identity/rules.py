"""Pure rules of identity: usernames, passwords, login throttling."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from marshmallow import ValidationError, validate

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
MIN_PASSWORD = 8
SERVICE_PREFIX = "svc-"
# Services that may log in on their own account (background work, no user calling).
SERVICE_ACCOUNTS = ("catalogue", "evidence", "workflow", "notifications", "portal", "scorecard")
MAX_FAILURES = 5
LOCK_FOR = timedelta(minutes=15)


def normalise_username(raw: str) -> str:
    return raw.strip().lower()


def username_problem(username: str) -> str | None:
    if username.startswith(SERVICE_PREFIX):
        return f"Names starting with '{SERVICE_PREFIX}' are kept for services."
    if not USERNAME.match(username):
        return "2-64 characters: lower-case letters, digits, '.', '_' or '-'."
    return None


def password_problem(password: str, username: str) -> str | None:
    if len(password) < MIN_PASSWORD:
        return f"At least {MIN_PASSWORD} characters."
    if len(password) > 256:
        return "At most 256 characters."
    if password.lower() == username.lower():
        return "Must not be the username."
    return None


def is_locked(locked_until: datetime | None, now: datetime) -> bool:
    return locked_until is not None and locked_until > now


def after_failure(failures: int, now: datetime) -> tuple[int, datetime | None]:
    """Count one more failure; from MAX_FAILURES on, the name is locked for LOCK_FOR."""
    failures += 1
    return failures, (now + LOCK_FOR if failures >= MAX_FAILURES else None)


MAX_DISPLAY_NAME = 200
MAX_EMAIL = 254
# Each created user costs one argon2 hash (~0.1 s): bigger lists go in several files.
MAX_IMPORT_ROWS = 1000
_email = validate.Email()


def display_name_problem(display_name: str) -> str | None:
    if not display_name:
        return "Required."
    if len(display_name) > MAX_DISPLAY_NAME:
        return f"At most {MAX_DISPLAY_NAME} characters."
    return None


def email_problem(email: str) -> str | None:
    """An empty email is allowed (not everyone has one); any other must be an address."""
    if len(email) > MAX_EMAIL:
        return f"At most {MAX_EMAIL} characters."
    if not email:
        return None
    try:
        _email(email)
    except ValidationError:
        return "Not a valid email address."
    return None
