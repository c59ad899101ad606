"""Imports of the KPIs units do not type (1.1, 3.1, 5.1 from other systems; 8.1 from OPDC).

A file is read and every row checked first; a file with any bad row writes nothing (422 with
each bad row's line and reasons). A good one writes every row in one transaction: each row is a
report `approved` by the importer, `value_source: "import"`, with the file kept as evidence and
an audit entry naming it. A row whose figures a report already holds is left alone, so the same
file twice changes nothing; a different figure makes a new version of the report, and its audit
entry shows the old and the new. Each written report publishes `workflow.report.approved`.

`python -m services.workflow.imports FILE --kpi 3.1 --year 2547 [--dry-run]` does the same
from the command line (see `import_cli.py`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, BinaryIO

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from common.auth import ADMIN, IMPORTER, REVIEWER, Principal
from common.db import unit_of_work
from common.errors import Invalid
from common.events import utcnow
from common.intake import sha256_of
from services.workflow import audit
from services.workflow.gateways import Gateways, Kpi
from services.workflow.import_files import open_table
from services.workflow.import_rules import (
    DECIMALS,
    IMPORT_RULES,
    ImportRule,
    Line,
    Slots,
    check_row,
    missing_columns,
)
from services.workflow.models import Report, new_id
from services.workflow.rules import APPROVED
from services.workflow.service import record_change, snapshot
from services.workflow.transitions import freeze
from services.workflow.values import evidence_entry

IMPORT = "import"
CREATE, UPDATE, UNCHANGED = "create", "update", "unchanged"
IMPORTERS = (REVIEWER, ADMIN, IMPORTER)
# Bad rows listed in a refusal: enough to fix a file, bounded for a file that is all wrong.
MAX_LISTED = 200


@dataclass(frozen=True)
class Upload:
    """The file as received: its name, its bytes (spooled) and the encoding named, if any."""

    filename: str
    spool: BinaryIO
    encoding: str | None = None


@dataclass(frozen=True)
class Source:
    """The file read: its rows checked, its hash and how it was decoded."""

    filename: str
    sha256: str
    encoding: str | None
    lines: list[Line]


def importable(principal: Principal) -> None:
    principal.require_role(*IMPORTERS)


def import_rule_of(kpi: Kpi) -> ImportRule:
    """The import rules of a KPI that is imported; 422 for one typed in by units."""
    rule = IMPORT_RULES.get(kpi.code)
    if kpi.method not in ("feed", "survey") or rule is None:
        reason = f"KPI {kpi.code} is typed in rbm by the units ({kpi.method}), not imported"
        raise Invalid(f"{reason}.", {"kpi": [reason]})
    return rule


def slots_of(gateways: Gateways, year: int, kpi: Kpi) -> Slots:
    """The units the catalogue knows and the (unit, period)s imports bring in for the KPI
    (the department's own among them); 422 when the year is not open (reports are written
    only while it is)."""
    status = gateways.year_status(year)
    if status != "open":
        reason = f"Year {year} is {status}: its reports cannot be written"
        raise Invalid(f"{reason}.", {"year": [reason]})
    brought_in = gateways.schedule(year, kpi=kpi.code, via="imported")
    reporting = {(s["unit"], s["period"]) for s in brought_in}
    return Slots({u["code"] for u in gateways.units()}, kpi.periods, reporting, kpi.cycle)


def read_source(upload: Upload, rule: ImportRule, slots: Slots) -> Source:
    """Every row checked; 422 listing each bad row (line and reasons) if any is bad."""
    table = open_table(upload.spool, upload.filename, upload.encoding)
    if missing := missing_columns(rule, table.columns):
        detail = f"The file lacks the column(s): {', '.join(missing)}."
        raise Invalid(detail, {"file": [detail]}, reason="missing-column", rows=[])
    lines, bad, seen = [], [], {}
    for row in table.rows:
        line, errors = check_row(rule, row.line, row.cells, slots)
        errors = row.problems + errors
        if line is not None and (line.unit, line.period) in seen:
            first = seen[(line.unit, line.period)]
            errors.append(f"Duplicate row: {line.unit} {line.period} is on line {first} too.")
        if errors:
            bad.append({"line": row.line, "errors": errors})
        else:
            seen[(line.unit, line.period)] = line.line
            lines.append(line)
    if bad:
        detail = f"{len(bad)} row(s) cannot be imported; nothing was written."
        raise Invalid(
            detail, {"file": [detail]}, reason="bad-rows", rows=bad[:MAX_LISTED], bad_rows=len(bad)
        )
    if not lines:
        raise Invalid("The file has no data rows.", {"file": ["No rows."]}, reason="empty")
    return Source(upload.filename, sha256_of(upload.spool), table.encoding, lines)


def basis_of(line: Line, rule: ImportRule, source: Source) -> dict[str, Any]:
    """How an imported value was reached: the source's figures, the file and its line, and
    the value's numerator over its denominator (3.1: budget - spent over budget), which the
    report's events carry so that units and months add up as Σ numerators / Σ denominators."""
    return {
        "rule": rule.rule if line.figures else "value as given",
        "figures": line.figures,
        **_fraction(line, rule),
        "file": source.filename,
        "sha256": source.sha256,
        "line": line.line,
    }


def _fraction(line: Line, rule: ImportRule) -> dict[str, float]:
    """`{numerator, denominator}` of the value from the source's figures (none without)."""
    if not line.figures:
        return {}
    whole = line.figures[rule.whole]
    numerator = rule.compute(line.figures[rule.part], whole) * whole / 100
    return {"numerator": round(numerator, DECIMALS), "denominator": whole}


def action_of(line: Line, report: Report | None) -> str:
    """What importing the line does to the report now held for its unit and period."""
    if report is None:
        return CREATE
    held = (report.value_basis or {}).get("figures") or {}
    same = report.value == line.value and held == line.figures
    return UNCHANGED if same and report.state == APPROVED else UPDATE


def reports_for(session: Session, year: int, kpi: str, lines: Iterable[Line]) -> dict:
    units = sorted({line.unit for line in lines})
    query = select(Report).where(Report.year == year, Report.kpi == kpi, Report.unit.in_(units))
    return {(r.unit, r.period): r for r in session.scalars(query)}


def summary(plan: list[tuple[Line, str]], source: Source, dry_run: bool) -> dict[str, Any]:
    counts = {action: sum(1 for _, a in plan if a == action) for action in (CREATE, UPDATE)}
    return {
        "valid": True,
        "dry_run": dry_run,
        "file": {"filename": source.filename, "sha256": source.sha256, "encoding": source.encoding},
        "rows": [
            {"line": ln.line, "unit": ln.unit, "period": ln.period, "value": ln.value, "action": a}
            for ln, a in plan
        ],
        "created": counts[CREATE],
        "updated": counts[UPDATE],
        "unchanged": len(plan) - counts[CREATE] - counts[UPDATE],
    }


def _planned(
    session: Session, year: int, kpi: str, lines: list[Line]
) -> tuple[dict, list[tuple[Line, str]]]:
    """The reports the lines would write, and what each line does to its report."""
    held = reports_for(session, year, kpi, lines)
    return held, [(line, action_of(line, held.get((line.unit, line.period)))) for line in lines]


def run_import(
    sessions: sessionmaker[Session],
    principal: Principal,
    gateways: Gateways,
    upload: Upload,
    year: int,
    kpi_code: str,
    dry_run: bool,
) -> dict[str, Any]:
    """Check a file and, unless `dry_run`, write its rows; what each row does, and counts.

    The catalogue and evidence are asked between transactions, never while one is open."""
    importable(principal)
    kpi = gateways.kpi(year, kpi_code)
    rule = import_rule_of(kpi)
    source = read_source(upload, rule, slots_of(gateways, year, kpi))
    with unit_of_work(sessions) as session:
        held, plan = _planned(session, year, kpi.code, source.lines)
    if dry_run or all(action == UNCHANGED for _, action in plan):
        return summary(plan, source, dry_run)
    evidence = gateways.store_source(upload.filename, upload.spool, year, kpi.code)
    with unit_of_work(sessions) as session:
        trail = audit.Trail(session)
        # Read again under the trail's lock: another import may have written since the plan.
        held, plan = _planned(session, year, kpi.code, source.lines)
        write = Write(principal.username, year, kpi, source, evidence_entry(evidence), utcnow())
        for line, action in plan:
            if action != UNCHANGED:
                _write(session, trail, write, line, held.get((line.unit, line.period)))
    return {**summary(plan, source, dry_run), "evidence_id": evidence["id"]}


@dataclass(frozen=True)
class Write:
    """What every row of one import is written with."""

    actor: str
    year: int
    kpi: Kpi
    source: Source
    evidence: dict[str, Any]  # as a report lists it
    now: datetime


def _write(
    session: Session, trail: audit.Trail, write: Write, line: Line, report: Report | None
) -> None:
    """The row as an approved report (new, or a new version), its audit entry and event."""
    actor, kpi, now = write.actor, write.kpi, write.now
    before = snapshot(report) if report is not None else {}
    if report is None:
        report = Report(
            id=new_id(),
            year=write.year,
            unit=line.unit,
            kpi=kpi.code,
            period=line.period,
            created_by=actor,
            created_at=now,
            submitted_at=now,
            note="",
        )
        session.add(report)
    report.method, report.measure, report.counting_rule = kpi.method, kpi.measure, None
    report.items = []
    report.value = line.value
    report.value_source = IMPORT
    report.value_basis = basis_of(line, IMPORT_RULES[kpi.code], write.source)
    report.evidence = [write.evidence]
    report.state = APPROVED
    report.updated_by, report.updated_at, report.approved_at = actor, now, now
    report.submitted_at = report.submitted_at or now
    report.frozen = freeze(report, actor, now)
    source = write.source
    comment = f"Imported from {source.filename} (line {line.line}, SHA-256 {source.sha256})."
    changes = audit.diff(before, snapshot(report))
    record_change(session, trail, report, IMPORT, actor, None, changes, comment)


if __name__ == "__main__":
    from services.workflow.import_cli import main

    raise SystemExit(main())
