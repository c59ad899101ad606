"""Pure parts of the portal: Thai dates and periods, the report form, API messages, the matrix."""

from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from werkzeug.datastructures import MultiDict

from common.config import from_env
from services.portal import forms, thai
from services.portal.app import create_app
from services.portal.progress import lines
from services.portal.texts import field_messages, not_counted_reason, refusal_detail

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = ROOT / "services/portal/translations/th/LC_MESSAGES/messages.po"
AGENCY_22 = {
    "method": "entry",
    "measure": "count",
    "counting_rule": "agency_once_per_month",
    "item_fields": [
        {
            "name": "agency",
            "type": "string",
            "required": True,
            "label_th": "หน่วยงาน",
            "label_en": "Agency",
        },
        {"name": "date", "type": "date", "required": True, "label_th": "วันที่", "label_en": "Date"},
    ],
}


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    """The portal app (no service is called: only its translations are used)."""
    return create_app(from_env("portal", {"RBM_DATA_DIR": str(tmp_path_factory.mktemp("portal"))}))


@pytest.fixture
def in_thai(app):
    with app.test_request_context("/"):
        yield


@pytest.mark.parametrize(
    ("day", "lang", "shown"),
    [("2003-11-10", "th", "10 พ.ย. 2546"), ("2003-11-10", "en", "10 Nov 2003"), (None, "th", "—")],
)
def test_dates_show_thai_months_and_the_buddhist_year(day, lang, shown):
    assert thai.show_date(day, lang) == shown


def test_timestamps_show_in_thailands_time():
    assert thai.show_moment("2026-11-25T17:30:00+00:00", "th") == "26 พ.ย. 2569 00:30 น."


@pytest.mark.parametrize(
    ("period", "month"),
    [
        ("M01", (2003, 10)),
        ("M03", (2003, 12)),
        ("M04", (2004, 1)),
        ("M12", (2004, 9)),
        ("Q1", None),
    ],
)
def test_monthly_periods_count_from_october_of_the_year_before(period, month):
    assert thai.month_of(2547, period) == month


def test_blank_item_rows_are_dropped_and_cells_typed():
    shape = forms.shape_of(
        {
            **AGENCY_22,
            "item_fields": [*AGENCY_22["item_fields"], {"name": "external", "type": "boolean"}],
        }
    )
    posted = MultiDict(
        [
            ("items-0-agency", " อสมท "),
            ("items-0-date", "2003-12-01"),
            ("items-0-external", "1"),
            ("items-1-agency", ""),
            ("items-1-date", ""),
            ("items-2-agency", "กรมการปกครอง"),
            ("items-2-date", ""),
            ("note", "  ครบ "),
        ]
    )
    assert forms.report_body(shape, posted) == {
        "note": "ครบ",
        "items": [
            {"agency": "อสมท", "date": "2003-12-01", "external": True},
            {"agency": "กรมการปกครอง", "external": False},
        ],
    }


@pytest.mark.parametrize(
    ("kpi", "kind"),
    [
        (AGENCY_22, "items"),
        ({"method": "entry", "measure": "percent"}, "numerator"),
        ({"method": "entry", "measure": "count"}, "value"),
        ({"method": "template", "measure": "level"}, "evidence"),
        ({"method": "feed", "measure": "percent"}, "none"),
    ],
)
def test_each_kpi_gets_the_form_of_its_method_and_measure(kpi, kind):
    assert forms.shape_of(kpi).kind == kind


@pytest.mark.parametrize(
    ("cycle", "per_period"), [("half-yearly", "half-yearly"), ("yearly", None)]
)
def test_a_numerator_reported_each_half_year_says_it_is_that_half_alone(cycle, per_period):
    kpi = {"code": "10.2", "method": "entry", "measure": "percent", "cycle": cycle}
    assert forms.shape_of(kpi).per_period == per_period


def test_chosen_evidence_is_sent_oldest_first():
    listed = [
        {"id": "b", "uploaded_at": "2026-01-02T00:00:00+00:00"},
        {"id": "a", "uploaded_at": "2026-01-01T00:00:00+00:00"},
        {"id": "c", "uploaded_at": "2026-01-03T00:00:00+00:00"},
    ]
    assert forms.evidence_ids(["c", "a"], listed) == ["a", "c"]


def test_api_field_messages_are_said_in_thai(in_thai):
    errors = {
        "items.0.date": ["Must fall in the period (2003-12-01 to 2003-12-31)."],
        "items.1.agency": ["Required."],
        "period": ["R1-55 does not report 15.1"],
    }
    assert field_messages(errors, "th") == {
        "items.0.date": ["ต้องอยู่ในรอบรายงาน (1 ธ.ค. 2546 ถึง 31 ธ.ค. 2546)"],
        "items.1.agency": ["ต้องกรอก"],
        "period": ["R1-55 does not report 15.1"],
    }


def test_a_repeat_is_explained_by_its_rule_in_thai(in_thai):
    item = {"counted": False, "reason_code": "repeat", "repeat_of": 0, "reason": "a repeat"}
    assert (
        not_counted_reason(item, "agency_once_per_month", 2547, "th")
        == "ซ้ำกับรายการที่ 1: หน่วยงานเดียวกันในเดือนเดียวกัน นับเพียงครั้งเดียว"
    )


@pytest.mark.parametrize(
    ("item", "rule", "said"),
    [
        ({"external": True}, "external_awards_only", "รางวัลจากหน่วยงานของกรมประชาสัมพันธ์เอง"),
        ({"external": False}, "external_awards_only", "นับเฉพาะรางวัลจากหน่วยงานภายนอก"),
        ({}, "person_once_per_activity", "ไม่ใช่กิจกรรมที่หน่วยงานรายงานไว้ในตัวชี้วัด 15.1"),
    ],
)
def test_an_item_that_never_counts_says_why_by_its_rule_in_thai(in_thai, item, rule, said):
    item = {**item, "counted": False, "reason_code": "not_eligible", "reason": "x"}
    assert not_counted_reason(item, rule, 2547, "th").startswith(said)


def test_a_submit_refused_for_a_blank_form_says_why_in_thai(in_thai):
    errors = {
        "value": ["The newest form has nothing filled in: fill in its levels and upload it again."]
    }
    assert field_messages(errors, "th") == {
        "value": ["แบบฟอร์มล่าสุดยังไม่ได้กรอกข้อมูล กรุณากรอกระดับที่ดำเนินการได้ แล้วอัปโหลดใหม่"]
    }


def test_a_check_refused_by_separation_of_duties_says_why_in_thai(in_thai):
    detail = "head1, standing in for you, endorsed this report: someone else must approve it."
    assert refusal_detail(detail, "th") == (
        "ผู้ที่สร้าง แก้ไขข้อมูล ส่ง หรือรับรองรายงาน จะรับรองหรืออนุมัติรายงานนั้นเองไม่ได้ ต้องให้ผู้อื่นดำเนินการ"
    )
    assert refusal_detail(detail, "en") == detail


def test_the_matrix_lays_periods_on_the_months_of_the_year():
    rows = [
        {"unit": "R1", "kpi": "10.1", "period": "Q2", "state": "missing"},
        {"unit": "R1", "kpi": "10.1", "period": "Q4", "state": "draft"},
        {"unit": "R1", "kpi": "10.5", "period": "Y", "state": "approved"},
    ]
    laid = {
        (line.kpi): [(width, row and row["period"]) for width, row in line.cells]
        for line in lines(rows)
    }
    assert laid == {"10.1": [(3, None), (3, "Q2"), (3, None), (3, "Q4")], "10.5": [(12, "Y")]}


def test_every_interface_text_has_a_thai_translation():
    with CATALOGUE.open("rb") as po:
        catalogue = read_po(po)
    untranslated = [
        m.id
        for m in catalogue
        if m.id and (m.fuzzy or not (m.string[0] if isinstance(m.string, tuple) else m.string))
    ]
    assert untranslated == []
