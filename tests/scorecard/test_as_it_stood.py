"""A round report's figures as they stood at its as-of date: reports approved after the date
do not count, nor do reports of months after it. Worked out by hand, on SQLite and
PostgreSQL (the `store` of `test_stores`: PRD > R > P1, P2; 2.2 a count, `sum` over the year
and up the tree, thresholds [60, 70, 80, 90, 100] per cent of the target; due from P1 on 10
November and 10 December 2003, from P2 on 10 November 2003). R's target for 2.2 is 5.

2.2's reports, approved (each names one [agency, month] key):
- a: P1, M01 (October 2003), agency A, approved 5 November 2003;
- b: P2, M01, agency A (the same agency-month as a), approved 6 November 2003;
- c: P2, M05 (February 2004), agency B, approved 10 April 2004 (after 31 March);
- d: P1, M07 (April 2004), agency C, approved 30 March 2004 (its month after 31 March);
- e: P1, M03 (December 2003), agency D, approved 31 March 2004 at 20:00 UTC, which is
  1 April 2004 in Thailand.

Six months (31 March 2004): a and b count. R: A-October once = 1 of 5 = 20 % → score 1.0;
2 reports approved; P1 1, P2 1. Nine months (30 June 2004): all five count: P1 A, C, D = 3,
P2 A, B = 2, R 4 distinct [agency, month] (A-October once) = 80 % → 3.0; 5 approved.
Today's scorecard read at 31 March counts what is approved today: R 4.
"""

from __future__ import annotations

import subprocess
import uuid
from datetime import UTC, date, datetime

from common.db import unit_of_work
from common.events import Envelope
from services.scorecard import round_content, round_document
from services.scorecard.events import on_events
from services.scorecard.models import Kpi
from services.scorecard.service import Query, scorecard, scorecard_as_it_stood
from services.scorecard.tallying import set_target
from tests.evidence.test_forms import squeeze
from tests.scorecard.test_stores import READER, YEAR, store  # noqa: F401 - the fixture

SIX_MONTHS, NINE_MONTHS = date(2004, 3, 31), date(2004, 6, 30)
NAME_TH = "จำนวนหน่วยงานภายนอกที่มาใช้บริการ กปส."
NOW = datetime(2004, 7, 1, tzinfo=UTC)


def approved(unit: str, period: str, agency: str, month: str, at: str) -> Envelope:
    return Envelope(
        id=str(uuid.uuid4()),
        type="workflow.report.approved",
        occurred_at=at,
        actor="reviewer",
        data={"report_id": uuid.uuid4().hex, "year": YEAR, "kpi": "2.2", "unit": unit,
              "period": period, "state": "approved", "value": 1.0,
              "counted_keys": [[agency, month]]},
        schema_version=1,
    )  # fmt: skip


def filled(factory) -> None:
    with unit_of_work(factory) as session:
        session.get(Kpi, (YEAR, "2.2")).name_th = NAME_TH
        set_target(session, YEAR, "R", "2.2", 5.0)
        on_events(
            session,
            [
                approved("P1", "M01", "A", "2003-10", "2003-11-05T03:00:00+00:00"),
                approved("P2", "M01", "A", "2003-10", "2003-11-06T03:00:00+00:00"),
                approved("P2", "M05", "B", "2004-02", "2004-04-10T03:00:00+00:00"),
                approved("P1", "M07", "C", "2004-04", "2004-03-30T03:00:00+00:00"),
                approved("P1", "M03", "D", "2003-12", "2004-03-31T20:00:00+00:00"),
            ],
        )


def card_22(factory, use_case, unit: str, as_of: date) -> dict:
    with unit_of_work(factory) as session:
        body = use_case(session, READER, None, Query(YEAR, unit, as_of=as_of), NOW)
    return next(k for k in body["kpis"] if k["kpi"] == "2.2")


def figures(card: dict) -> tuple:
    return card["actual"], card["score"], card["reports"]["approved"], card["basis"]["text"]


def test_a_past_date_counts_only_what_was_approved_by_then_of_months_up_to_then(store):  # noqa: F811
    filled(store)
    assert figures(card_22(store, scorecard_as_it_stood, "R", SIX_MONTHS)) == (
        1.0, 1.0, 2, "Σ 2 units = 1 (1 key counted once across them)"
    )  # fmt: skip
    assert figures(card_22(store, scorecard_as_it_stood, "R", NINE_MONTHS)) == (
        4.0, 3.0, 5, "Σ 2 units = 4 (4 keys counted once across them)"
    )  # fmt: skip
    assert card_22(store, scorecard_as_it_stood, "P1", SIX_MONTHS)["actual"] == 1.0
    assert card_22(store, scorecard_as_it_stood, "P1", NINE_MONTHS)["actual"] == 3.0
    assert card_22(store, scorecard_as_it_stood, "P2", NINE_MONTHS)["actual"] == 2.0
    # Today's scorecard at the same date counts every report approved today.
    assert card_22(store, scorecard, "R", SIX_MONTHS)["actual"] == 4.0


def test_the_six_month_round_report_writes_those_figures_in_thai_and_its_pdf_shows_them(
    store,  # noqa: F811
    tmp_path,
):
    filled(store)
    ask = {"year": YEAR, "unit": "R", "as_of": SIX_MONTHS}
    with unit_of_work(store) as session:
        context = round_content.context(session, None, ask, None, NOW)
    [row] = [k for k in context["kpis"] if k["code"] == "2.2"]
    assert (row["name"], row["target"], row["actual"], row["score"]) == (
        NAME_TH, "5.00", "1.00", "1.00"
    )  # fmt: skip
    assert row["basis"] == (
        "ผลรวมของหน่วยงาน: รวม 2 หน่วยงาน = 1 (รายการที่ซ้ำกันระหว่างหน่วยงานนับครั้งเดียว 1 รายการ)"
    )
    assert (context["round"], context["as_of"]) == ("รอบ 6 เดือน", "31 มีนาคม 2547")
    # LibreOffice opens the .docx and makes the PDF; its text has the Thai name and score.
    (tmp_path / "report.pdf").write_bytes(
        round_document.to_pdf(round_document.render_docx(context))
    )
    text = subprocess.run(
        ["pdftotext", str(tmp_path / "report.pdf"), "-"], check=True, capture_output=True
    ).stdout.decode()
    assert squeeze(f"ตัวชี้วัดที่ 2.2 {NAME_TH}") in squeeze(text)
    assert squeeze("ผลรวมของหน่วยงาน: รวม 2 หน่วยงาน") in squeeze(text)
    assert "1.00" in text
