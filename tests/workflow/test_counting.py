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
    normalise_person,
    own_unit_names,
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


def test_2_1_an_appointment_counts_once_a_fiscal_year_across_reports():
    october = YearReport("a", "M01", [{"order_no": "ที่ 7/2547", "committee": "คณะทำงาน ก"}])
    march = YearReport(
        "b",
        "M06",
        [
            {"order_no": "ที่ 7/2547", "committee": "คณะทำงาน ก"},
            {"order_no": "ที่ 9/2547", "committee": "คณะทำงาน ข"},
        ],
    )
    counts = count_year("each_appointment_once", [march, october])
    assert (counts["a"].value, counts["b"].value) == (1, 1)
    assert counts["b"].verdicts[0].code == "counted_earlier"
    assert "M01" in counts["b"].verdicts[0].reason


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


def test_2_2_the_departments_own_units_are_not_outside_agencies():
    own = own_unit_names(
        [
            {"code": "PRD", "name_th": "กรมประชาสัมพันธ์", "name_en": "Government PR Department"},
            {"code": "R1", "name_th": "สำนักประชาสัมพันธ์เขต 1"},
        ]
    )
    items = [
        {"agency": "กรม ประชาสัมพันธ์", "date": "2003-10-03"},
        {"agency": "สำนักประชาสัมพันธ์เขต 1", "date": "2003-10-04"},
        {"agency": "เทศบาลนครเชียงใหม่", "date": "2003-10-09"},
        {"agency": "สำนักประชาสัมพันธ์เขต 10", "date": "2003-10-10"},
    ]
    result = count("agency_once_per_month", items, own_units=own)
    assert result.value == 2
    assert verdicts(result) == [
        (0, False, "not_eligible"),
        (1, False, "not_eligible"),
        (2, True, None),
        (3, True, None),
    ]
    assert "own units" in result.verdicts[0].reason


def test_2_2_the_same_agency_in_two_months_counts_in_each():
    items = [
        {"agency": "สำนักงาน ก.พ.ร.", "date": "2003-10-03"},
        {"agency": "สำนักงาน ก.พ.ร.", "date": "2003-11-03"},
    ]
    assert count("agency_once_per_month", items).value == 2


# --- 10.1 a person once per fiscal year ------------------------------------------------------


def test_10_1_one_person_on_three_courses_counts_once():
    items = [
        {"person": "สมชาย ใจดี", "course": "การเขียนข่าว", "date": "2003-10-05"},
        {"person": "นาย สมชาย  ใจดี", "course": "การถ่ายภาพ", "date": "2003-11-05"},
        {"person": "สมชาย ใจดี", "course": "การเขียนข่าว", "date": "2003-11-06"},
        {"person": "สมศรี มีสุข", "course": "การเขียนข่าว", "date": "2003-11-07"},
    ]
    result = count("person_course_once_per_year", items)
    # 2 staff on the unit's roll: 2 people counted gives 100 %, never 150 %.
    assert result.value == 2
    assert verdicts(result) == [
        (0, True, None),
        (1, False, "repeat"),
        (2, False, "repeat"),
        (3, True, None),
    ]
    assert percentage(result.value, 2) == 100.0


def test_10_1_the_entry_taken_as_the_same_person_is_named():
    items = [
        {"person": "ว่าที่ ร.ต. สมชาย ใจดี", "course": "ก", "date": "2003-10-05"},
        {"person": "สมชาย ใจดี", "course": "ข", "date": "2003-10-06"},
    ]
    repeat = count("person_course_once_per_year", items).verdicts[1]
    assert (repeat.repeat_of, repeat.same_as) == (0, "ว่าที่ ร.ต. สมชาย ใจดี")
    assert "same person" in repeat.reason


def test_10_1_a_person_trained_in_an_earlier_quarter_is_listed_not_counted():
    q1 = YearReport("a", "Q1", [{"person": "สมหญิง", "course": "ภาษาอังกฤษ", "date": "2003-12-01"}])
    q2 = YearReport(
        "b",
        "Q2",
        [
            {"person": "นางสาวสมหญิง", "course": "คอมพิวเตอร์", "date": "2004-02-10"},
            {"person": "สมปอง", "course": "คอมพิวเตอร์", "date": "2004-02-10"},
        ],
    )
    counts = count_year("person_course_once_per_year", [q2, q1])
    assert (counts["a"].value, counts["b"].value) == (1, 1)
    repeat = counts["b"].verdicts[0]
    assert (repeat.counted, repeat.code, repeat.same_as) == (False, "counted_earlier", "สมหญิง")
    assert "Q1" in repeat.reason


def test_10_1_what_an_approved_report_counted_stays_counted_there():
    approved_q2 = YearReport(
        "b",
        "Q2",
        [{"person": "สมหญิง", "course": "ภาษาอังกฤษ", "counted": True}],
        frozen=True,
    )
    late_q1 = YearReport("a", "Q1", [{"person": "สมหญิง", "course": "สถิติ"}])
    counts = count_year("person_course_once_per_year", [approved_q2, late_q1])
    assert set(counts) == {"a"}
    assert counts["a"].value == 0 and "Q2" in counts["a"].verdicts[0].reason


@pytest.mark.parametrize(
    "written",
    [
        "นายสมชาย ใจดี",
        "นาย สมชาย ใจดี",
        "ดร.สมชาย ใจดี",
        "ดร. สมชาย  ใจดี",
        "ว่าที่ ร.ต. สมชาย ใจดี",
        "ว่าที่ร้อยตรี ดร.สมชาย ใจดี",
        "สมชาย\u200bใจดี",
    ],
)
def test_a_persons_name_matches_with_or_without_titles_ranks_and_spacing(written):
    assert normalise_person(written) == normalise_person("สมชาย ใจดี")


@pytest.mark.parametrize("a, b", [("นางสาวสมศรี", "นางสมศรี"), ("Mr. John Smith", "john smith")])
def test_titles_of_the_same_name_are_dropped(a, b):
    assert normalise_person(a) == normalise_person(b)


def test_different_people_stay_apart():
    assert normalise_person("นายสมชาย ใจดี") != normalise_person("นายสมชัย ใจดี")
    assert normalise_person("Drake Bell") == "drake bell"


# --- 10.5 works with at least one outside award ---------------------------------------------


def test_10_5_a_work_with_two_outside_awards_counts_once():
    items = [
        {"work": "สารคดีวิทยุ", "award": "ดีเด่น", "awarded_by": "สมาคมนักข่าว", "external": True},
        {"work": "สารคดีวิทยุ", "award": "ชนะเลิศ", "awarded_by": "ยูเนสโก", "external": True},
        {"work": "ป้ายนิเทศ", "award": "ชมเชย", "awarded_by": "กปส.", "external": False},
    ]
    result = count("external_awards_only", items)
    assert result.value == 1
    assert verdicts(result) == [(0, True, None), (1, False, "repeat"), (2, False, "not_eligible")]


def test_10_5_a_work_counts_when_any_of_its_awards_is_from_outside():
    items = [
        {"work": "ป้ายนิเทศ", "award": "ชมเชย", "awarded_by": "กปส.", "external": False},
        {"work": "ป้ายนิเทศ", "award": "รางวัลที่ 1", "awarded_by": "จังหวัด", "external": True},
    ]
    result = count("external_awards_only", items)
    assert result.value == 1
    assert verdicts(result) == [(0, False, "not_eligible"), (1, True, None)]


# --- 15.1 / 15.2 ---------------------------------------------------------------------------


def test_15_1_each_activity_counts_once():
    items = [
        {"activity": "รณรงค์ค่านิยมสร้างสรรค์", "date": "2003-11-01"},
        {"activity": "รณรงค์ค่านิยม สร้างสรรค์", "date": "2004-01-15"},
        {"activity": "วันปลอดการทุจริต", "date": "2004-02-01"},
    ]
    assert count("each_activity_once", items).value == 2


def test_15_2_two_staff_in_three_activities_count_two_people():
    items = [
        {"person": "สมชาย", "activity": "เดินรณรงค์"},
        {"person": "สมศรี", "activity": "เดินรณรงค์"},
        {"person": "นายสมชาย", "activity": "อบรมคุณธรรม"},
        {"person": "สมศรี", "activity": "อบรมคุณธรรม"},
        {"person": "สมชาย", "activity": "วันปลอดการทุจริต"},
        {"person": "นางสมศรี", "activity": "วันปลอดการทุจริต"},
    ]
    result = count("person_once_per_activity", items)
    # 2 staff: 100 %, never 300 %.
    assert result.value == 2
    assert [v.counted for v in result.verdicts] == [True, True, False, False, False, False]
    assert [v.repeat_of for v in result.verdicts] == [None, None, 0, 1, 0, 1]


# --- items ---------------------------------------------------------------------------------


def test_items_come_back_with_counted_and_the_reason_when_not():
    items = [{"agency": "ก", "date": "2003-10-01"}, {"agency": "ก", "date": "2003-10-02"}]
    shown = with_verdicts(items, count("agency_once_per_month", items))
    assert shown[0] == {"agency": "ก", "date": "2003-10-01", "counted": True}
    assert shown[1]["counted"] is False and shown[1]["reason_code"] == "repeat"
    assert shown[1]["reason"] and shown[1]["repeat_of"] == 0
    assert shown[1]["same_as"] == "ก"


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
