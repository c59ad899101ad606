"""Use cases of the approval chain: one transition, many at once, and what approval freezes."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from common.auth import Principal
from common.db import unit_of_work
from common.errors import Conflict, DomainError, Forbidden, Invalid, NotFound
from common.events import utcnow
from services.workflow import audit
from services.workflow.delegations import actor_of
from services.workflow.gateways import Gateways, IdentityGateway
from services.workflow.models import Report
from services.workflow.reading import (
    ReportView,
    deeds_of,
    shown,
    visible_report,
    with_due_date,
)
from services.workflow.rules import (
    APPROVE,
    GLOBAL_ROLES,
    NEEDS_COMMENT,
    REOPEN,
    SUBMIT,
    Actor,
    decide,
    separation_problem,
)
from services.workflow.service import check_version, record_change, snapshot

MAX_BULK = 1000
# The code of a refusal that separation of duties gives, as the problem's reason and type.
SEPARATION = "separation_of_duties"


def freeze(report: Report, approver: str, at: datetime) -> dict[str, Any]:
    """The data as approved, each evidence file's SHA-256, and a hash over all of it."""
    frozen = {
        "value": report.value,
        "value_source": report.value_source,
        "value_basis": report.value_basis,
        "items": report.items,
        "note": report.note,
        "evidence": [{"id": e["id"], "sha256": e.get("sha256")} for e in report.evidence or []],
        "approved_by": approver,
        "approved_at": at.isoformat(),
    }
    frozen["sha256"] = hashlib.sha256(audit.canonical(frozen).encode()).hexdigest()
    return frozen


def _ready_to_submit(report: Report) -> None:
    if report.value is None:
        problem = (report.value_basis or {}).get("problem") or "Enter the data first."
        raise Invalid("The report has no value yet.", {"value": [problem]})
    if report.method == "template" and not report.evidence:
        raise Invalid(
            "A report of an evidence KPI needs its filled form.",
            {"evidence_ids": ["Attach the uploaded form."]},
        )


DelegatorHolds = Callable[[str, str, str], bool]


def delegator_check(identity: IdentityGateway, delegators: Iterable[str]) -> DelegatorHolds:
    """Whether a delegator still may lend (user, role, unit), asked of identity beforehand.

    Identity's events end such delegations within seconds; this closes those seconds. Identity
    is asked before the transaction opens; a delegator not asked then lends nothing.
    """
    users = {username: identity.user(username) for username in set(delegators)}

    def holds(username: str, role: str, unit: str) -> bool:
        user = users.get(username)
        return bool(user and user.get("active")) and any(
            m["role"] == role and (m["unit"] == unit or role in GLOBAL_ROLES)
            for m in user.get("memberships", [])
        )

    return holds


def _apply(
    session: Session,
    trail: audit.Trail,
    actor: Actor,
    report: Report,
    action: str,
    comment: str,
    expected_version: int | None,
    delegator_holds: DelegatorHolds | None = None,
) -> None:
    """Check everything, then change: a refused transition changes nothing."""
    check_version(report, expected_version)
    step = decide(report.state, action, actor.roles_in(report.unit), comment)
    lent = step.on_behalf_of
    if lent and delegator_holds and not delegator_holds(lent, step.role, report.unit):
        raise Forbidden(
            f"{lent} no longer holds the role {step.role} here: the delegation has ended.",
            reason="delegation_ended",
        )
    history = deeds_of(session, [report])[report.id]
    if problem := separation_problem(action, history, actor.username, step.on_behalf_of):
        raise Forbidden(
            problem, reason=SEPARATION, type=f"https://rbm.example/problems/{SEPARATION}"
        )
    if action == SUBMIT:
        _ready_to_submit(report)
    before = snapshot(report)
    now = utcnow()
    report.state = step.to
    report.updated_by, report.updated_at = actor.username, now
    if action == SUBMIT and report.submitted_at is None:
        report.submitted_at = now
    elif action == APPROVE:
        report.approved_at, report.frozen = now, freeze(report, actor.username, now)
    elif action == REOPEN:
        report.approved_at, report.frozen = None, None
    changes = audit.diff(before, snapshot(report))
    record_change(
        session, trail, report, action, actor.username, step.on_behalf_of, changes, comment
    )


def _delegators_asked(
    sessions: sessionmaker[Session], principal: Principal, gateways: Gateways
) -> DelegatorHolds:
    """Identity's word on everyone who lends the caller a role today, before any transaction."""
    with unit_of_work(sessions) as session:
        actor = actor_of(session, principal)
    return delegator_check(gateways, (g.on_behalf_of for g in actor.grants if g.on_behalf_of))


def transition(
    sessions: sessionmaker[Session],
    principal: Principal,
    gateways: Gateways,
    report_id: str,
    action: str,
    comment: str = "",
    expected_version: int | None = None,
) -> ReportView:
    """Move one report along the chain: 403 for a role that may not, 409 for the wrong state."""
    delegator_holds = _delegators_asked(sessions, principal, gateways)
    with unit_of_work(sessions) as session:
        actor = actor_of(session, principal)
        trail = audit.Trail(session)
        report = visible_report(session, actor, report_id)
        _apply(
            session,
            trail,
            actor,
            report,
            action,
            comment.strip(),
            expected_version,
            delegator_holds,
        )
        try:
            session.flush()
        except StaleDataError as exc:
            raise Conflict("The report changed while this action was taken.") from exc
        view = shown(session, report, actor)
    return with_due_date(sessions, gateways, view)


def bulk_transition(
    sessions: sessionmaker[Session],
    principal: Principal,
    gateways: Gateways,
    action: str,
    comment: str,
    targets: Sequence[tuple[str, int | None]],
) -> list[dict[str, Any]]:
    """The same action on many reports, with a result for each; one failing leaves the rest."""
    comment = comment.strip()
    if len(targets) > MAX_BULK:
        raise Invalid("Too many reports.", {"reports": [f"At most {MAX_BULK}."]})
    if action in NEEDS_COMMENT and not comment:
        raise Invalid(f"Say why: {action} needs a comment.", {"comment": ["Required."]})
    delegator_holds = _delegators_asked(sessions, principal, gateways)
    with unit_of_work(sessions) as session:
        return _bulk(session, principal, action, comment, targets, delegator_holds)


def _bulk(
    session: Session,
    principal: Principal,
    action: str,
    comment: str,
    targets: Sequence[tuple[str, int | None]],
    delegator_holds: DelegatorHolds,
) -> list[dict[str, Any]]:
    actor = actor_of(session, principal)
    trail = audit.Trail(session)
    ids = sorted({report_id for report_id, _ in targets})
    found = {r.id: r for r in session.scalars(select(Report).where(Report.id.in_(ids)))}
    results = []
    for report_id, version in targets:
        report = found.get(report_id)
        try:
            if report is None or not actor.may_see(report.unit):
                raise NotFound(f"No report {report_id}.")
            _apply(session, trail, actor, report, action, comment, version, delegator_holds)
        except DomainError as exc:
            results.append(
                {"id": report_id, "ok": False, "status": exc.status, "detail": exc.detail}
            )
            continue
        results.append(
            {"id": report_id, "ok": True, "status": 200, "state": report.state, "version": None}
        )
    session.flush()
    for result in results:
        if result["ok"]:
            result["version"] = found[result["id"]].version
    return results
