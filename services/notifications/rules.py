"""Pure rules of notifications: who is told what, when reminders are due, email backoff."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from common.auth import REPORTER, REVIEWER, UNIT_HEAD

SUBMITTED, ENDORSED, RETURNED, APPROVED, REOPENED = (
    "submitted",
    "endorsed",
    "returned",
    "approved",
    "reopened",
)
DUE_SOON, OVERDUE, ESCALATION = "due_soon", "overdue", "escalation"
REPORT_KINDS = (SUBMITTED, ENDORSED, RETURNED, APPROVED, REOPENED)
REMINDER_KINDS = (DUE_SOON, OVERDUE, ESCALATION)
KINDS = REPORT_KINDS + REMINDER_KINDS
# Told in the inbox only (no choice of delivery): a stand-in's delegation was ended for them.
DELEGATION_ENDED = "delegation_ended"
# Told in the inbox only: an evidence pack asked for is ready to download, or failed.
PACK_READY, PACK_FAILED = "pack_ready", "pack_failed"
IN_APP_KINDS = (DELEGATION_ENDED, PACK_READY, PACK_FAILED)

IMMEDIATE, DIGEST, IN_APP = "immediate", "digest", "in_app"
DELIVERIES = (IMMEDIATE, DIGEST, IN_APP)
DEFAULT_DELIVERY = IMMEDIATE

# Report states in which the unit has done its part for a period (reminders stop).
HANDED_IN = frozenset({SUBMITTED, ENDORSED, APPROVED})

# A reminder stage missed (beat was down) is still sent this many days late, never later: a new
# deployment mid-year does not flood everyone with a year of overdue notices.
CATCH_UP_DAYS = 7

# Where the role is held: the report's own unit, or the management group.
OWN_UNIT, MANAGEMENT = "unit", "management"


@dataclass(frozen=True)
class Audience:
    """Who is told: holders of (role, where) pairs, plus the reporter and data collector."""

    roles: tuple[tuple[str, str], ...]
    reporter: bool = False
    data_collector: bool = False


AUDIENCES: dict[str, Audience] = {
    SUBMITTED: Audience(roles=((UNIT_HEAD, OWN_UNIT),)),
    ENDORSED: Audience(roles=((REVIEWER, MANAGEMENT),)),
    RETURNED: Audience(roles=((UNIT_HEAD, OWN_UNIT),), reporter=True),
    APPROVED: Audience(roles=((UNIT_HEAD, OWN_UNIT),), reporter=True),
    REOPENED: Audience(roles=((UNIT_HEAD, OWN_UNIT),), reporter=True),
    DUE_SOON: Audience(roles=((REPORTER, OWN_UNIT),), data_collector=True),
    OVERDUE: Audience(roles=((UNIT_HEAD, OWN_UNIT),)),
    ESCALATION: Audience(roles=((REVIEWER, MANAGEMENT),)),
}


def report_kind(routing_key: str) -> str | None:
    """The notification kind of a `workflow.report.<verb>` event, None for the silent ones."""
    verb = routing_key.rsplit(".", 1)[-1]
    return verb if verb in REPORT_KINDS else None


def reminder_stages(due_on: date, today: date, remind_days_before: int, escalate_after: int):
    """The reminder stages that apply to a period still not handed in, on `today`."""
    windows = {
        DUE_SOON: (due_on - timedelta(days=remind_days_before), due_on),
        OVERDUE: (due_on + timedelta(days=1), due_on + timedelta(days=1 + CATCH_UP_DAYS)),
        ESCALATION: (
            due_on + timedelta(days=max(escalate_after, 1)),
            due_on + timedelta(days=max(escalate_after, 1) + CATCH_UP_DAYS),
        ),
    }
    return [stage for stage, (first, last) in windows.items() if first <= today <= last]


def reminder_source(stage: str, year: int, unit: str, kpi: str, period: str) -> str:
    """The unique key of one reminder: once per person per KPI, period and stage."""
    return f"reminder:{stage}:{year}:{unit}:{kpi}:{period}"


def backoff_seconds(attempt: int, base: float, cap: float = 3600.0) -> float:
    """Wait before try `attempt + 1` after `attempt` temporary failures: doubling, capped."""
    return min(cap, base * 2 ** max(attempt - 1, 0))
