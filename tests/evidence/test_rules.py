"""Pure rules: file names, the fiscal calendar in Thai, and the numbers read from forms."""

import pytest

from services.evidence import rules


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("รายงานผล ไตรมาส 1.pdf", "รายงานผล ไตรมาส 1.pdf"),
        ("C:\\Users\\สมชาย\\Desktop\\หลักฐาน.docx", "หลักฐาน.docx"),
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("invoice\u202efdp.exe", "invoicefdp.exe"),
        ("a\x00b\x1fc.png", "abc.png"),
        ("\u2066ไฟล์\u2069.pdf", "ไฟล์.pdf"),
        ("  many   spaces  .pdf ", "many spaces .pdf"),
    ],
)
def test_a_display_name_keeps_thai_and_drops_paths_controls_and_bidi(raw, clean):
    assert rules.clean_filename(raw) == clean


def test_a_long_name_is_cut_but_keeps_its_extension():
    name = rules.clean_filename("ก" * 500 + ".pdf")
    assert len(name) == rules.MAX_FILENAME and name.endswith(".pdf")


@pytest.mark.parametrize(
    ("name", "fallback"),
    [("หลักฐาน.pdf", "file.pdf"), ("แบบรายงาน_4.1_R1.docx", "4.1_R1.docx"), ('a"b.png', "a_b.png")],
)
def test_content_disposition_falls_back_to_a_plain_ascii_name(name, fallback):
    assert f'filename="{fallback}"' in rules.content_disposition(name)


def test_content_disposition_carries_the_thai_name_in_filename_star():
    header = rules.content_disposition('รายงาน "ฉบับ 1".pdf')
    assert header.startswith('attachment; filename="')
    assert "filename*=UTF-8''%E0%B8%A3" in header and '\\"' not in header


def test_numbers_are_read_with_thai_digits_and_thousand_separators():
    assert rules.parse_number("๑,๒๓๔.๕") == 1234.5 and rules.parse_number(" - ") is None


def test_the_level_reached_is_the_top_of_the_unbroken_run_of_marks():
    assert rules.level_from_marks({1, 2, 3, 5}) == 3 and rules.level_from_marks({2, 3}) is None


@pytest.mark.parametrize("mark", ["บรรลุ", " บรรลุ ", "✓", "☑"])
def test_only_the_forms_answer_or_a_tick_counts_as_reached(mark):
    assert rules.is_mark(mark)


@pytest.mark.parametrize(
    "mark",
    ["", "-", "ไม่บรรลุ", "ยังไม่ดำเนินการ", "ไม่ได้ดำเนินการ", "อยู่ระหว่างดำเนินการ", "X", "No",
     "เลือก", "/", "ผ่าน", "✗"],
)  # fmt: skip
def test_any_other_text_is_not_reached(mark):
    assert not rules.is_mark(mark)


def test_weighted_reduction_weights_each_process_reduction():
    processes = [
        rules.Process("ออกใบอนุญาต", weight=60, old_time=10, new_time=5),  # 50 %
        rules.Process("ตอบข้อร้องเรียน", weight=40, old_time=20, new_time=18),  # 10 %
    ]
    assert rules.weighted_reduction(processes) == pytest.approx(34.0)


@pytest.mark.parametrize(("reduction", "level"), [(5, None), (10, 1), (34, 3), (50, 5), (80, 5)])
def test_the_4_1_level_is_the_highest_step_reached(reduction, level):
    assert rules.level_from_reduction(reduction, [10, 20, 30, 40, 50]) == level


def test_the_4_1_level_follows_other_steps():
    assert rules.level_from_reduction(34, [5, 10, 20, 30, 40]) == 4


def test_field_errors_name_every_bad_field():
    assert set(rules.field_errors("R 1", "47", "four", "Q9")) == {"unit", "year", "kpi", "period"}
