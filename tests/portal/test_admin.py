"""The administrator's journey: a year opened, a target set, users imported, a form replaced."""

import io
import random

import pytest

from common.errors import Invalid, UnsupportedMediaType
from services.portal.admin import sheet_rows
from tests.evidence import samples
from tests.portal.conftest import enter_as, go, sign_in
from tests.portal.test_every_page import SHOTS, WIDTHS, serious_violations


def free_year(live) -> int:
    taken = {y["year"] for y in live.session("admin").get("/api/catalogue/years").json()}
    return random.choice([y for y in range(2600, 2700) if y not in taken])


def test_the_admin_opens_a_year_by_copy_and_sets_a_target_in_the_grid(live, page):
    year = free_year(live)
    enter_as(page, "admin")
    page.goto("/admin/years")
    page.fill("#new-year", str(year))
    page.select_option("#copy-from", "2547")
    go(page, "#copy-year button")
    go(page, f"#years tr[data-year='{year}'] button[value=open]")
    assert "เปิดใช้งาน" in page.locator(f"#years tr[data-year='{year}']").inner_text()

    page.goto(f"/admin/targets?year={year}&unit=R1")
    page.fill("[name='target-2.1']", "15")
    page.fill("[name='responsible-2.1']", "head1")
    go(page, "#save-plan")
    assert page.input_value("[name='target-2.1']") == "15"
    targets = live.session("admin").get(
        f"/api/catalogue/years/{year}/targets", params={"unit": "R1", "kpi": "2.1"}
    )
    assert [t["target"] for t in targets.json()] == [15]

    page.fill("[name='target-2.1']", "fifteen")
    page.fill("[name='responsible-2.1']", "head2")
    go(page, "#save-plan")
    assert page.inner_text("[data-field='target-2.1']") == "ต้องเป็นตัวเลข"
    assert page.input_value("[name='target-2.1']") == "fifteen"  # as typed
    assert page.input_value("[name='responsible-2.1']") == "head2"


def test_a_csv_of_users_is_previewed_with_each_lines_errors_and_saves_nothing(live, page, tmp_path):
    sheet = tmp_path / "users.csv"
    sheet.write_text(
        "username,display_name,email,password,memberships\n"
        "csv-ok-user,ผู้ใช้ทดสอบ,ok@test.rbm.invalid,long-password-1,R1:reporter\n"
        "csv-bad-user,ผู้ใช้ผิด,bad@test.rbm.invalid,long-password-1,R1:wizard\n",
        encoding="utf-8",
    )
    enter_as(page, "admin")
    page.goto("/admin/users")
    page.set_input_files("#users-csv", str(sheet))
    go(page, "#import-users button")
    rows = page.locator("#import-rows tbody tr")
    assert rows.count() == 2
    assert "wizard" in rows.nth(1).inner_text() or "role" in rows.nth(1).inner_text()
    assert page.locator("#commit-import").count() == 0
    assert live.session("admin").get("/api/identity/users/csv-ok-user").status_code == 404


def test_a_new_form_template_is_shown_rendered_before_it_takes_effect(live, page, tmp_path):
    admin = live.session("admin")
    current = admin.get("/api/evidence/templates/9.3/versions/1")
    template = tmp_path / "form-9.3.docx"
    template.write_bytes(current.content)
    versions = len(
        next(t for t in admin.get("/api/evidence/templates").json() if t["kpi"] == "9.3")[
            "versions"
        ]
    )
    enter_as(page, "admin")
    page.goto("/admin/templates")
    page.set_input_files("#template-9\\.3 input[type=file]", str(template))
    go(page, "#template-9\\.3 button")
    assert page.locator("#sample-render table").count() >= 1
    after_preview = next(
        t for t in admin.get("/api/evidence/templates").json() if t["kpi"] == "9.3"
    )
    assert len(after_preview["versions"]) == versions
    go(page, "#confirm-template")
    confirmed = next(t for t in admin.get("/api/evidence/templates").json() if t["kpi"] == "9.3")
    assert len(confirmed["versions"]) == versions + 1


def test_targets_of_many_units_come_from_an_xlsx_sheet(live, page, tmp_path):
    from openpyxl import Workbook

    year = free_year(live)
    admin = live.session("admin")
    assert admin.post("/api/catalogue/years", json={"year": year, "copy_from": 2547}).ok
    book = Workbook()
    book.active.append(["unit", "kpi", "target", "denominator", "responsible", "data_collector"])
    book.active.append(["R1", "2.2", 30, None, "head1", "reporter1"])
    book.active.append(["R2", "10.1", 75, 36, "reporter2", "reporter2"])
    sheet = tmp_path / "targets.xlsx"
    book.save(sheet)
    enter_as(page, "admin")
    page.goto(f"/admin/targets?year={year}&unit=R2")
    page.set_input_files("#sheet", str(sheet))
    go(page, "#plan-upload button")
    assert page.input_value("[name='target-10.1']") == "75"
    targets = admin.get(f"/api/catalogue/years/{year}/targets", params={"unit": "R1", "kpi": "2.2"})
    assert [t["target"] for t in targets.json()] == [30]


FORMULA_SHEET = b"unit,kpi,target,responsible\nR1,2.2,30,head1\nR1,2.1,15,=cmd|' /C calc'!A0\n"


def targets_workbook(extra_part: str = "") -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["unit", "kpi", "target"])
    book.active.append(["R1", "2.2", -1.5])
    out = io.BytesIO()
    book.save(out)
    if extra_part:
        return samples.rezip(out.getvalue(), {extra_part: b"\xd0\xcf\x11\xe0 vba"})
    return out.getvalue()


def test_a_targets_sheet_passes_the_common_intake_and_a_negative_number_is_a_number():
    assert sheet_rows("targets.xlsx", targets_workbook()) == [
        {"unit": "R1", "kpi": "2.2", "target": "-1.5"}
    ]
    thai = "unit,kpi,target,responsible\nR1,2.2,30,หัวหน้า\n".encode("cp874")
    assert sheet_rows("targets.csv", thai)[0]["responsible"] == "หัวหน้า"


@pytest.mark.parametrize(
    ("filename", "content", "reason"),
    [
        ("targets.csv", FORMULA_SHEET, "formula"),
        ("targets.xlsx", targets_workbook("xl/vbaProject.bin"), "macros"),
        ("targets.xlsx", samples.pdf_file(), "type-mismatch"),
        ("targets.csv", b"MZ\x90\x00\x00\x00", "type-mismatch"),
    ],
)
def test_a_hostile_targets_sheet_is_refused_naming_why(filename, content, reason):
    with pytest.raises(Invalid) as refused:
        sheet_rows(filename, content)
    assert refused.value.extra["reason"] == reason


def test_a_targets_sheet_of_another_type_is_415():
    with pytest.raises(UnsupportedMediaType):
        sheet_rows("targets.txt", b"unit,kpi,target\nR1,2.2,30\n")


def test_a_targets_sheet_with_a_formula_cell_is_refused_naming_it_and_saves_nothing(
    live, page, tmp_path
):
    year = free_year(live)
    admin = live.session("admin")
    assert admin.post("/api/catalogue/years", json={"year": year, "copy_from": 2547}).ok
    sheet = tmp_path / "targets.csv"
    sheet.write_bytes(FORMULA_SHEET)
    path = f"/api/catalogue/years/{year}/targets"
    before = admin.get(path, params={"unit": "R1"}).json()
    enter_as(page, "admin")
    page.goto(f"/admin/targets?year={year}&unit=R1")
    page.set_input_files("#sheet", str(sheet))
    go(page, "#plan-upload button")
    assert page.inner_text("[role=alert]").startswith("Line 3, column D (responsible) begins")
    assert admin.get(path, params={"unit": "R1"}).json() == before


def test_the_admin_edits_a_threshold_and_confirms_the_scoring_of_a_kpi(live, page):
    year = free_year(live)
    admin = live.session("admin")
    assert admin.post("/api/catalogue/years", json={"year": year, "copy_from": 2547}).ok
    sign_in(page, "admin")
    go(page, "#administration + nav >> text=เกณฑ์การให้คะแนน")
    page.goto(f"/admin/scoring?year={year}")
    row = page.locator("#scoring-2\\.1")
    assert "ชั่วคราว" in row.locator(".status").inner_text()

    go(page, "#scoring-2\\.1 a")
    page.fill("#t3", "eighty")
    page.fill("#t4", "70")
    go(page, "#save-confirmed")
    # said in Thai on the box, what was typed kept
    assert page.inner_text("[data-field=t3]") == "ต้องเป็นตัวเลข"
    assert (page.input_value("#t3"), page.input_value("#t4")) == ("eighty", "70")
    assert "ชั่วคราว" in row.locator(".status").inner_text()
    page.fill("#t3", "95")
    page.check("#sure-confirmed")
    go(page, "#save-confirmed")  # 70 after 95: the catalogue refuses, said on the thresholds
    assert page.inner_text("[data-field=thresholds]") == "เกณฑ์แต่ละระดับต้องสูงกว่าระดับก่อนหน้า"
    assert (page.input_value("#t3"), page.input_value("#t4")) == ("95", "70")
    page.fill("#t4", "110")
    page.uncheck("#sure-confirmed")
    go(page, "#save-confirmed")
    assert page.inner_text("[role=alert]") == "ยังไม่ได้เปลี่ยนแปลงสิ่งใด: กรุณาทำเครื่องหมายยืนยันก่อน"
    assert "ชั่วคราว" in row.locator(".status").inner_text()
    assert page.input_value("#t4") == "110"
    page.check("#sure-confirmed")
    go(page, "#save-confirmed")
    assert "ยืนยันแล้ว" in row.locator(".status").inner_text()
    assert "95" in row.locator(".thresholds").inner_text()
    scoring = admin.get(f"/api/catalogue/years/{year}/kpis/2.1/scoring").json()
    assert (scoring["thresholds"][2], scoring["confirmed"], scoring["updated_by"]) == (
        95,
        True,
        "admin",
    )

    page.check("#scoring-2\\.2 input[name=sure]")
    go(page, "#scoring-2\\.2 button")
    assert "ยืนยันแล้ว" in page.locator("#scoring-2\\.2 .status").inner_text()

    page.goto(f"/admin/scoring?year={year}&kpi=2.1")
    assert serious_violations(page) == []
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width, (wide, high) in WIDTHS.items():
        page.set_viewport_size({"width": wide, "height": high})
        page.screenshot(path=str(SHOTS / f"admin-scoring-{width}.png"), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= wide
    page.set_viewport_size(dict(zip(("width", "height"), WIDTHS["desktop"], strict=True)))
    go(page, "header >> text=English")  # in the header's row on a desktop (a phone folds it)
    assert page.inner_text("h1") == f"Scoring data of fiscal year {year}"


def test_the_admin_rewrites_what_the_forms_print_for_each_level(live, page):
    """7.1's milestones and 4.1's steps, which the Word forms print, edited on the same page."""
    year = free_year(live)
    admin = live.session("admin")
    assert admin.post("/api/catalogue/years", json={"year": year, "copy_from": 2547}).ok
    sign_in(page, "admin")

    page.goto(f"/admin/scoring?year={year}&kpi=7.1")
    page.fill("#m2", "  มีแผนที่ผู้บริหารอนุมัติแล้ว  ")
    go(page, "#save-provisional")
    milestones = admin.get(f"/api/catalogue/years/{year}/kpis/7.1/scoring").json()["milestones"]
    assert milestones[1] == "มีแผนที่ผู้บริหารอนุมัติแล้ว"

    page.goto(f"/admin/scoring?year={year}&kpi=4.1")
    assert page.locator("#milestones").count() == 0
    page.fill("#s5", "many")
    go(page, "#save-confirmed")
    assert page.inner_text("[data-field=s5]") == "ต้องเป็นตัวเลข"
    assert page.input_value("#s5") == "many"
    page.fill("#s5", "60")
    page.check("#sure-confirmed")
    go(page, "#save-confirmed")
    scoring = admin.get(f"/api/catalogue/years/{year}/kpis/4.1/scoring").json()
    assert (scoring["level_steps"][4], scoring["confirmed"]) == (60, True)
    page.goto(f"/admin/scoring?year={year}&kpi=4.1")
    assert serious_violations(page) == []
