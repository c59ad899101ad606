"""The portal's Thai: one way to write dates and periods, history told in sentences, the
department's own wording, and the catalogue's typos put right for display."""

import re

import pytest

from common.auth import ROLES
from services.notifications import rules
from services.portal import history, thai
from services.portal.labels import INBOX_KIND, ROLE, corrected, period_label
from tests.portal.test_text_and_forms import app, in_thai  # noqa: F401 (fixtures)

# Each test in a request of the Thai portal (no service is called: its translations only).
pytestmark = pytest.mark.usefixtures("in_thai")
SHA = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"


def test_a_moment_is_a_thai_date_and_a_time_in_thailand_with_its_na():
    assert thai.show_moment("2026-12-07T07:05:00+00:00", "th") == "7 ธ.ค. 2569 14:05 น."
    assert thai.show_moment("2026-12-07T07:05:00+00:00", "en") == "7 Dec 2026 14:05"


@pytest.mark.parametrize(
    ("period", "shown"),
    [
        ("M01", "เดือนตุลาคม 2546"),
        ("M04", "เดือนมกราคม 2547"),
        ("Q1", "ไตรมาสที่ 1"),
        ("H1", "ครึ่งปีแรก"),
        ("H2", "ครึ่งปีหลัง"),
        ("Y", "ทั้งปีงบประมาณ"),
    ],
)
def test_every_period_of_fiscal_2547_has_one_thai_name(period, shown):
    assert period_label(2547, period) == shown


def test_a_month_period_in_english_is_the_month_and_the_common_era_year():
    assert thai.month_label(2547, "M01", "en") == "October 2003"


@pytest.mark.parametrize(
    ("sent", "shown"),
    [
        # October of fiscal 2570 is October 2569: the fiscal year opens in the October before.
        ("ตัวชี้วัด 2.1 R1 เดือนตุลาคม/2570", "ตัวชี้วัด 2.1 R1 เดือนตุลาคม 2569"),
        ("ตัวชี้วัด 2.1 R1 เดือนมกราคม/2570", "ตัวชี้วัด 2.1 R1 เดือนมกราคม 2570"),
        ("ตัวชี้วัด 10.1 R1 ไตรมาสที่ 2/2570", "ตัวชี้วัด 10.1 R1 ไตรมาสที่ 2 ปีงบประมาณ 2570"),
        ("ตัวชี้วัด 10.5 R1 ทั้งปีงบประมาณ/2570", "ตัวชี้วัด 10.5 R1 ทั้งปีงบประมาณ 2570"),
    ],
)
def test_the_inbox_writes_a_notifications_period_as_every_page_does(sent, shown):
    assert thai.periods_in_text(sent) == shown


def test_the_catalogues_typos_are_put_right_for_display():
    typed = "ถ้ามีผลงานให้ดาวน้โหลดแบบฟอร์ม หรือดาว์ โหลดแบบฟอร์มในระบบrbm"
    assert corrected(typed) == "ถ้ามีผลงานให้ดาวน์โหลดแบบฟอร์ม หรือดาวน์โหลดแบบฟอร์มในระบบ rbm"
    assert corrected("เป็นหน่วยงานภายนอก") == "รางวัลจากหน่วยงานภายนอก"


def test_an_upload_is_told_with_the_name_a_thai_time_the_file_and_its_short_sha():
    entry = {
        "at": "2026-12-07T07:05:00+00:00",
        "actor": "reporter1",
        "on_behalf_of": None,
        "action": "edit",
        "changes": {
            "evidence": {"before": [], "after": [{"id": "f1", "sha256": SHA}]},
            "value": {"before": None, "after": 3},
        },
        "comment": "",
    }
    told = history.tell(entry, {"reporter1": "สมชาย ใจดี"}, {"f1": "แบบฟอร์ม 7.1.docx"})
    assert told.sentence == "สมชาย ใจดี แก้ไขรายงานเมื่อ 7 ธ.ค. 2569 14:05 น."
    assert told.changes == (
        "แนบไฟล์ แบบฟอร์ม 7.1.docx (SHA-256 9f86d081)",
        "ผลการดำเนินงาน: — → 3",
    )


def test_a_submission_is_told_with_the_states_thai_names_and_the_stand_in():
    entry = {
        "at": "2026-12-07T07:05:00+00:00",
        "actor": "deputy",
        "on_behalf_of": "head1",
        "action": "submit",
        "changes": {"state": {"before": "draft", "after": "submitted"}},
        "comment": "ครบแล้ว",
    }
    told = history.tell(entry, {"deputy": "สมหญิง รองหัวหน้า", "head1": "สมศักดิ์ หัวหน้า"}, {})
    assert told.sentence == ("สมหญิง รองหัวหน้า (แทน สมศักดิ์ หัวหน้า) ส่งรายงานเมื่อ 7 ธ.ค. 2569 14:05 น.")
    assert told.changes == ("สถานะ: ร่าง → ส่งแล้ว",)
    assert told.comment == "ครบแล้ว"


def test_no_change_is_told_as_codes_or_python_text():
    entry = {
        "at": "2026-12-07T07:05:00+00:00",
        "actor": "reporter1",
        "action": "edit",
        "changes": {
            "evidence": {"before": [{"id": "f1", "sha256": SHA}], "after": []},
            "items": {"before": [{"agency": "ก"}], "after": [{"agency": "ก"}, {"agency": "ข"}]},
            "value_basis": {"before": None, "after": {"numerator": 2}},
        },
    }
    changes = " ".join(history.tell(entry, {}, {}).changes)
    assert "นำไฟล์ ไฟล์ที่ไม่ทราบชื่อ ออก (SHA-256 9f86d081)" in changes
    assert "รายการ: 1 แถว → 2 แถว" in changes
    assert not any(mark in changes for mark in ("{", "[", "'id'", "sha256", "draft"))


def test_every_kind_of_notification_has_a_thai_name_in_the_inbox():
    sent = {*rules.KINDS, *rules.IN_APP_KINDS}
    assert sent <= set(INBOX_KIND)
    names = {kind: str(INBOX_KIND[kind]) for kind in sent}
    assert all(not re.search("[A-Za-z]", name) for name in names.values()), names


def test_every_role_has_a_thai_name():
    names = {role: str(ROLE[role]) for role in ROLES}
    assert all(not re.search("[A-Za-z]", name) for name in names.values()), names
