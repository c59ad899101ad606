"""The round report (รายงานผลการประเมินตนเอง): a unit's self-assessment at an as-of date,
asked for, built in the background by the scorecard's worker and downloaded as .docx or PDF.

The department's report at six months of 2547 (31 March 2004) holds, per KPI, its Thai name
and its score as it stood then, and the round and the date in Thai with the Buddhist Era. The
live system's approvals are dated today: by 31 March 2004 none was given, so each KPI due by
then is missing and counted at the year's `missing_counts_as`, and the others have no score.
(Figures as they stood, counted by hand: `test_as_it_stood`.)
"""

from __future__ import annotations

import io
import subprocess
import uuid
from contextlib import ExitStack
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import docx
import pytest

import services.scorecard
from common.config import from_env
from common.db import make_engine, make_session_factory, migrate
from services.scorecard.models import RoundReport
from services.scorecard.round_reports import RoundPolicy
from services.scorecard.round_worker import RoundWorker
from tests.conftest import fresh_database
from tests.evidence.test_forms import squeeze
from tests.waiting import eventually

API = "/api/scorecard/2547"
AS_OF = "2004-03-31"


def ask(http, unit="PRD", fmt="docx", as_of=AS_OF):
    return http.post(f"{API}/round-reports", json={"unit": unit, "as_of": as_of, "format": fmt})


def built(http, fmt: str) -> bytes:
    """Ask for the department's report and poll it until it is ready; its document."""
    resp = ask(http, fmt=fmt)
    assert resp.status_code == 202, resp.text
    assert resp.json()["state"] == "queued"
    report_id = resp.json()["id"]

    def ready() -> dict | None:
        state = http.get(f"{API}/round-reports/{report_id}").json()
        assert state["state"] in ("queued", "building", "ready"), state
        assert 0 <= state["progress"] <= 100
        return state if state["state"] == "ready" else None

    state = eventually(ready, timeout=300, interval=1, what="the round report built")
    content = http.get(f"{API}/round-reports/{report_id}/content")
    assert content.status_code == 200, content.text
    assert state["size"] == len(content.content)
    return content.content


@pytest.fixture(scope="module")
def expected(live):
    """Each KPI's Thai name and score as the document writes it (2 decimals): nothing was
    approved by then, so a KPI due by then scores the year's missing score, another none."""

    def read():
        resp = live.session("reviewer").get(API, params={"unit": "PRD", "as_of": AS_OF})
        # The first reads of a year copy it from the catalogue: one of two at once gets a 409.
        assert resp.status_code == 200, resp.text
        return resp.json()

    body = eventually(read)
    counted = body["missing_counts_as"]
    return body, [
        (k["kpi"], k["name_th"], f"{counted:.2f}" if k["reports"]["due"] else "—")
        for k in body["kpis"]
    ]


def test_a_reviewer_gets_the_departments_six_month_report_as_docx_with_each_kpi(as_user, expected):
    body, kpis = expected
    document = docx.Document(io.BytesIO(built(as_user("reviewer"), "docx")))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "รายงานผลการประเมินตนเอง" in text
    assert "ปีงบประมาณ พ.ศ. 2547 รอบ 6 เดือน ณ วันที่ 31 มีนาคม 2547" in text
    due = [k for k in body["kpis"] if k["reports"]["due"] and k["weight"] > 0]
    overall = f"{body['missing_counts_as']:.4f}" if due else "—"
    assert f"คะแนนรวมถ่วงน้ำหนัก {overall} จาก 5 (ตัวชี้วัดที่ยังไม่มีผลที่อนุมัติ {len(due)} ตัว" in text
    # Each KPI: a row with its code and name, then a row of its figures.
    rows = [[c.text for c in row.cells] for row in document.tables[0].rows[1:]]
    names, figures = rows[0::2], rows[1::2]
    assert [r[0] for r in names] == [f"ตัวชี้วัดที่ {code} {name}" for code, name, _ in kpis]
    assert [r[2].split()[0] for r in figures] == [score for _, _, score in kpis]
    # How each was computed, in Thai: no approved value by then.
    assert all("ยังไม่มีผลที่อนุมัติ" in r[5] for r in figures)
    assert not any("units" in r[5] for r in figures)


def test_an_auditor_gets_it_as_a_pdf_showing_the_thai_kpi_names_and_scores(
    as_user, expected, tmp_path
):
    _, kpis = expected
    (tmp_path / "report.pdf").write_bytes(built(as_user("auditor"), "pdf"))
    pdf = squeeze(
        subprocess.run(
            ["pdftotext", str(tmp_path / "report.pdf"), "-"], check=True, capture_output=True
        ).stdout.decode()
    )
    assert squeeze("รายงานผลการประเมินตนเอง") in pdf
    assert squeeze("31 มีนาคม 2547") in pdf
    for code, name, score in kpis:
        assert squeeze(f"ตัวชี้วัดที่ {code} {name}") in pdf, code
        assert score in pdf, code


def test_a_reporter_may_not_ask_for_a_round_report(as_user):
    resp = ask(as_user("reporter1"), unit="R1")
    assert resp.status_code == 403
    assert resp.headers["Content-Type"].startswith("application/problem+json")


def test_a_unit_head_may_ask_for_their_own_unit_only(as_user):
    head = as_user("head1")
    assert ask(head, unit="R2").status_code == 403
    mine = ask(head, unit="R1")
    assert mine.status_code == 202, mine.text
    assert head.get(f"{API}/round-reports/{mine.json()['id']}").status_code == 200
    assert mine.json()["id"] in [r["id"] for r in head.get(f"{API}/round-reports").json()]
    assert as_user("reporter1").get(f"{API}/round-reports").json() == []
    assert as_user("reporter1").get(f"{API}/round-reports/{mine.json()['id']}").status_code == 404


def test_an_unknown_unit_or_a_date_outside_the_year_is_named_in_a_422(as_user):
    reviewer = as_user("reviewer")
    unknown = ask(reviewer, unit="NOPE")
    assert unknown.status_code == 422
    assert "unit" in unknown.json()["errors"]
    outside = ask(reviewer, as_of="2004-10-01")
    assert outside.status_code == 422
    assert "as_of" in outside.json()["errors"]
    assert ask(reviewer, fmt="odt").status_code == 422


@pytest.fixture(params=["sqlite", "postgresql"])
def worker(request, tmp_path):
    """A round report worker on a database of its own, made by the scorecard's migrations
    (the live system's worker would take these rows first), never started: the tests call
    its claim and build."""
    with ExitStack() as stack:
        url = f"sqlite:///{tmp_path}/scorecard.db"
        if request.param == "postgresql":
            url = stack.enter_context(fresh_database(f"rbm_test_round_{uuid.uuid4().hex[:8]}"))
        settings = from_env("scorecard", {"RBM_DATABASE_URL": url, "RBM_DATA_DIR": str(tmp_path)})
        engine = make_engine(settings)
        stack.callback(engine.dispose)
        migrate(engine, Path(services.scorecard.__file__).parent / "migrations")
        yield RoundWorker(make_session_factory(engine), None, None, RoundPolicy())


NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


def queued(worker, **row):
    report_id = str(uuid.uuid4())
    values = {"id": report_id, "year": 2547, "unit": "PRD", "as_of": date(2004, 3, 31),
              "format": "docx", "state": "queued", "requested_by": "reviewer",
              "requested_at": NOW - timedelta(hours=1), **row}  # fmt: skip
    with worker.factory.begin() as session:
        session.add(RoundReport(**values))
    return report_id


def state_of(worker, report_id):
    with worker.factory() as session:
        report = session.get(RoundReport, report_id)
        return report.state, report.attempts


def test_a_worker_takes_the_oldest_queued_report_once(worker):
    later = queued(worker)
    first = queued(worker, requested_at=NOW - timedelta(hours=2))
    assert worker.claim(NOW) == (first, NOW)
    assert worker.claim(NOW) == (later, NOW)
    assert worker.claim(NOW) is None
    assert state_of(worker, first) == ("building", 1)


def test_a_report_whose_worker_died_is_taken_again_after_the_lease(worker):
    report_id = queued(worker, state="building", attempts=1, claimed_at=NOW - timedelta(minutes=5))
    assert worker.claim(NOW) is None  # its worker may still be at it
    later = NOW + timedelta(minutes=6)
    assert worker.claim(later) == (report_id, later)
    assert state_of(worker, report_id) == ("building", 2)


def test_a_report_that_stopped_its_builds_every_time_is_marked_failed(worker):
    stale = NOW - timedelta(hours=1)
    report_id = queued(worker, state="building", attempts=3, claimed_at=stale)
    assert worker.claim(NOW) is None
    assert state_of(worker, report_id) == ("failed", 3)


def test_only_the_worker_holding_the_claim_changes_the_report(worker):
    report_id = queued(worker)
    _, claimed_at = worker.claim(NOW)
    worker.mark(report_id, claimed_at - timedelta(minutes=11), progress=90)  # an old claim
    worker.mark(report_id, claimed_at, progress=30)
    with worker.factory() as session:
        assert session.get(RoundReport, report_id).progress == 30


def test_a_failed_build_is_tried_again_later_and_failed_once_its_attempts_are_spent(worker):
    """The worker here has no catalogue nor workflow: every build fails."""
    report_id = queued(worker)
    moment = NOW
    for attempt in (1, 2, 3):
        assert worker.claim(moment) == (report_id, moment)
        worker.build(report_id, moment)
        assert state_of(worker, report_id) == ("failed" if attempt == 3 else "queued", attempt)
        assert worker.claim(moment + timedelta(seconds=10)) is None  # not at once
        moment += timedelta(minutes=1)
    with worker.factory() as session:
        assert "AttributeError" in session.get(RoundReport, report_id).error
