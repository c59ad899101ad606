"""The tunable parts of notifications, read once from `RBM_*` settings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from common.config import Settings
from common.fiscal import DEPARTMENT_TZ
from services.notifications.messages import LANGUAGES


@dataclass(frozen=True)
class Policy:
    remind_days_before: int = 3
    escalate_after_days: int = 7
    management_unit: str = "MSD"
    timezone: str = DEPARTMENT_TZ.key
    consumers: int = 2
    email_retry_seconds: float = 30.0
    email_max_attempts: int = 10
    email_claim_seconds: float = 120.0
    sweep_seconds: float = 60.0
    # A pending email untouched for this long has lost its task (broker was down): re-enqueue.
    sweep_grace_seconds: float = 120.0
    digest_hour: int = 7
    reminder_hour: int = 6
    # The language of notifications and emails: th, or en for a department that reads English.
    language: str = "th"

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def local_date(self, moment: datetime) -> date:
        """The calendar day in the department's time zone (due dates are local days)."""
        return moment.astimezone(self.zone).date()


_FIELDS = {
    "remind_days_before": ("RBM_REMIND_DAYS_BEFORE", int),
    "escalate_after_days": ("RBM_ESCALATE_AFTER_DAYS", int),
    "management_unit": ("RBM_MANAGEMENT_UNIT", str),
    "timezone": ("RBM_TIMEZONE", str),
    "consumers": ("RBM_NOTIFY_CONSUMERS", int),
    "email_retry_seconds": ("RBM_EMAIL_RETRY_SECONDS", float),
    "email_max_attempts": ("RBM_EMAIL_MAX_ATTEMPTS", int),
    "email_claim_seconds": ("RBM_EMAIL_CLAIM_SECONDS", float),
    "sweep_seconds": ("RBM_EMAIL_SWEEP_SECONDS", float),
    "sweep_grace_seconds": ("RBM_EMAIL_SWEEP_GRACE_SECONDS", float),
    "digest_hour": ("RBM_DIGEST_HOUR", int),
    "reminder_hour": ("RBM_REMINDER_HOUR", int),
    "language": ("RBM_NOTIFY_LANGUAGE", str),
}


def policy_of(settings: Settings) -> Policy:
    given = settings.extra
    values = {name: cast(given[env]) for name, (env, cast) in _FIELDS.items() if env in given}
    if values.get("language", "th") not in LANGUAGES:
        raise ValueError(f"RBM_NOTIFY_LANGUAGE must be one of {', '.join(LANGUAGES)}")
    return Policy(**values)
