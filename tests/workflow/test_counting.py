"""The seed's counting rules, with cases worked out by hand, and the items each KPI takes."""

from datetime import date

import pytest

from services.workflow.counting import (
    RULES,
    Count,
    YearReport,
    count,
    count_year,
    counted_keys,
    item_fields,
    listed_activities,
    percentage,
    share_of_staff,
    validate_items,
    value_problem,
    with_verdicts,
)
from services.workflow.gateways import Kpi
from services.workflow.prd_units import own_unit_names
from services.workflow.values import Inputs, other_value


def verdicts(result: Count):
    return [(v.index, v.counted, v.code) for v in result.verdicts]


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
        {"agency": "ศาลากลางจังหวัดลำปาง", "date": "2003-10-10"},
    ]
    result = count("agency_once_per_month", items, known=own)
    assert result.value == 2
    assert verdicts(result) == [
        (0, False, "not_eligible"),
        (1, False, "not_eligible"),
        (2, True, None),
        (3, True, None),
    ]
    assert "own units" in result.verdicts[0].reason


SEED_UNITS = own_unit_names(
    [
        {"code": "PRD", "name_th": "กรมประชาสัมพันธ์", "name_en": "Government PR Department"},
        {"code": "MSD", "name_th": "กลุ่มพัฒนาระบบบริหาร"},
        {"code": "R1", "name_th": "สำนักประชาสัมพันธ์เขต 1", "name_en": "Regional PR Office 1"},
        {"code": "R1-01", "name_th": "ส่วนข่าว", "aliases": ["ข่าว สปข.1"]},
    ]
)


@pytest.mark.parametrize(
    "agency",
    [
        "กปส.",
        "กปส",
        "กรมประชาสัมพันธ์",
        "PRD",
        "สปข.1",
        "สปข. 1",
        "สปข ๑",
        "สำนักประชาสัมพันธ์เขต 3",
        "ส.ปชส.เชียงใหม่",
        "ส.ปชส. เชียงใหม่",
        "สำนักงานประชาสัมพันธ์จังหวัดน่าน",
        "ปชส.ลำปาง",
        "สวท.เชียงใหม่",
        "สถานีวิทยุกระจายเสียงแห่งประเทศไทย จังหวัดน่าน",
        "สทท.",
        "NBT",
        "กลุ่ม พัฒนาระบบบริหาร",
        "msd",
        "Regional PR Office 1",
        "ข่าว สปข. 1",
    ],
)
def test_2_2_prds_own_units_are_known_by_code_name_abbreviation_and_spacing(agency):
    result = count(
        "agency_once_per_month", [{"agency": agency, "date": "2003-10-03"}], None, SEED_UNITS
    )
    assert verdicts(result) == [(0, False, "not_eligible")]


@pytest.mark.parametrize(
    "agency",
    ["เทศบาลนครเชียงใหม่", "สำนักงาน ก.พ.ร.", "ศาลากลางจังหวัดลำปาง", "NBTC", "สมาคมนักข่าว"],
)
def test_2_2_outside_agencies_are_not_taken_for_prds_units(agency):
    result = count(
        "agency_once_per_month", [{"agency": agency, "date": "2003-10-03"}], None, SEED_UNITS
    )
    assert result.value == 1


def test_2_2_a_report_lists_the_agencies_and_months_it_counted_for_a_parent_to_count_once():
    items = [
        {"agency": "สำนักงาน ก.พ.ร.", "date": "2003-10-03"},
        {"agency": "สำนักงานก.พ.ร.", "date": "2003-10-20"},
        {"agency": "กปส.", "date": "2003-10-21"},
        {"agency": "OPDC", "date": "2003-10-22"},
    ]
    shown = with_verdicts(items, count("agency_once_per_month", items, None, SEED_UNITS))
    region = counted_keys("agency_once_per_month", shown)
    assert region == [["opdc", "2003-10"], ["สำนักงานก.พ.ร.", "2003-10"]]
    # Ten provinces serving OPDC in October: the department counts OPDC once that month.
    provinces = [counted_keys("agency_once_per_month", [{**items[3], "counted": True}])] * 10
    assert len({tuple(k) for keys in [region, *provinces] for k in keys}) == 2


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


def test_10_5_an_award_from_prd_itself_never_counts_whatever_the_box_says():
    items = [
        {"work": "ป้ายนิเทศ", "award": "ดีเด่น", "awarded_by": "กปส.", "external": True},
        {"work": "สารคดี", "award": "ชนะเลิศ", "awarded_by": "สปข. 1", "external": True},
        {"work": "สปอตวิทยุ", "award": "ชมเชย", "awarded_by": "สมาคมนักข่าว", "external": True},
    ]
    result = count("external_awards_only", items, known=SEED_UNITS)
    assert result.value == 1
    assert verdicts(result) == [
        (0, False, "not_eligible"),
        (1, False, "not_eligible"),
        (2, True, None),
    ]
    assert "whatever the box says" in result.verdicts[0].reason


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
    activities = listed_activities(
        [{"activity": a, "counted": True} for a in ("เดินรณรงค์", "อบรมคุณธรรม", "วันปลอดการทุจริต")]
    )
    result = count("person_once_per_activity", items, known=activities)
    # 2 staff: 100 %, never 300 %.
    assert result.value == 2
    assert [v.counted for v in result.verdicts] == [True, True, False, False, False, False]
    assert [v.repeat_of for v in result.verdicts] == [None, None, 0, 1, 0, 1]


def test_15_2_a_person_counts_only_in_an_activity_the_halfs_15_1_report_lists():
    report_15_1 = [
        {"activity": "เดินรณรงค์", "date": "2004-01-10", "counted": True},
        {"activity": "อบรม คุณธรรม", "date": "2004-02-10", "counted": True},
        {"activity": "ซ้ำ", "date": "2004-02-11", "counted": False},
    ]
    items = [
        {"person": "สมชาย", "activity": "ทัศนศึกษา"},
        {"person": "สมศรี", "activity": "อบรมคุณธรรม"},
        {"person": "นายสมชาย", "activity": "เดินรณรงค์"},
        {"person": "สมหญิง", "activity": "ซ้ำ"},
    ]
    result = count("person_once_per_activity", items, known=listed_activities(report_15_1))
    assert result.value == 2
    assert verdicts(result) == [
        (0, False, "not_eligible"),
        (1, True, None),
        (2, True, None),
        (3, False, "not_eligible"),
    ]
    assert "15.1" in result.verdicts[0].reason


def test_15_2_a_half_year_of_30_people_among_40_staff_is_75_percent():
    assert share_of_staff(30, 40) == (75.0, None)


def test_15_2_the_year_of_30_and_30_different_people_among_40_staff_is_capped_at_100_percent():
    first = {f"คนที่ {n}" for n in range(30)}
    second = {f"คนที่ {n}" for n in range(30, 60)}
    share, problem = share_of_staff(len(first | second), 40)
    assert share == 100.0
    assert problem and "60 people" in problem and "40 staff" in problem


def test_15_2_a_person_in_both_halves_is_one_person_of_the_year():
    first = [{"person": "นาง สาวิตรี", "activity": "เดินรณรงค์", "counted": True}]
    second = [{"person": "สาวิตรี", "activity": "อบรมคุณธรรม", "counted": True}]
    year = set(counted_keys("person_once_per_activity", first + second))
    assert share_of_staff(len(year), 40) == (2.5, None)


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


STAFF_BUDGET_10_2 = Kpi("10.2", "entry", "half-yearly", "percent", None, (), "งบประมาณ (บาท)")


def test_10_2_each_half_year_is_its_own_spending_and_the_year_adds_them_up():
    budget = {"denominator": 1_000_000}
    first = other_value(STAFF_BUDGET_10_2, Inputs(numerator=20_000), [], budget)
    second = other_value(STAFF_BUDGET_10_2, Inputs(numerator=30_000), [], budget)
    # 20,000 + 30,000 baht of a 1,000,000 budget: 2 % + 3 % = 5 % for the year, not 7 %.
    assert (first.value, second.value) == (2.0, 3.0)
    assert "this half-year's amount only" in second.value_basis["numerator_covers"]
