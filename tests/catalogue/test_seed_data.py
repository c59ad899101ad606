"""The catalogue of 2547 as data: every KPI of DOMAIN.md, names verbatim from the seed."""

from pathlib import Path

import pytest

from services.catalogue import rules, seed_2547

SEED_TEXT = (Path(__file__).parent / "seed_2547_source.txt").read_text(encoding="utf-8")
KPIS = {k["code"]: k for k in seed_2547.KPIS}

# code: (perspective, mandatory, method, cycle) — the table of DOMAIN.md.
TABLE = {
    "1.1": ("P1", True, "feed", "monthly"),
    "1.2": ("P1", True, "none", "none"),
    "2.1": ("P1", False, "entry", "monthly"),
    "2.2": ("P1", False, "entry", "monthly"),
    "3.1": ("P2", True, "feed", "monthly"),
    "4.1": ("P2", True, "template", "on-results"),
    "5.1": ("P2", False, "feed", "monthly"),
    "6.1": ("P2", False, "none", "none"),
    "7.1": ("P3", True, "template", "yearly"),
    "8.1": ("P3", True, "survey", "yearly"),
    "9.1": ("P4", True, "none", "none"),
    "9.2": ("P4", True, "none", "none"),
    "9.3": ("P4", True, "template", "on-results"),
    "10.1": ("P4", False, "entry", "quarterly"),
    "10.2": ("P4", False, "entry", "half-yearly"),
    "10.3": ("P4", False, "none", "none"),
    "10.4": ("P4", False, "none", "none"),
    "10.5": ("P4", False, "entry", "yearly"),
    "11.1": ("P4", False, "none", "none"),
    "12.1": ("P4", False, "none", "none"),
    "13.1": ("P4", False, "entry", "yearly"),
    "14.1": ("P4", False, "none", "none"),
    "15.1": ("P4", False, "entry", "half-yearly"),
    "15.2": ("P4", False, "entry", "half-yearly"),
}


def test_2547_has_exactly_the_24_kpis_of_the_domain():
    assert sorted(KPIS, key=rules.kpi_sort_key) == sorted(TABLE, key=rules.kpi_sort_key)


@pytest.mark.parametrize("code", TABLE)
def test_each_kpi_has_the_domain_perspective_mandate_method_and_cycle(code):
    kpi = KPIS[code]
    perspective = seed_2547.CSF_PERSPECTIVES[rules.csf_of(code)]
    assert (perspective, kpi["mandatory"], kpi["method"], kpi["cycle"]) == TABLE[code]


@pytest.mark.parametrize("code", TABLE)
def test_each_thai_name_is_the_seed_text_verbatim(code):
    assert KPIS[code]["name_th"] in SEED_TEXT


@pytest.mark.parametrize("code", TABLE)
def test_each_kpi_definition_is_consistent(code):
    kpi = KPIS[code]
    args = (kpi["method"], kpi["cycle"], kpi["applies_to"], kpi["counting_rule"])
    assert rules.kpi_problems(*args, kpi["item_fields"]) == {}


def test_only_1_1_is_a_headline_indicator():
    assert [c for c, k in KPIS.items() if k["headline"]] == ["1.1"]


def test_kpis_15_are_reported_by_regional_offices_only():
    assert KPIS["15.1"]["applies_to"] == KPIS["15.2"]["applies_to"] == ["region"]


def test_kpis_without_reporting_are_not_for_regional_or_provincial_offices():
    for kpi in KPIS.values():
        if kpi["method"] == "none":
            assert not {"region", "province"} & set(kpi["applies_to"]), kpi["code"]


@pytest.mark.parametrize(
    ("code", "rule"),
    [
        ("2.1", "each_appointment_once"),
        ("2.2", "agency_once_per_month"),
        ("10.1", "person_course_once_per_year"),
        ("10.5", "external_awards_only"),
        ("15.1", "each_activity_once"),
        ("15.2", "person_once_per_activity"),
    ],
)
def test_list_kpis_carry_their_counting_rule(code, rule):
    assert KPIS[code]["counting_rule"] == rule


@pytest.mark.parametrize(
    ("code", "fields"),
    [
        ("2.1", ["order_no", "committee"]),
        ("2.2", ["agency", "date"]),
        ("10.1", ["person", "course", "date"]),
        ("10.5", ["work", "award", "awarded_by", "external"]),
        ("15.1", ["activity", "date"]),
        ("15.2", ["person", "activity"]),
    ],
)
def test_list_kpis_have_the_item_fields_of_the_contract(code, fields):
    assert [f["name"] for f in KPIS[code]["item_fields"]] == fields


def test_the_org_skeleton_has_the_department_its_groups_and_eight_regions():
    units = {u["code"]: u for u in seed_2547.ORG_UNITS}
    assert set(units) == {"PRD", "MSD", "ITC", *(f"R{n}" for n in range(1, 9))}
    assert units["MSD"]["name_th"] == "กลุ่มพัฒนาระบบบริหาร"
    assert units["R8"]["name_th"] == "สำนักประชาสัมพันธ์เขต 8"
