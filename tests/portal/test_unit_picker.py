"""The one unit picker: the unit tree in one drop-down, each unit by its Thai name with its code
beside, a region's provinces under it, and "and the units below it" where a list narrows so."""

from services.portal.unit_tree import Scope, groups, scope_of, tree
from tests.portal.conftest import enter_as, go
from tests.portal.test_living_demo import CURRENT

UNITS = {
    "PRD": {"code": "PRD", "name_th": "กรมประชาสัมพันธ์", "parent": None},
    "MSD": {"code": "MSD", "name_th": "กลุ่มพัฒนาระบบบริหาร", "parent": "PRD"},
    "R1": {"code": "R1", "name_th": "สำนักประชาสัมพันธ์เขต 1", "parent": "PRD"},
    "R1-01": {"code": "R1-01", "name_th": "สำนักงานประชาสัมพันธ์จังหวัด ก", "parent": "R1"},
    "R10": {"code": "R10", "name_th": "สำนักประชาสัมพันธ์เขต 10", "parent": "PRD"},
    "R2": {"code": "R2", "name_th": "สำนักประชาสัมพันธ์เขต 2", "parent": "PRD"},
}


def shown(found) -> list[tuple[str | None, list[tuple[str, int]]]]:
    return [
        (g.label["code"] if g.label else None, [(o.value, o.depth) for o in g.options])
        for g in found
    ]


def test_a_region_heads_its_provinces_and_offers_itself_with_the_units_below_it():
    assert shown(groups(tree(UNITS, ["PRD"]), below=True)) == [
        ("PRD", [("PRD*", 0), ("PRD", 0)]),
        (None, [("MSD", 1)]),
        ("R1", [("R1*", 0), ("R1", 0), ("R1-01", 1)]),
        (None, [("R2", 1), ("R10", 1)]),  # R2 before R10
    ]


def test_without_the_below_choice_each_unit_is_offered_once():
    values = [o.value for g in groups(tree(UNITS, ["PRD"]), below=False) for o in g.options]
    assert values == ["PRD", "MSD", "R1", "R1-01", "R2", "R10"]


def test_a_unit_users_tree_starts_at_their_own_units():
    mine = {code: UNITS[code] for code in ("R1", "R1-01")}
    assert shown(groups(tree(mine, ["R1-01", "R1"]), below=True)) == [
        ("R1", [("R1*", 0), ("R1", 0), ("R1-01", 1)])
    ]


def test_a_choice_is_one_unit_or_a_unit_with_those_below_it():
    assert scope_of("R1*") == Scope("R1", below=True)
    assert scope_of("R1*").params() == {"within": "R1"}
    assert scope_of("R1-01").params() == {"unit": "R1-01"}
    assert scope_of("").params() == scope_of("*").params() == {}
    assert scope_of("R1*").chosen == "R1*"


def test_every_unit_filter_of_a_reviewer_is_one_picker_naming_units_in_thai(demo, page):
    enter_as(page, "reviewer")
    for path in (f"/review?year={CURRENT}", f"/progress?year={CURRENT}", "/audit/search"):
        page.goto(path)
        assert page.locator("main select[name=unit]").count() == 1, path
        assert page.locator("#region, #within").count() == 0, path
        region = page.locator("#unit optgroup[label*='(R1)'] option").all_inner_texts()
        assert any("สำนักประชาสัมพันธ์เขต 1 (R1)" in text for text in region), path
    page.goto(f"/review?year={CURRENT}&state=")
    page.select_option("#unit", "R1*")
    go(page, "#filters button")
    listed = set(page.locator("#queue tbody tr").evaluate_all("r => r.map(x => x.dataset.unit)"))
    assert listed and all(u == "R1" or u.startswith("R1-") for u in listed)
    cells = page.locator("#queue tbody tr td:nth-child(3)").all_inner_texts()
    assert all("(R1" in cell and "สำนัก" in cell for cell in cells)  # name, code beside
    assert page.locator("#unit").input_value() == "R1*"
    chart = page.request.get(f"/dashboard/charts/units.svg?year={CURRENT}&unit=PRD").text()
    assert "สำนักประชาสัมพันธ์เขต 1 (R1)" in chart  # each bar named, not only coded


def test_an_admin_chooses_the_schedules_and_targets_unit_from_the_tree(demo, page):
    enter_as(page, "admin")
    page.goto(f"/admin/schedule?year={CURRENT}&unit=R1")
    assert "(R1)" in page.locator("#unit option:checked").inner_text()
    cells = page.locator("#schedule tbody td:nth-child(3)").all_inner_texts()
    assert cells and all(cell.endswith("(R1)") for cell in cells)
    page.goto(f"/admin/targets?year={CURRENT}")
    assert "(R1)" in page.locator("#unit option:checked").inner_text()
