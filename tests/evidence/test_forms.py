"""Downloading a KPI's form: prefilled in Thai from the catalogue, stamped, opens in LibreOffice."""

from __future__ import annotations

import io
import subprocess
import unicodedata
from urllib.parse import quote

import pytest

from services.evidence.forms import properties
from services.evidence.rules import MAX_YEAR
from tests.catalogue.conftest import copy_year
from tests.conftest import login, person_name
from tests.evidence import samples

FORM = "/api/evidence/templates/{year}/{kpi}"


def form_of(http, kpi="4.1", unit="R1", period="Q1", year=2547, **params):
    url = FORM.format(year=year, kpi=kpi)
    return http.get(url, params={"unit": unit, "period": period, **params})


@pytest.fixture
def team(make_team, as_user):
    """A fresh office whose 4.1 target and owners are set here: the values the form must show."""
    team = make_team()
    admin = as_user("admin")
    target = [{"unit": team.unit, "kpi": "4.1", "target": 4}]
    owners = [
        {"unit": team.unit, "kpi": "4.1", "responsible": team.head, "data_collector": team.reporter}
    ]
    assert admin.put("/api/catalogue/years/2547/targets", json=target).status_code == 200
    assert admin.put("/api/catalogue/years/2547/assignments", json=owners).status_code == 200
    return team


def test_a_reporter_gets_the_4_1_form_of_their_unit_as_docx(as_user):
    resp = form_of(as_user("reporter1"))
    assert resp.status_code == 200
    assert resp.headers["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    assert quote("แบบรายงาน_4.1_R1_2547_Q1.docx") in resp.headers["Content-Disposition"]


def test_the_form_carries_template_kpi_unit_year_and_period_as_custom_properties(as_user):
    resp = form_of(as_user("reporter1"), kpi="9.3", period="Q2")
    props = properties.read(io.BytesIO(resp.content))
    assert props == {
        "rbm.template": "rbm-form-9.3",
        "rbm.template_version": resp.headers["X-Template-Version"],
        "rbm.unit": "R1",
        "rbm.year": "2547",
        "rbm.kpi": "9.3",
        "rbm.period": "Q2",
    }


def test_the_form_is_prefilled_with_unit_kpi_target_owners_and_due_date(live, team, as_user):
    reporter = login(live, team.reporter, team.password)
    text = samples.docx_text(form_of(reporter, unit=team.unit).content)
    unit_name = as_user("admin").get(f"/api/catalogue/units/{team.unit}").json()["name_th"]
    period = reporter.get(
        "/api/catalogue/years/2547/applicability",
        params={"unit": team.unit, "kpi": "4.1", "period": "Q1"},
    ).json()["period"]
    due = period["due_on"]
    for expected in (
        f"{unit_name} (รหัส {team.unit})",
        "ระดับความสำเร็จของร้อยละเฉลี่ยถ่วงน้ำหนัก",
        "พ.ศ. 2547",
        "ไตรมาสที่ 1 (1 ตุลาคม 2546 – 31 ธันวาคม 2546)",
        "ระดับ 4",
        f"{person_name('unit_head', team.unit)} ({team.head})",
        f"{person_name('reporter', team.unit)} ({team.reporter})",
        thai(due),
    ):
        assert expected in text


def thai(iso: str) -> str:
    from datetime import date

    from common.fiscal import thai_date

    return thai_date(date.fromisoformat(iso))


def test_the_form_lists_the_five_levels_and_4_1_has_the_process_table(as_user):
    text = samples.docx_text(form_of(as_user("reporter1")).content)
    assert "ไม่น้อยกว่าร้อยละ 10" in text and "ไม่น้อยกว่าร้อยละ 50" in text
    assert "ระยะเวลาเดิม (วัน)" in text and "ระยะเวลาใหม่ (วัน)" in text


def test_the_7_1_form_has_no_process_table(as_user):
    text = samples.docx_text(form_of(as_user("reporter1"), kpi="7.1", period="Y").content)
    assert "เกณฑ์การให้คะแนน" in text and "ระยะเวลาเดิม" not in text


def test_every_form_opens_in_libreoffice_and_shows_its_prefilled_thai_values(as_user, tmp_path):
    reporter = as_user("reporter1")
    unit = reporter.get("/api/catalogue/units/R1").json()["name_th"]
    # 7.1 is due once a year: its form is of the whole year.
    periods = {"4.1": ("Q3", "ไตรมาสที่ 3"), "7.1": ("Y", "ทั้งปี"), "9.3": ("Q3", "ไตรมาสที่ 3")}
    for kpi, (period, _) in periods.items():
        (tmp_path / f"{kpi}.docx").write_bytes(form_of(reporter, kpi=kpi, period=period).content)
    subprocess.run(
        ["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo", "--convert-to",
         "pdf", "--outdir", str(tmp_path), *sorted(str(p) for p in tmp_path.glob("*.docx"))],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    for kpi in ("4.1", "7.1", "9.3"):
        pdf = subprocess.run(
            ["pdftotext", str(tmp_path / f"{kpi}.pdf"), "-"], check=True, capture_output=True
        ).stdout.decode()
        label = periods[kpi][1]
        for value in (f"ตัวชี้วัดที่ {kpi}", "กรมประชาสัมพันธ์", unit, "พ.ศ. 2547", label):
            assert squeeze(value) in squeeze(pdf), (kpi, value)


def squeeze(text: str) -> str:
    """Text without spaces and Thai marks: pdftotext places a tone mark by where it is drawn."""
    return "".join(c for c in text if not c.isspace() and unicodedata.category(c) != "Mn")


def test_an_auditor_gets_any_units_form(as_user):
    assert form_of(as_user("auditor"), unit="R2").status_code == 200


def test_a_reporter_of_another_unit_is_refused_the_form(as_user):
    assert form_of(as_user("reporter2"), unit="R1").status_code == 403


def test_a_kpi_reported_by_entry_has_no_form(as_user):
    resp = form_of(as_user("reporter1"), kpi="2.1", period="M01")
    assert resp.status_code == 404 and resp.headers["Content-Type"] == "application/problem+json"


def test_an_unknown_kpi_has_no_form(as_user):
    assert form_of(as_user("reporter1"), kpi="99.9").status_code == 404


def test_a_period_the_kpi_does_not_have_is_422_naming_the_period(as_user):
    resp = form_of(as_user("reporter1"), period="M01")
    assert resp.status_code == 422 and "period" in resp.json()["errors"]


def test_the_unit_and_period_are_required(as_user):
    resp = as_user("reporter1").get(FORM.format(year=2547, kpi="4.1"))
    assert resp.status_code == 422 and {"unit", "period"} <= set(resp.json()["errors"])


def test_a_form_needs_a_token(anonymous):
    assert form_of(anonymous).status_code == 401


def test_a_form_says_its_criteria_are_provisional_until_the_management_group_confirms_them(
    as_user,
):
    text = samples.docx_text(form_of(as_user("reporter1"), kpi="9.3").content)
    assert "เกณฑ์ชั่วคราว" in text and "บรรลุ" in text


def test_a_confirmed_form_has_no_provisional_note(as_user):
    admin, year = as_user("admin"), copy_year(as_user("admin"), last=MAX_YEAR)["year"]
    scoring = f"/api/catalogue/years/{year}/kpis/9.3/scoring"
    assert admin.put(scoring, json={"confirmed": True}).status_code == 200
    text = samples.docx_text(form_of(as_user("reporter1"), kpi="9.3", year=year).content)
    assert "เกณฑ์ชั่วคราว" not in text and "ชั่วคราว" not in text


def test_the_7_1_form_prints_the_catalogues_milestones_and_a_changed_one_on_the_next_form(
    as_user,
):
    admin, reporter = as_user("admin"), as_user("reporter1")
    year = copy_year(admin, last=MAX_YEAR)["year"]
    scoring = f"/api/catalogue/years/{year}/kpis/7.1/scoring"
    seeded = reporter.get(scoring).json()["milestones"]
    before = samples.docx_text(form_of(reporter, kpi="7.1", period="Y", year=year).content)
    assert all(text in before for text in seeded) and "เกณฑ์ชั่วคราว" in before

    changed = "ดำเนินการตามแผนได้ไม่น้อยกว่าร้อยละ 75 ของกิจกรรมในแผน"
    resp = admin.put(scoring, json={"milestones": [*seeded[:2], changed, *seeded[3:]]})
    assert resp.status_code == 200, resp.text
    after = samples.docx_text(form_of(reporter, kpi="7.1", period="Y", year=year).content)
    assert changed in after and seeded[2] not in after
    assert "เกณฑ์ชั่วคราว" in after  # changed, but not yet confirmed


def test_the_4_1_form_prints_the_catalogues_steps(as_user):
    admin, reporter = as_user("admin"), as_user("reporter1")
    year = copy_year(admin, last=MAX_YEAR)["year"]
    scoring = f"/api/catalogue/years/{year}/kpis/4.1/scoring"
    assert admin.put(scoring, json={"level_steps": [5, 15, 25, 35, 45]}).status_code == 200
    content = form_of(reporter, year=year).content
    text = samples.docx_text(content)
    assert "ไม่น้อยกว่าร้อยละ 5" in text and "ไม่น้อยกว่าร้อยละ 45" in text
    assert "ไม่น้อยกว่าร้อยละ 50" not in text
