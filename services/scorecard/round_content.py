"""What a round report says: the unit's scorecard as it stood at the as-of date (reports
approved by then, of periods ended by then), each KPI's weighted score and basis, and the
evidence files of those reports, in Thai with BE dates.

The scorecard comes from this service's own read model; the files' names and SHA-256 from
the workflow's approved reports (on the scorecard's own account). Where the workflow does
not answer or refuses that account, every file column reads "—" and the report says why.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from common.auth import SERVICE, Principal
from common.clients import ServiceClient
from common.errors import DomainError
from common.fiscal import fiscal_year_dates, period_dates, thai_date, today
from services.scorecard import rules
from services.scorecard.catalogue_copy import Catalogue
from services.scorecard.service import Query, scorecard_as_it_stood

NONE = "—"
PAGE = 500
# The worker reads every unit's scorecard: it acts for whoever asked, who was checked then.
WORKER = Principal(user_id="svc-scorecard", username="svc-scorecard", roles=frozenset({SERVICE}))
# The roll-up each basis names (`BasisSchema.formula`), as the report writes it.
FORMULAS = {
    "ratio": "ผลรวมตัวตั้ง / ผลรวมตัวหาร x 100",
    "sum": "ผลรวมของหน่วยงาน",
    "mean": "ค่าเฉลี่ยของหน่วยงานที่ต้องรายงาน",
}
FILES_UNAVAILABLE = "ไม่สามารถอ่านรายการไฟล์หลักฐานจากระบบรายงานได้ในขณะจัดทำรายงานนี้"


def _number(value: float | None, places: int = 2) -> str:
    return NONE if value is None else f"{value:,.{places}f}"


def round_label(year: int, as_of: date) -> str:
    """`รอบ 6 เดือน` for an as-of date at (or in) the sixth month's end, and so on."""
    first, _ = fiscal_year_dates(year)
    months = (as_of.year - first.year) * 12 + as_of.month - first.month + 1
    return f"รอบ {min(max(months, 1), 12)} เดือน"


def _weighted_rows(card: dict, total_weight: float, missing_as: float) -> str:
    counted = rules.counted_score(card["score"], card["missing"], missing_as)
    if counted is None or card["weight"] <= 0 or not total_weight:
        return NONE
    return _number(counted * card["weight"] / total_weight, 4)


def _total_weight(cards: list[dict], missing_as: float) -> float:
    pairs = (
        (rules.counted_score(c["score"], c["missing"], missing_as), c["weight"]) for c in cards
    )
    return rules.weighted(pairs)[1]


def _files_text(files: list[dict] | None) -> list[str]:
    if files is None:
        return [NONE]
    return [f"{f['filename'] or f['id']} SHA-256 {f['sha256'] or NONE}" for f in files] or [NONE]


def _basis(card: dict, missing_as: float) -> str:
    """How the KPI's result was reached, in Thai: its roll-up and its numbers."""
    basis = card["basis"]
    formula = FORMULAS.get(basis["formula"], basis["formula"])
    text = rules.basis_text(basis, card["actual"], card["measure"], missing_as, "th")
    return f"{formula}: {text}"


def _kpi_row(card: dict, total: float, missing_as: float, files: list[dict] | None) -> dict:
    score = rules.counted_score(card["score"], card["missing"], missing_as)
    return {
        "code": card["kpi"],
        "name": card["name_th"],
        "target": _number(card["target"]),
        "actual": _number(card["actual"]),
        "score": _number(score),
        "weight": _number(card["weight"]),
        "weighted": _weighted_rows(card, total, missing_as),
        "basis": _basis(card, missing_as),
        "provisional": "เกณฑ์ชั่วคราว" if card["provisional"] else "",
        "files": _files_text(files),
    }


def evidence_files(
    workflow: ServiceClient, year: int, unit: str, as_of: date
) -> dict[str, list[dict]] | None:
    """The files of the unit's (and units below) reports approved by `as_of`, of periods
    ended by then (those its scorecard then counts), by KPI; None when the workflow does not
    give them."""
    found: list[dict] = []
    try:
        while True:
            page = workflow.get(
                "/reports", within=unit, year=year, state="approved", limit=PAGE, offset=len(found)
            )
            found += page
            if len(page) < PAGE:
                break
    except DomainError:
        return None
    by_kpi: dict[str, list[dict]] = defaultdict(list)
    for report in found:
        approved = report.get("approved_at")
        approved_on = today(datetime.fromisoformat(approved)) if approved else as_of
        if approved_on > as_of or period_dates(year, report["period"])[1] > as_of:
            continue
        for entry in report.get("evidence") or []:
            by_kpi[report["kpi"]].append(entry)
    return by_kpi


def context(
    session: Session,
    catalogue: Catalogue,
    ask: dict[str, Any],
    files: dict[str, list[dict]] | None,
    now: datetime,
) -> dict[str, Any]:
    """What the template is rendered with."""
    card = scorecard_as_it_stood(
        session, WORKER, catalogue, Query(ask["year"], ask["unit"], as_of=ask["as_of"]), now
    )
    missing_as = card["missing_counts_as"]
    total = _total_weight(card["kpis"], missing_as)
    return {
        "unit_name": card["name_th"],
        "unit": card["unit"],
        "year": ask["year"],
        "round": round_label(ask["year"], ask["as_of"]),
        "as_of": thai_date(ask["as_of"]),
        "made_on": thai_date(now.date()),
        "score": _number(card["score"], 4),
        "missing": card["missing"],
        "missing_as": _number(missing_as),
        "files_note": FILES_UNAVAILABLE if files is None else "",
        "kpis": [
            _kpi_row(c, total, missing_as, None if files is None else files.get(c["kpi"], []))
            for c in card["kpis"]
        ],
    }
