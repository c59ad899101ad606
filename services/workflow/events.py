"""Events the workflow publishes: a report's life and delegations (ids and facts only)."""

from __future__ import annotations

from dataclasses import dataclass, field

from common.events import Event


@dataclass(frozen=True)
class ReportEvent(Event):
    """Data of every `workflow.report.<verb>`; `reporter` is who created the report.

    The value facts let read models (the scorecard) add reports up without asking: `value`,
    what it was reached from (`numerator` counted or entered over `denominator`; an imported
    figure's from the source's own, e.g. 3.1's budget - spent over budget), `people`
    counted (normalised names, for KPIs that count people over the year), `counted_keys`
    (2.2's agencies and months, for a parent that counts an agency once across its units)
    and `version`.
    """

    report_id: str
    year: int
    kpi: str
    unit: str
    period: str
    state: str
    reporter: str
    actor: str
    on_behalf_of: str | None
    comment: str
    version: int | None = None
    value: float | None = None
    numerator: float | None = None
    denominator: float | None = None
    people: list[str] = field(default_factory=list)
    counted_keys: list[list[str]] = field(default_factory=list)


@dataclass(frozen=True)
class ReportCreated(ReportEvent):
    routing_key = "workflow.report.created"


@dataclass(frozen=True)
class ReportUpdated(ReportEvent):
    routing_key = "workflow.report.updated"


@dataclass(frozen=True)
class ReportSubmitted(ReportEvent):
    routing_key = "workflow.report.submitted"


@dataclass(frozen=True)
class ReportEndorsed(ReportEvent):
    routing_key = "workflow.report.endorsed"


@dataclass(frozen=True)
class ReportReturned(ReportEvent):
    routing_key = "workflow.report.returned"


@dataclass(frozen=True)
class ReportApproved(ReportEvent):
    routing_key = "workflow.report.approved"


@dataclass(frozen=True)
class ReportReopened(ReportEvent):
    routing_key = "workflow.report.reopened"


# The event each action publishes.
REPORT_EVENTS: dict[str, type[ReportEvent]] = {
    "create": ReportCreated,
    "edit": ReportUpdated,
    "recount": ReportUpdated,
    "submit": ReportSubmitted,
    "endorse": ReportEndorsed,
    "return": ReportReturned,
    "approve": ReportApproved,
    # An imported figure is approved as it is written.
    "import": ReportApproved,
    "reopen": ReportReopened,
}


@dataclass(frozen=True)
class DelegationEvent(Event):
    delegation_id: str
    delegator: str
    delegate: str
    unit: str
    role: str
    starts_on: str
    ends_on: str


@dataclass(frozen=True)
class DelegationCreated(DelegationEvent):
    routing_key = "workflow.delegation.created"


@dataclass(frozen=True)
class DelegationRevoked(DelegationEvent):
    routing_key = "workflow.delegation.revoked"
    # Why it ended when its delegator did not end it (identity says they lost the role).
    reason: str = ""
