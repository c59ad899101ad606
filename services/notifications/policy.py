"""The tunable parts of notifications, read once from `RBM_*` settings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from common.config import Settings, setting, typed
from common.fiscal import DEPARTMENT_TZ
from services.notifications.messages import LANGUAGES


@dataclass(frozen=True)
class Policy:
    remind_days_before: int = setting("RBM_REMIND_DAYS_BEFORE", 3)
    escalate_after_days: int = setting("RBM_ESCALATE_AFTER_DAYS", 7)
    management_unit: str = setting("RBM_MANAGEMENT_UNIT", "MSD")
    timezone: str = setting("RBM_TIMEZONE", DEPARTMENT_TZ.key)
    consumers: int = setting("RBM_NOTIFY_CONSUMERS", 2)
    email_retry_seconds: float = setting("RBM_EMAIL_RETRY_SECONDS", 30.0)
    email_max_attempts: int = setting("RBM_EMAIL_MAX_ATTEMPTS", 10)
    email_claim_seconds: float = setting("RBM_EMAIL_CLAIM_SECONDS", 120.0)
    sweep_seconds: float = setting("RBM_EMAIL_SWEEP_SECONDS", 60.0)
    # A pending email untouched for this long has lost its task (broker was down): re-enqueue.
    sweep_grace_seconds: float = setting("RBM_EMAIL_SWEEP_GRACE_SECONDS", 120.0)
    digest_hour: int = setting("RBM_DIGEST_HOUR", 7)
    reminder_hour: int = setting("RBM_REMINDER_HOUR", 6)
    # The language of notifications and emails: th, or en for a department that reads English.
    language: str = setting("RBM_NOTIFY_LANGUAGE", "th")

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def local_date(self, moment: datetime) -> date:
        """The calendar day in the department's time zone (due dates are local days)."""
        return moment.astimezone(self.zone).date()


def policy_of(settings: Settings) -> Policy:
    policy = typed(Policy, settings.environment)
    if policy.language not in LANGUAGES:
        raise ValueError(f"RBM_NOTIFY_LANGUAGE must be one of {', '.join(LANGUAGES)}")
    return policy
