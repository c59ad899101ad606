"""Use cases that write reports: create and edit. Reading is in `reading.py`, transitions in
`transitions.py`.

Each use case owns its unit of work. A writer checks the caller's right in a short read, asks
the other services what it needs (catalogue, evidence) with no transaction open, then opens the
one that locks the audit trail (which serialises writers), reads and changes the report.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from common.auth import Principal
from common.db import unit_of_work
from common.errors import Conflict, Invalid
from common.events import record_event, utcnow
from services.workflow import audit
from services.workflow.counting import (
    ACTIVITIES_FROM,
    DISTINCT_ACROSS_UNITS,
    OUTSIDE_ONLY,
    PEOPLE_RULES,
    RULES,
    YearReport,
    count,
    count_year,
    counted_keys,
    listed_activities,
    with_verdicts,
)
from services.workflow.delegations import actor_of
from services.workflow.events import REPORT_EVENTS
from services.workflow.gateways import Gateways, Kpi, Period
from services.workflow.models import Outbox, Report, new_id
from services.workflow.prd_units import own_unit_names
from services.workflow.reading import ReportView, shown, visible_report, with_due_date
from services.workflow.rules import APPROVED, DRAFT, EDIT, ENDORSED, SUBMITTED, decide
from services.workflow.values import (
    COUNT_CHANGED,
    MAX_EVIDENCE,
    Inputs,
    Valued,
    clean_items,
    counted_value,
    evidence_entry,
    evidence_problem,
    other_value,
    stored_inputs,
)


def snapshot(report: Report) -> dict[str, Any]:
    """What the audit trail records the before and after of."""
    return {
        "state": report.state,
        "value": report.value,
        "value_source": report.value_source,
        "value_basis": report.value_basis,
        "items": report.items,
        "evidence": [{"id": e["id"], "sha256": e.get("sha256")} for e in report.evidence or []],
        "note": report.note,
        "frozen_sha256": (report.frozen or {}).get("sha256"),
    }


def publish(
    session: Session,
    report: Report,
    action: str,
    actor: str,
    on_behalf_of: str | None,
    comment: str = "",
) -> None:
    event = REPORT_EVENTS[action](
        report_id=report.id,
        year=report.year,
        kpi=report.kpi,
        unit=report.unit,
        period=report.period,
        state=report.state,
        reporter=report.created_by,
        actor=actor,
        on_behalf_of=on_behalf_of,
        comment=comment,
        **value_facts(report),
    )
    record_event(session, Outbox, event, actor)


def value_facts(report: Report) -> dict[str, Any]:
    """What a report's value was reached from, as its events carry it."""
    basis = report.value_basis or {}
    numerator = basis.get("counted", basis.get("numerator"))
    people = []
    if report.counting_rule in PEOPLE_RULES:
        people = counted_keys(report.counting_rule, report.items or ())
    return {
        "version": report.version,
        "value": report.value,
        "numerator": numerator,
        "denominator": basis.get("denominator"),
        "people": people,
        "counted_keys": (
            counted_keys(report.counting_rule, report.items or ())
            if report.counting_rule in DISTINCT_ACROSS_UNITS
            else []
        ),
    }


def check_version(report: Report, expected: int | None) -> None:
    """409 when the caller saw another version than the current one (If-Match / version)."""
    if expected is not None and expected != report.version:
        raise Conflict(
            f"The report changed: it is at version {report.version}, you sent {expected}.",
            version=report.version,
        )


# --- writing -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Facts:
    """What the other services said, gathered before the trail is locked."""

    kpi: Kpi
    period: Period
    denominator: dict | None
    evidence: list[dict]
    known: frozenset[str] = frozenset()


def gather(
    gateways: Gateways,
    year: int,
    unit: str,
    kpi_code: str,
    period: str,
    inputs: Inputs,
    attached: list[dict],
) -> Facts:
    kpi = gateways.kpi(year, kpi_code)
    span = gateways.period(year, unit, kpi_code, period)
    # The unit's way decides the form: the department types what regional offices need not.
    kpi = replace(kpi, method=span.method or kpi.method)
    denominator = gateways.denominator(year, unit, kpi_code) if kpi.measure == "percent" else None
    # Files are immutable: one already attached was checked when it was attached.
    known = {str(e["id"]): e for e in attached}
    ids = inputs.evidence_ids
    errors: dict[str, list[str]] = {}
    if len(ids) > MAX_EVIDENCE:
        errors["evidence_ids"] = [f"At most {MAX_EVIDENCE} files."]
    elif len({str(i) for i in ids}) != len(ids):
        errors["evidence_ids"] = ["A file is listed twice."]
    evidence = []
    for index, file_id in enumerate(ids if not errors else []):
        if str(file_id) in known:
            evidence.append(known[str(file_id)])
            continue
        meta = gateways.evidence_file(file_id)
        if problem := evidence_problem(meta, file_id, year, unit, kpi_code):
            errors[f"evidence_ids.{index}"] = [problem]
        else:
            assert meta is not None  # a file not found is a problem above
            evidence.append(evidence_entry(meta))
    if errors:
        raise Invalid("Evidence must be files of the same unit, KPI and year.", errors)
    # Agencies and awards count only from outside the department: its own units are asked for.
    own = own_unit_names(gateways.units()) if kpi.counting_rule in OUTSIDE_ONLY else frozenset()
    return Facts(kpi, span, denominator, evidence, own)


def _may_draft(sessions: sessionmaker[Session], principal: Principal, unit: str) -> None:
    """403 before anything is asked of the other services, for whoever may not write there."""
    with unit_of_work(sessions) as session:
        decide(DRAFT, EDIT, actor_of(session, principal).roles_in(unit))


def create_report(
    sessions: sessionmaker[Session],
    principal: Principal,
    gateways: Gateways,
    body: Mapping[str, Any],
) -> ReportView:
    """A new draft, if the unit reports that KPI in that period and has no report for it yet."""
    year, unit, kpi_code, period = body["year"], body["unit"], body["kpi"], body["period"]
    _may_draft(sessions, principal, unit)
    inputs = Inputs.of({}, body)
    facts = gather(gateways, year, unit, kpi_code, period, inputs, [])
    with unit_of_work(sessions) as session:
        actor = actor_of(session, principal)
        step = decide(DRAFT, EDIT, actor.roles_in(unit))
        trail = audit.Trail(session)
        taken = select(Report.id).where(
            Report.year == year,
            Report.unit == unit,
            Report.kpi == kpi_code,
            Report.period == period,
        )
        if existing := session.scalar(taken):
            raise Conflict(
                f"{unit} already has a report of {kpi_code} for {period} {year}.",
                report_id=existing,
            )
        report = Report(
            id=new_id(),
            year=year,
            unit=unit,
            kpi=kpi_code,
            period=period,
            state=DRAFT,
            created_by=actor.username,
            created_at=utcnow(),
            items=[],
            evidence=[],
            note="",
        )
        _write(session, trail, report, facts, inputs, actor.username, step.on_behalf_of, "create")
        view = shown(session, report, actor)
    return with_due_date(sessions, gateways, view)


def edit_report(
    sessions: sessionmaker[Session],
    principal: Principal,
    gateways: Gateways,
    report_id: str,
    changes: Mapping[str, Any],
    expected_version: int | None = None,
) -> ReportView:
    """Change a draft or returned report's data; 409 in any other state."""
    with unit_of_work(sessions) as session:
        actor = actor_of(session, principal)
        seen = visible_report(session, actor, report_id)
        decide(seen.state, EDIT, actor.roles_in(seen.unit))
        check_version(seen, expected_version)
    stored = stored_inputs(
        seen.value, seen.value_source, seen.value_basis, seen.items, seen.evidence_ids, seen.note
    )
    inputs = Inputs.of(stored, changes)
    facts = gather(gateways, seen.year, seen.unit, seen.kpi, seen.period, inputs, seen.evidence)
    with unit_of_work(sessions) as session:
        actor = actor_of(session, principal)
        trail = audit.Trail(session)
        report = visible_report(session, actor, report_id)
        check_version(report, seen.version)
        step = decide(report.state, EDIT, actor.roles_in(report.unit))
        _write(session, trail, report, facts, inputs, actor.username, step.on_behalf_of, EDIT)
        view = shown(session, report, actor)
    return with_due_date(sessions, gateways, view)


def _write(
    session: Session,
    trail: audit.Trail,
    report: Report,
    facts: Facts,
    inputs: Inputs,
    actor: str,
    on_behalf_of: str | None,
    action: str,
) -> None:
    """Lay the inputs on the report, count or compute its value, and record the change."""
    kpi = facts.kpi
    valued, siblings, counts = _valued(session, report, facts, inputs)
    before = snapshot(report) if action == EDIT else {}
    _lay(report, kpi, valued, facts.evidence, inputs.note)
    changes = audit.diff(before, snapshot(report))
    if action == EDIT and not changes:
        session.expire(report)  # nothing changed: no new version, no entry, no event
        return
    report.updated_by, report.updated_at = actor, utcnow()
    if action != EDIT:
        session.add(report)
    try:
        session.flush()
    except IntegrityError as exc:
        raise Conflict(f"{report.unit} already has a report of {report.kpi} then.") from exc
    record_change(session, trail, report, action, actor, on_behalf_of, changes)
    if siblings:
        _recount(session, trail, kpi, facts.denominator, report, siblings, counts, actor)
    _recount_taking_part(session, trail, report, actor)


def _valued(
    session: Session, report: Report, facts: Facts, inputs: Inputs
) -> tuple[Valued, list[Report], Mapping]:
    """The report's value from its inputs; with the year's other reports where a rule spans them."""
    kpi = facts.kpi
    items = clean_items(kpi, inputs, facts.period)
    if kpi.counting_rule and RULES[kpi.counting_rule].across_year:
        siblings = _year_siblings(session, report)
        counts = count_year(
            kpi.counting_rule,
            [YearReport(s.id, s.period, s.items, s.state == APPROVED) for s in siblings]
            + [YearReport(report.id, report.period, items)],
            facts.known,
        )
        return counted_value(kpi, items, counts[report.id], facts.denominator), siblings, counts
    if kpi.counting_rule in ACTIVITIES_FROM:
        source = _same_slot(session, report, ACTIVITIES_FROM[kpi.counting_rule])
        activities = listed_activities(source.items if source else ())
        counted = count(kpi.counting_rule, items, known=activities)
        return counted_value(kpi, items, counted, facts.denominator), [], {}
    if kpi.counting_rule:
        counted = count(kpi.counting_rule, items, known=facts.known)
        return counted_value(kpi, items, counted, facts.denominator), [], {}
    return other_value(kpi, inputs, facts.evidence, facts.denominator), [], {}


def preview_report(
    sessions: sessionmaker[Session],
    principal: Principal,
    gateways: Gateways,
    body: Mapping[str, Any],
) -> dict[str, Any]:
    """What saving these data would count (value, basis, each item's verdict); nothing written."""
    year, unit, kpi_code, period = body["year"], body["unit"], body["kpi"], body["period"]
    _may_draft(sessions, principal, unit)
    inputs = Inputs.of({}, body)
    facts = gather(gateways, year, unit, kpi_code, period, inputs, [])
    # The report being written, if it exists, is the one the preview stands for.
    same = select(Report.id).where(
        Report.year == year, Report.unit == unit, Report.kpi == kpi_code, Report.period == period
    )
    with unit_of_work(sessions) as session:
        stand_in = Report(
            id=session.scalar(same) or "preview", year=year, unit=unit, kpi=kpi_code, period=period
        )
        valued, _siblings, _counts = _valued(session, stand_in, facts, inputs)
    return {"value": valued.value, "value_basis": valued.value_basis, "items": valued.items}


def _lay(report: Report, kpi: Kpi, valued: Valued, evidence: list[dict], note: str) -> None:
    report.method, report.measure, report.counting_rule = kpi.method, kpi.measure, kpi.counting_rule
    report.items = valued.items
    # Stored as a float column: compare and audit it as one.
    report.value = None if valued.value is None else float(valued.value)
    report.value_source = valued.value_source
    report.value_basis = valued.value_basis
    report.evidence = evidence
    report.note = note


def record_change(
    session: Session,
    trail: audit.Trail,
    report: Report,
    action: str,
    actor: str,
    on_behalf_of: str | None,
    changes: Mapping[str, Any],
    comment: str = "",
) -> None:
    trail.append(
        subject="report",
        subject_id=report.id,
        actor=actor,
        on_behalf_of=on_behalf_of,
        action=action,
        changes=changes,
        comment=comment,
    )
    publish(session, report, action, actor, on_behalf_of, comment)


def _year_siblings(session: Session, report: Report) -> list[Report]:
    query = select(Report).where(
        Report.year == report.year,
        Report.unit == report.unit,
        Report.kpi == report.kpi,
        Report.id != report.id,
    )
    return list(session.scalars(query))


def _same_slot(session: Session, report: Report, counting_rule: str) -> Report | None:
    """The unit's report of the same year and period counted by `counting_rule`, if any."""
    query = select(Report).where(
        Report.year == report.year,
        Report.unit == report.unit,
        Report.period == report.period,
        Report.counting_rule == counting_rule,
    )
    return session.scalars(query).first()


def _recount_taking_part(session: Session, trail: audit.Trail, changed: Report, actor: str) -> None:
    """A report of activities changed: the same period's report of who took part in them
    (15.2 after 15.1) is recounted against them, as a sibling of the year is."""
    for rule, source in ACTIVITIES_FROM.items():
        taking_part = (
            _same_slot(session, changed, rule) if source == changed.counting_rule else None
        )
        if taking_part is None or taking_part.state == APPROVED:
            continue
        kpi, denominator = _as_counted(taking_part)
        recounted = count(rule, taking_part.items, known=listed_activities(changed.items))
        counts = {taking_part.id: recounted}
        _recount(session, trail, kpi, denominator, changed, [taking_part], counts, actor)


def _as_counted(report: Report) -> tuple[Kpi, dict | None]:
    """The KPI facts and denominator a stored report was counted with (its basis keeps them)."""
    basis = report.value_basis or {}
    kpi = Kpi(
        report.kpi,
        report.method or "entry",
        "",
        report.measure or "count",
        report.counting_rule,
        (),
        basis.get("denominator_label"),
    )
    denominator = basis if basis.get("denominator") is not None else None
    return kpi, denominator


def _recount(
    session: Session,
    trail: audit.Trail,
    kpi: Kpi,
    denominator: dict | None,
    changed: Report,
    siblings: list[Report],
    counts: Mapping,
    actor: str,
) -> None:
    """Open reports of the same year whose counting changed with this one are recounted.

    A report under review (submitted or endorsed) keeps what its unit sent: it is flagged
    "count changed since submission" (old -> new) for the reviewer, who may return it.
    """
    for sibling in siblings:
        recounted = counts.get(sibling.id)
        if recounted is None:
            continue
        valued = counted_value(kpi, sibling.items, recounted, denominator)
        before = snapshot(sibling)
        if sibling.state in (SUBMITTED, ENDORSED):
            comment = _flag_count_change(sibling, valued, changed.period)
        elif with_verdicts(sibling.items, recounted) != sibling.items:
            _lay(sibling, kpi, valued, sibling.evidence, sibling.note)
            comment = f"Recounted: the report of {changed.period} changed what counts this year."
        else:
            continue
        changes = audit.diff(before, snapshot(sibling))
        if not changes:
            continue
        sibling.updated_by, sibling.updated_at = actor, utcnow()
        record_change(session, trail, sibling, "recount", actor, None, changes, comment)


def _flag_count_change(report: Report, valued: Valued, by_period: str) -> str:
    """Mark (or clear) in the report's basis that a recount would give another value."""
    basis = {k: v for k, v in (report.value_basis or {}).items() if k != COUNT_CHANGED}
    if valued.items == report.items and valued.value == report.value:
        report.value_basis = basis
        return f"The count is again the one submitted (the report of {by_period} changed)."
    basis[COUNT_CHANGED] = {
        "old": report.value,
        "new": valued.value,
        "by_period": by_period,
        "reason": "count changed since submission",
        "items": valued.items,
    }
    report.value_basis = basis
    return (
        f"Count changed since submission: {report.value} -> {valued.value} "
        f"(the report of {by_period} changed); return the report to recount it."
    )
