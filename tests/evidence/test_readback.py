"""Filled forms read back: identity must match the upload, level and processes are extracted."""

from __future__ import annotations

import hashlib
import io
import subprocess

import docx
import pytest
from docx.oxml.ns import qn

from services.evidence.forms import layout, properties, readback
from services.evidence.rules import MAX_YEAR
from tests.catalogue.conftest import copy_year
from tests.conftest import login
from tests.evidence import samples
from tests.evidence.conftest import FILES, post_file

FORM = "/api/evidence/templates/{year}/{kpi}"
PROCESSES = [
    ("ออกหนังสือรับรองการเผยแพร่ข่าว", 60, 10, 5),  # 50 % shorter
    ("ตอบข้อร้องเรียนของประชาชน", 40, 20, 18),  # 10 % shorter
]


def form(http, unit, kpi="4.1", period="Q1", year=2547) -> bytes:
    resp = http.get(FORM.format(year=year, kpi=kpi), params={"unit": unit, "period": period})
    assert resp.status_code == 200, resp.text
    return resp.content


@pytest.fixture
def team_reporter(live, make_team):
    team = make_team()
    return team.unit, login(live, team.reporter, team.password)


def upload_form(http, content: bytes, unit: str, kpi="4.1", period="Q1", year=2547):
    return post_file(
        http, content, "แบบรายงาน.docx", unit=unit, year=str(year), kpi=kpi, period=period
    )


def test_a_new_user_downloads_fills_and_uploads_the_4_1_form_and_others_see_what_they_may(
    as_user,
):
    reporter = as_user("reporter1")
    filled = samples.fill_form(
        form(reporter, "R1"), {1: "คำสั่งแต่งตั้ง", 2: "แผนลดขั้นตอน", 3: "รายงานผล"}, PROCESSES
    )
    stored = upload_form(reporter, filled, "R1")
    assert stored.status_code == 201, stored.text
    file_id = stored.json()["id"]
    listed = reporter.get(FILES, params={"unit": "R1", "kpi": "4.1", "period": "Q1"}).json()
    mine = next(f for f in listed if f["id"] == file_id)
    assert mine["sha256"] == hashlib.sha256(filled).hexdigest()
    assert mine["extracted"]["level"] == 3
    assert as_user("auditor").get(f"{FILES}/{file_id}/content").content == filled
    assert as_user("reporter2").get(f"{FILES}/{file_id}").status_code == 404


def test_the_4_1_processes_and_their_weighted_reduction_are_extracted(team_reporter):
    unit, reporter = team_reporter
    filled = samples.fill_form(form(reporter, unit), {1: "a"}, PROCESSES)
    extracted = upload_form(reporter, filled, unit).json()["extracted"]
    assert extracted["weighted_reduction"] == pytest.approx(34.0)
    assert [(p["name"], p["weight"], p["reduction"]) for p in extracted["processes"]] == [
        (PROCESSES[0][0], 60, 50.0),
        (PROCESSES[1][0], 40, 10.0),
    ]


def test_the_4_1_level_comes_from_the_weighted_reduction_and_the_ticks_are_kept(team_reporter):
    unit, reporter = team_reporter
    filled = samples.fill_form(
        form(reporter, unit), {1: "a", 2: "b", 3: "c", 4: "d", 5: "e"}, PROCESSES
    )
    extracted = upload_form(reporter, filled, unit).json()["extracted"]
    assert (extracted["level"], extracted["level_marked"]) == (3, 5)


def test_the_7_1_level_is_the_top_of_the_ticked_levels_with_their_evidence(team_reporter):
    unit, reporter = team_reporter
    blank = form(reporter, unit, kpi="7.1", period="Y")
    filled = samples.fill_form(blank, {1: "แผนปรับปรุง", 2: "บันทึกอนุมัติ"})
    extracted = upload_form(reporter, filled, unit, kpi="7.1", period="Y").json()["extracted"]
    assert extracted["level"] == 2 and extracted["processes"] is None
    assert extracted["milestones"][1] == {
        "level": 2,
        "reached": True,
        "mark": "✓",
        "evidence": "บันทึกอนุมัติ",
    }


def test_the_4_1_level_comes_from_the_steps_the_management_group_set(as_user):
    admin, reporter = as_user("admin"), as_user("reporter1")
    year = copy_year(admin, last=MAX_YEAR)["year"]
    scoring = f"/api/catalogue/years/{year}/kpis/4.1/scoring"
    assert admin.put(scoring, json={"level_steps": [5, 10, 20, 30, 40]}).status_code == 200
    filled = samples.fill_form(form(reporter, "R1", year=year), {1: "a"}, PROCESSES)
    extracted = upload_form(reporter, filled, "R1", year=year).json()["extracted"]
    assert (extracted["weighted_reduction"], extracted["level"]) == (34.0, 4)


def test_a_7_1_form_with_changed_milestones_still_reads_its_level(as_user):
    admin, reporter = as_user("admin"), as_user("reporter1")
    year = copy_year(admin, last=MAX_YEAR)["year"]
    scoring = f"/api/catalogue/years/{year}/kpis/7.1/scoring"
    rewritten = [f"ขั้นที่ {n} ตามเกณฑ์ที่ยืนยันแล้ว" for n in range(1, 6)]
    resp = admin.put(scoring, json={"milestones": rewritten, "confirmed": True})
    assert resp.status_code == 200, resp.text
    blank = form(reporter, "R1", kpi="7.1", period="Y", year=year)
    filled = samples.fill_form(blank, {1: "แผน", 2: "อนุมัติ", 3: "รายงาน"})
    resp = upload_form(reporter, filled, "R1", kpi="7.1", period="Y", year=year)
    assert resp.status_code == 201, resp.text
    assert resp.json()["extracted"]["level"] == 3


def test_a_4_1_form_is_read_by_the_catalogues_steps_whatever_the_file_says(team_reporter):
    """A reporter who writes easier steps into the file's properties gains nothing."""
    unit, reporter = team_reporter
    blank = form(reporter, unit)
    document = docx.Document(io.BytesIO(samples.fill_form(blank, {1: "a"}, PROCESSES)))
    forged = {
        **properties.read(io.BytesIO(blank)),
        f"{layout.PROPERTY_PREFIX}level_steps": "1,2,3,4,5",
    }
    properties.write(document, forged, layout.PROPERTY_PREFIX)
    out = io.BytesIO()
    document.save(out)
    extracted = upload_form(reporter, out.getvalue(), unit).json()["extracted"]
    assert (extracted["weighted_reduction"], extracted["level"]) == (34.0, 3)  # steps 10..50


def picked(form_bytes: bytes, answers: dict[int, str]) -> bytes:
    """What a reporter does in Word: pick an answer in each level's drop-down."""
    document = docx.Document(io.BytesIO(form_bytes))
    levels = readback.find_table(document, layout.MILESTONE_HEADER)
    for row in levels.rows[1:]:
        level = int(row.cells[0].text)
        if level in answers:
            [text] = row.cells[2]._tc.iter(qn("w:t"))
            text.text = answers[level]
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_only_the_answer_reached_counts_and_what_was_read_is_shown(team_reporter):
    unit, reporter = team_reporter
    answers = {1: "บรรลุ", 2: "บรรลุ", 3: "ยังไม่ดำเนินการ", 4: "บรรลุ"}
    filled = picked(form(reporter, unit, kpi="9.3"), answers)
    extracted = upload_form(reporter, filled, unit, kpi="9.3").json()["extracted"]
    assert extracted["level"] == 2
    assert [(m["mark"], m["reached"]) for m in extracted["milestones"]] == [
        ("บรรลุ", True),
        ("บรรลุ", True),
        ("ยังไม่ดำเนินการ", False),
        ("บรรลุ", True),
        ("เลือก", False),
    ]


def test_a_form_with_nothing_filled_in_is_stored_with_no_level_and_a_warning(team_reporter):
    unit, reporter = team_reporter
    resp = upload_form(reporter, form(reporter, unit, kpi="9.3"), unit, kpi="9.3")
    assert resp.status_code == 201, resp.text
    extracted = resp.json()["extracted"]
    assert extracted["level"] is None
    assert extracted["warning"]["code"] == "form-blank"


def test_a_filled_form_that_reaches_no_level_reads_level_0_with_a_warning(team_reporter):
    unit, reporter = team_reporter
    # Two processes 6 % and 4 % shorter, weights 50/50: 5 %, under the first step (10 %).
    slow = [("ออกหนังสือรับรอง", 50, 100, 94), ("ตอบข้อร้องเรียน", 50, 100, 96)]
    filled = samples.fill_form(form(reporter, unit), {}, slow)
    extracted = upload_form(reporter, filled, unit).json()["extracted"]
    assert (extracted["weighted_reduction"], extracted["level"]) == (5.0, 0)
    assert extracted["warning"]["code"] == "no-level-reached"


def test_a_form_saved_again_by_libreoffice_still_reads_back(team_reporter, tmp_path):
    unit, reporter = team_reporter
    filled = samples.fill_form(form(reporter, unit, kpi="9.3"), {1: "คำสั่ง", 2: "แผน"})
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "form.docx").write_bytes(filled)
    subprocess.run(
        ["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo", "--convert-to",
         "docx:MS Word 2007 XML", "--outdir", str(tmp_path), str(tmp_path / "in" / "form.docx")],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    resaved = (tmp_path / "form.docx").read_bytes()
    resp = upload_form(reporter, resaved, unit, kpi="9.3")
    assert resp.status_code == 201, resp.text
    assert resp.json()["extracted"]["level"] == 2


def test_a_form_uploaded_for_another_period_is_422_naming_the_period(team_reporter, unchanged):
    unit, reporter = team_reporter
    filled = samples.fill_form(form(reporter, unit, period="Q1"), {1: "a"})
    with unchanged():
        resp = upload_form(reporter, filled, unit, period="Q2")
    assert resp.status_code == 422 and set(resp.json()["errors"]) == {"period"}
    assert resp.json()["reason"] == "form-mismatch"


def test_a_form_of_one_kpi_uploaded_as_another_is_422_naming_the_kpi(team_reporter, unchanged):
    unit, reporter = team_reporter
    filled = samples.fill_form(form(reporter, unit, kpi="9.3"), {1: "a"})
    with unchanged():
        resp = upload_form(reporter, filled, unit, kpi="7.1")
    assert resp.status_code == 422 and set(resp.json()["errors"]) == {"kpi"}


def test_another_units_form_uploaded_for_ones_own_is_422_naming_the_unit(
    team_reporter, as_user, unchanged
):
    unit, reporter = team_reporter
    filled = samples.fill_form(form(as_user("auditor"), "R1"), {1: "a"})
    with unchanged():
        resp = upload_form(reporter, filled, unit)
    assert resp.status_code == 422 and set(resp.json()["errors"]) == {"unit"}


def test_a_process_row_without_numbers_is_422_saying_which_row(team_reporter, unchanged):
    unit, reporter = team_reporter
    filled = samples.fill_form(form(reporter, unit), {}, [PROCESSES[0], ("กระบวนงาน", "สิบ", 5, 2)])
    with unchanged():
        resp = upload_form(reporter, filled, unit)
    assert resp.status_code == 422 and resp.json()["reason"] == "form-values"
    assert "Row 2" in resp.json()["detail"]


def test_a_word_file_that_is_not_a_form_has_nothing_extracted(team_reporter):
    unit, reporter = team_reporter
    resp = post_file(reporter, samples.docx_file(), "บันทึก.docx", unit=unit)
    assert resp.status_code == 201 and resp.json()["extracted"] is None
