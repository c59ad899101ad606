"""The seed's counting rules, with cases worked out by hand, and the items each KPI takes."""

from datetime import date

import pytest

from services.workflow.counting import (
    RULES,
    Count,
    YearReport,
    count,
    count_year,
    item_fields,
    normalise_name,
    percentage,
    validate_items,
    value_problem,
    with_verdicts,
)


def verdicts(result: Count):
    return [(v.index, v.counted, v.code) for v in result.verdicts]


# --- names ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "a, b",
    [
        ("สำนักงาน ก.พ.ร.", "สำนักงานก.พ.ร."),
        ("สำนักงาน  ก.พ.ร. ", " สำนักงาน\u00a0ก.พ.ร."),
        ("กรม\u200bประชาสัมพันธ์", "กรมประชาสัมพันธ์"),
        ("OPDC Office", "  opdc   office "),
        ("ศาลากลางจังหวัดลำปาง", "ศาลากลางจังหวัดล\u0e4d\u0e32ปาง"),
        ("e\u0301cole", "\u00e9cole"),
    ],
)
def test_names_that_differ_only_in_spacing_case_or_encoding_are_the_same(a, b):
    assert normalise_name(a) == normalise_name(b)


def test_latin_words_stay_apart():
    assert normalise_name("Thai Airways") != normalise_name("ThaiAirways")


# --- 2.1 each appointment once ------------------------------------------------------------


def test_2_1_the_same_order_and_committee_twice_counts_once():
    items = [
        {"order_no": "ที่ 123/2546", "committee": "คณะกรรมการประชาสัมพันธ์จังหวัด"},
        {"order_no": "ที่ 123/2546", "committee": "คณะกรรมการ ประชาสัมพันธ์จังหวัด"},
        {"order_no": "ที่ 45/2547", "committee": "คณะทำงานข่าวสาร"},
    ]
    result = count("each_appointment_once", items)
    assert result.value == 2
    assert verdicts(result) == [(0, True, None), (1, False, "repeat"), (2, True, None)]
    assert result.verdicts[1].repeat_of == 0


def test_2_1_one_order_appointing_two_committees_counts_twice():
    items = [
        {"order_no": "ที่ 7/2547", "committee": "คณะกรรมการ ก"},
        {"order_no": "ที่ 7/2547", "committee": "คณะทำงาน ข"},
    ]
    assert count("each_appointment_once", items).value == 2


# --- 2.2 agency once per month ------------------------------------------------------------


def test_2_2_an_agency_served_twice_in_a_month_counts_once():
    items = [
        {"agency": "สำนักงาน ก.พ.ร.", "date": "2003-10-03"},
        {"agency": "เทศบาลนครเชียงใหม่", "date": "2003-10-09"},
        {"agency": "สำนักงานก.พ.ร.", "date": "2003-10-20"},
        {"agency": "OPDC", "date": "2003-10-21"},
        {"agency": "opdc ", "date": "2003-10-22"},
    ]
    result = count("agency_once_per_month", items)
    assert result.value == 3
    assert [v.counted for v in result.verdicts] == [True, True, False, True, False]
    assert [v.repeat_of for v in result.verdicts] == [None, None, 0, None, 3]


def test_2_2_the_same_agency_in_two_months_counts_in_each():
    items = [
        {"agency": "สำนักงาน ก.พ.ร.", "date": "2003-10-03"},
        {"agency": "สำนักงาน ก.พ.ร.", "date": "2003-11-03"},
    ]
    assert count("agency_once_per_month", items).value == 2


# --- 10.1 person + course once per fiscal year --------------------------------------------


def test_10_1_a_person_on_the_same_course_twice_in_a_report_counts_once():
    items = [
        {"person": "สมชาย ใจดี", "course": "การเขียนข่าว", "date": "2003-10-05"},
        {"person": "สมชาย  ใจดี", "course": "การเขียนข่าว", "date": "2003-11-05"},
        {"person": "สมชาย ใจดี", "course": "การถ่ายภาพ", "date": "2003-11-06"},
    ]
    result = count("person_course_once_per_year", items)
    assert result.value == 2
    assert verdicts(result) == [(0, True, None), (1, False, "repeat"), (2, True, None)]


def test_10_1_a_repeat_in_a_later_quarter_is_shown_and_not_counted():
    q1 = YearReport("a", "Q1", [{"person": "สมหญิง", "course": "ภาษาอังกฤษ", "date": "2003-12-01"}])
    q2 = YearReport(
        "b",
        "Q2",
        [
            {"person": "สมหญิง", "course": "ภาษาอังกฤษ", "date": "2004-01-10"},
            {"person": "สมหญิง", "course": "คอมพิวเตอร์", "date": "2004-02-10"},
        ],
    )
    counts = count_year("person_course_once_per_year", [q2, q1])
    assert counts["a"].value == 1
    assert counts["b"].value == 1
    repeat = counts["b"].verdicts[0]
    assert (repeat.counted, repeat.code) == (False, "counted_earlier")
    assert "Q1" in repeat.reason


def test_10_1_what_an_approved_report_counted_stays_counted_there():
    approved_q2 = YearReport(
        "b",
        "Q2",
        [{"person": "สมหญิง", "course": "ภาษาอังกฤษ", "counted": True}],
        frozen=True,
    )
    late_q1 = YearReport("a", "Q1", [{"person": "สมหญิง", "course": "ภาษาอังกฤษ"}])
    counts = count_year("person_course_once_per_year", [approved_q2, late_q1])
    assert set(counts) == {"a"}
    assert counts["a"].value == 0 and "Q2" in counts["a"].verdicts[0].reason


# --- 10.5 outside awards only --------------------------------------------------------------


def test_10_5_only_awards_from_outside_bodies_count():
    items = [
        {"work": "สารคดีวิทยุ", "award": "ดีเด่น", "awarded_by": "สมาคมนักข่าว", "external": True},
        {"work": "ป้ายนิเทศ", "award": "ชมเชย", "awarded_by": "กปส.", "external": False},
        {"work": "สารคดีวิทยุ", "award": "ดีเด่น", "awarded_by": "สมาคมนักข่าว", "external": True},
    ]
    result = count("external_awards_only", items)
    assert result.value == 1
    assert verdicts(result) == [(0, True, None), (1, False, "not_eligible"), (2, False, "repeat")]


# --- 15.1 / 15.2 ---------------------------------------------------------------------------


def test_15_1_each_activity_counts_once():
    items = [
        {"activity": "รณรงค์ค่านิยมสร้างสรรค์", "date": "2003-11-01"},
        {"activity": "รณรงค์ค่านิยม สร้างสรรค์", "date": "2004-01-15"},
        {"activity": "วันปลอดการทุจริต", "date": "2004-02-01"},
    ]
    assert count("each_activity_once", items).value == 2


def test_15_2_a_person_counts_once_per_activity():
    items = [
        {"person": "ก", "activity": "เดินรณรงค์"},
        {"person": "ก", "activity": "เดินรณรงค์"},
        {"person": "ก", "activity": "อบรมคุณธรรม"},
        {"person": "ข", "activity": "เดินรณรงค์"},
    ]
    result = count("person_once_per_activity", items)
    assert result.value == 3
    assert [v.counted for v in result.verdicts] == [True, False, True, True]


# --- items ---------------------------------------------------------------------------------


def test_items_come_back_with_counted_and_the_reason_when_not():
    items = [{"agency": "ก", "date": "2003-10-01"}, {"agency": "ก", "date": "2003-10-02"}]
    shown = with_verdicts(items, count("agency_once_per_month", items))
    assert shown[0] == {"agency": "ก", "date": "2003-10-01", "counted": True}
    assert shown[1]["counted"] is False and shown[1]["reason_code"] == "repeat"
    assert shown[1]["reason"] and shown[1]["repeat_of"] == 0


@pytest.mark.parametrize("rule_id", sorted(RULES))
def test_every_rule_names_the_fields_api_md_fixes(rule_id):
    fixed = {
        "each_appointment_once": ["order_no", "committee"],
        "agency_once_per_month": ["agency", "date"],
        "person_course_once_per_year": ["person", "course", "date"],
        "external_awards_only": ["work", "award", "awarded_by", "external"],
        "each_activity_once": ["activity", "date"],
        "person_once_per_activity": ["person", "activity"],
    }
    assert [f.name for f in item_fields(rule_id)] == fixed[rule_id]


OCTOBER = (date(2003, 10, 1), date(2003, 10, 31))


def test_valid_items_are_cleaned():
    fields = item_fields("agency_once_per_month")
    clean, errors = validate_items(
        fields, [{"agency": "  สำนักงาน ก.พ.ร. ", "date": "2003-10-03", "counted": False}], OCTOBER
    )
    assert errors == {}
    assert clean == [{"agency": "สำนักงาน ก.พ.ร.", "date": "2003-10-03"}]


@pytest.mark.parametrize(
    "item, field, words",
    [
        ({"date": "2003-10-03"}, "agency", "Required"),
        ({"agency": " ", "date": "2003-10-03"}, "agency", "empty"),
        ({"agency": 5, "date": "2003-10-03"}, "agency", "text"),
        ({"agency": "ก", "date": "3/10/2546"}, "date", "YYYY-MM-DD"),
        ({"agency": "ก", "date": "2003-11-03"}, "date", "period"),
        ({"agency": "ก", "date": "2003-10-03", "colour": "red"}, "colour", "Unknown"),
    ],
)
def test_invalid_items_name_the_field(item, field, words):
    _, errors = validate_items(item_fields("agency_once_per_month"), [item], OCTOBER)
    assert words in errors[f"items.0.{field}"][0]


def test_external_must_be_a_boolean():
    item = {"work": "ก", "award": "ข", "awarded_by": "ค", "external": "yes"}
    _, errors = validate_items(item_fields("external_awards_only"), [item])
    assert "items.0.external" in errors


def test_items_must_be_a_list_of_objects():
    assert "items" in validate_items(item_fields("each_activity_once"), {"a": 1})[1]
    assert "items.0" in validate_items(item_fields("each_activity_once"), ["x"])[1]


def test_fields_the_catalogue_adds_are_accepted_and_typed():
    fields = item_fields("each_activity_once", [{"name": "people", "type": "number"}])
    items = [{"activity": "ก", "date": "2003-10-01", "people": "many"}]
    assert "items.0.people" in validate_items(fields, items)[1]


# --- values --------------------------------------------------------------------------------


def test_a_percentage_takes_its_denominator():
    assert percentage(3, 40) == 7.5
    assert percentage(1, 3) == 33.33


@pytest.mark.parametrize("denominator", [None, 0])
def test_no_denominator_gives_no_percentage(denominator):
    assert percentage(3, denominator) is None


@pytest.mark.parametrize(
    "measure, value, ok",
    [("level", 3, True), ("level", 0, False), ("level", 5.5, False), ("count", 2.5, False)],
)
def test_entered_values_respect_the_measure(measure, value, ok):
    assert (value_problem(measure, value) is None) is ok
