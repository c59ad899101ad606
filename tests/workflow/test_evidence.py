"""Evidence KPIs (4.1, 7.1, 9.3): reports refer to uploaded files of the same unit, KPI and year."""

import io

import docx

from tests.evidence import samples
from tests.workflow.conftest import API, YEAR


def form(text: str = "แบบรายงานผลการดำเนินงาน ตัวชี้วัด 4.1") -> bytes:
    document = docx.Document()
    document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def upload(session, unit: str, kpi: str = "4.1", period: str = "Q2", content=None) -> dict:
    fields = {"unit": unit, "year": str(YEAR), "kpi": kpi, "period": period}
    resp = session.post(
        "/api/evidence/files",
        data=fields,
        files={"file": ("แบบฟอร์ม 4.1.docx", content or form())},
    )
    assert resp.status_code == 201, resp.text
    return resp.json()


def filled_form(session, unit: str, period: str = "Q1") -> bytes:
    """The unit's 4.1 form from rbm, filled in: two processes, 34 % shorter on average."""
    resp = session.get(
        f"/api/evidence/templates/{YEAR}/4.1", params={"unit": unit, "period": period}
    )
    assert resp.status_code == 200, resp.text
    processes = [("ออกหนังสือรับรอง", 60, 10, 5), ("ตอบข้อร้องเรียน", 40, 20, 18)]
    return samples.fill_form(resp.content, {1: "คำสั่ง", 2: "แผน", 3: "รายงานผล"}, processes)


def test_a_4_1_report_takes_its_level_from_the_uploaded_form_and_goes_the_same_way(crew):
    stored = upload(
        crew.reporter, crew.unit, period="Q1", content=filled_form(crew.reporter, crew.unit)
    )
    assert stored["extracted"]["level"] == 3
    report = crew.create(kpi="4.1", period="Q1", evidence_ids=[stored["id"]])
    assert (report["value"], report["value_source"]) == (3, "evidence")
    assert report["value_basis"]["file_id"] == stored["id"]
    for who, action in ((crew.reporter, "submit"), (crew.head, "endorse")):
        assert crew.act(who, report, action).status_code == 200
    returned = crew.act(crew.reviewer, report, "return", comment="แนบหลักฐานขั้นที่ 3 ไม่ครบ")
    assert returned.json()["state"] == "returned"
    assert crew.act(crew.reporter, report, "submit").status_code == 200
    assert crew.act(crew.head, report, "endorse").status_code == 200
    approved = crew.act(crew.reviewer, report, "approve").json()
    assert approved["frozen"]["evidence"] == [{"id": stored["id"], "sha256": stored["sha256"]}]
    assert approved["frozen"]["value"] == 3
    late = crew.reporter.patch(f"{API}/reports/{report['id']}", json={"value": 4})
    assert late.status_code == 409


def test_a_4_1_report_with_an_uploaded_document_and_an_entered_level_says_so(crew):
    stored = upload(crew.reporter, crew.unit)
    report = crew.create(kpi="4.1", period="Q2", evidence_ids=[stored["id"]], value=3)
    assert report["evidence_ids"] == [stored["id"]]
    assert (report["value"], report["value_source"]) == (3, "entered")
    assert report["evidence"][0]["sha256"] == stored["sha256"]
    for who, action in (
        (crew.reporter, "submit"),
        (crew.head, "endorse"),
        (crew.reviewer, "approve"),
    ):
        resp = crew.act(who, report, action)
        assert resp.status_code == 200, resp.text
    frozen = resp.json()["frozen"]
    assert frozen["evidence"] == [{"id": stored["id"], "sha256": stored["sha256"]}]
    assert (
        crew.reporter.patch(f"{API}/reports/{report['id']}", json={"value": 4}).status_code == 409
    )


def test_a_file_of_another_kpi_is_refused_as_evidence(crew):
    stored = upload(crew.reporter, crew.unit, kpi="7.1")
    body = {
        "year": YEAR,
        "kpi": "4.1",
        "unit": crew.unit,
        "period": "Q3",
        "evidence_ids": [stored["id"]],
    }
    resp = crew.reporter.post(f"{API}/reports", json=body)
    assert resp.status_code == 422
    assert "evidence_ids.0" in resp.json()["errors"]


def test_a_file_that_does_not_exist_is_refused_as_evidence(crew):
    body = {"year": YEAR, "kpi": "4.1", "unit": crew.unit, "period": "Q3", "evidence_ids": ["nope"]}
    resp = crew.reporter.post(f"{API}/reports", json=body)
    assert resp.status_code == 422 and "evidence_ids.0" in resp.json()["errors"]


def test_an_evidence_kpi_cannot_be_submitted_without_its_form(crew):
    report = crew.create(kpi="9.3", period="Q1", value=2)
    resp = crew.act(crew.reporter, report, "submit")
    assert resp.status_code == 422 and "evidence_ids" in resp.json()["errors"]


def test_a_level_outside_the_scale_is_refused(crew):
    body = {"year": YEAR, "kpi": "7.1", "unit": crew.unit, "period": "Y", "value": 6}
    resp = crew.reporter.post(f"{API}/reports", json=body)
    assert resp.status_code == 422 and "value" in resp.json()["errors"]


def test_a_typed_level_that_differs_from_the_forms_is_flagged_and_the_form_counts(crew):
    content = filled_form(crew.reporter, crew.unit, period="Q4")
    stored = upload(crew.reporter, crew.unit, period="Q4", content=content)
    report = crew.create(kpi="4.1", period="Q4", evidence_ids=[stored["id"]], value=4)
    assert (report["value"], report["value_source"]) == (3, "evidence")
    assert report["value_basis"]["typed_level"] == 4
    assert "the form's level counts" in report["value_basis"]["typed_differs"]


def km_form(session, unit: str, marks: dict[int, str], mark: str = "✓") -> bytes:
    """The unit's 9.3 form from rbm with the levels in `marks` answered `mark`."""
    resp = session.get(f"/api/evidence/templates/{YEAR}/9.3", params={"unit": unit, "period": "Q1"})
    assert resp.status_code == 200, resp.text
    return samples.fill_form(resp.content, marks, mark=mark)


def test_a_blank_9_3_form_warns_at_upload_and_its_report_cannot_be_submitted(crew):
    blank = upload(
        crew.reporter,
        crew.unit,
        kpi="9.3",
        period="Q1",
        content=km_form(crew.reporter, crew.unit, {}),
    )
    assert blank["extracted"]["level"] is None
    assert blank["extracted"]["warning"]["code"] == "form-blank"
    report = crew.create(kpi="9.3", period="Q1", evidence_ids=[blank["id"]])
    assert report["value"] is None
    resp = crew.act(crew.reporter, report, "submit")
    assert resp.status_code == 422
    assert "nothing filled in" in resp.json()["errors"]["value"][0]


def test_a_newer_form_reaching_no_level_gives_level_0_over_the_older_forms_3(crew):
    older = km_form(crew.reporter, crew.unit, {1: "คำสั่ง", 2: "แผน", 3: "ผล"})
    newer = km_form(crew.reporter, crew.unit, {1: "ยังไม่ได้แต่งตั้ง"}, mark="ไม่บรรลุ")
    v1 = upload(crew.reporter, crew.unit, kpi="9.3", period="Q1", content=older)
    v2 = upload(crew.reporter, crew.unit, kpi="9.3", period="Q1", content=newer)
    assert (v1["extracted"]["level"], v2["extracted"]["level"]) == (3, 0)
    assert v2["extracted"]["warning"]["code"] == "no-level-reached"
    report = crew.create(kpi="9.3", period="Q1", evidence_ids=[v1["id"], v2["id"]])
    assert (report["value"], report["value_basis"]["file_id"]) == (0, v2["id"])
    assert "no level reached" in report["value_basis"]["warning"]
