"""How a KPI's actual was reached, as the dashboard writes it under the figure: in Thai on a
Thai page (no English word), in English on an English one; the Thai is the round report's
(`services.scorecard.rules.basis_text`). Worked out by hand from the scorecard's `basis`."""

import re

import pytest
from flask import get_template_attribute, session

from services.scorecard import rules
from tests.portal.test_text_and_forms import app, in_thai  # noqa: F401 (fixtures)

pytestmark = pytest.mark.usefixtures("in_thai")

CASES = [
    # Σ numerators / Σ denominators of 12 units, 2 units due without a value.
    (rules.Tally(0, 12, 340, 400), 85.0, "ratio", "percent", 2, 0,
     "รวม 12 หน่วยงาน 340 / 400 = 85 %, ขาดผล 2 หน่วยงาน",
     "Σ 12 units 340 / 400 = 85 %, 2 units missing"),
    # 2.2: two units, one [agency, month] key counted once across them.
    (rules.Tally(1, 2), 1.0, "sum", "count", 0, 1,
     "รวม 2 หน่วยงาน = 1 (รายการที่ซ้ำกันระหว่างหน่วยงานนับครั้งเดียว 1 รายการ)",
     "Σ 2 units = 1 (1 counted once across the units)"),
    # A level: one unit at 5, one silent counted at 1.0: (5 + 1) / 2.
    (rules.Tally(5, 1), 3.0, "mean", "level", 1, 0,
     "เฉลี่ย 2 หน่วยงาน: 6 / 2 = 3, ขาดผล 1 หน่วยงาน",
     "mean of 2 units: 6 / 2 = 3, 1 units missing"),
    # 15.2: 60 people of a staff of 40, capped at 40 / 40.
    (rules.Tally(100, 1, 40, 40, capped=1), 100.0, "ratio", "percent", 0, 0,
     "รวม 1 หน่วยงาน 40 / 40 = 100 %, จำกัดไว้ที่ 100 % 1 หน่วยงาน (จำนวนคนมากกว่าจำนวนบุคลากร)",
     "Σ 1 units 40 / 40 = 100 %, 1 units capped at 100 % (more people than staff)"),
    (rules.Tally(), None, "sum", "count", 3, 0,
     "ยังไม่มีผลที่อนุมัติ, ขาดผล 3 หน่วยงาน", "no approved value, 3 units missing"),
]  # fmt: skip


def card(tally, actual, rollup, measure, missing, keys) -> dict:
    basis = rules.basis(rollup, measure, tally, actual, missing, 1.0, keys)
    return {"basis": basis, "actual": actual, "measure": measure}


def written(k: dict) -> str:
    return str(get_template_attribute("_basis.html", "basis_of")(k)).strip()


@pytest.mark.parametrize(("tally", "actual", "rollup", "measure", "missing", "keys", "th", "en"),
                         CASES)  # fmt: skip
def test_a_thai_page_writes_how_a_figure_was_reached_in_thai(
    tally, actual, rollup, measure, missing, keys, th, en
):
    k = card(tally, actual, rollup, measure, missing, keys)
    assert written(k) == th
    assert not re.search("[A-Za-z]", written(k))


@pytest.mark.parametrize(("tally", "actual", "rollup", "measure", "missing", "keys", "th", "en"),
                         [c for c in CASES if c[2] != "mean"])  # fmt: skip
def test_the_dashboards_thai_is_the_round_reports(
    tally, actual, rollup, measure, missing, keys, th, en
):
    k = card(tally, actual, rollup, measure, missing, keys)
    assert rules.basis_text(k["basis"], actual, measure, 1.0, "th") == th


@pytest.mark.parametrize(("tally", "actual", "rollup", "measure", "missing", "keys", "th", "en"),
                         CASES)  # fmt: skip
def test_an_english_page_writes_it_in_english(
    tally, actual, rollup, measure, missing, keys, th, en
):
    session["lang"] = "en"
    assert written(card(tally, actual, rollup, measure, missing, keys)) == en
