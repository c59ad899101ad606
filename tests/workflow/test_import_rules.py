"""The import rules and the file reader, without a system: values worked out by hand."""

from __future__ import annotations

import io
import zipfile

import pytest
from openpyxl import Workbook

from common.errors import Invalid, PayloadTooLarge, UnsupportedMediaType
from services.workflow import import_files
from services.workflow.gateways import Kpi
from services.workflow.import_rules import IMPORT_RULES, Slots, check_row, missing_columns
from services.workflow.imports import slots_of

MONTHS = tuple(f"M{m:02d}" for m in range(1, 13))
SLOTS = Slots(
    units={"R1", "R2", "PRD"},
    periods=MONTHS,
    reporting={(u, p) for u in ("R1", "R2") for p in MONTHS},
    cycle="monthly",
)


@pytest.mark.parametrize(
    ("kpi", "cells", "value"),
    [
        ("3.1", {"budget": "1,000", "spent": "900"}, 10.0),
        ("3.1", {"budget": 1000, "spent": 1100}, -10.0),
        ("5.1", {"planned": "200", "disbursed": "150"}, 75.0),
        ("1.1", {"targets": "๘", "targets_met": "๖"}, 75.0),
        ("1.1", {"value": "62.5"}, 62.5),
        ("8.1", {"respondents": 3, "satisfied": 2}, 66.6667),
    ],
)
def test_a_value_is_computed_from_the_sources_figures_as_the_kpi_defines_it(kpi, cells, value):
    line, errors = check_row(IMPORT_RULES[kpi], 2, {"unit": "R1", "period": "M01", **cells}, SLOTS)
    assert errors == []
    assert line.value == value


@pytest.mark.parametrize(
    ("cells", "error"),
    [
        ({"unit": "X9", "period": "M01", "value": "5"}, "Unknown unit 'X9'."),
        ({"unit": "PRD", "period": "M01", "value": "5"}, "PRD does not report KPI 1.1."),
        ({"unit": "R1", "period": "Q1", "value": "5"}, "not a period of a monthly KPI"),
        ({"unit": "R1", "period": "M01", "value": "lots"}, "is not a number"),
        ({"unit": "R1", "period": "M01", "value": "101"}, "outside 0..100"),
        ({"unit": "R1", "period": "M01", "value": "=cmd|' /C calc'!A0"}, "formula"),
        ({"unit": "=HYPERLINK(1)", "period": "M01", "value": "5"}, "formula"),
        ({"unit": "R1", "period": "M01", "targets": "0", "targets_met": "0"}, "more than 0"),
        ({"unit": "R1", "period": "M01", "value": "nan"}, "is not a number"),
    ],
)
def test_a_bad_row_is_named_with_why(cells, error):
    line, errors = check_row(IMPORT_RULES["1.1"], 7, cells, SLOTS)
    assert line is None
    assert any(error in e for e in errors), errors


def test_a_header_without_a_value_or_the_sources_figures_is_missing_a_column():
    assert missing_columns(IMPORT_RULES["3.1"], ["unit", "period", "budget"]) == [
        "value (or budget and spent)"
    ]
    assert missing_columns(IMPORT_RULES["3.1"], ["หน่วยงาน", "งวด", "ค่า"]) == []


def table(content: bytes, name: str = "f.csv", encoding: str | None = None):
    found = import_files.open_table(io.BytesIO(content), name, encoding)
    return found, list(found.rows)


def test_cp874_and_utf8_with_bom_read_the_same_rows():
    text = "หน่วยงาน,งวด,ค่า\r\nR1,M01,5\r\n"
    thai, thai_rows = table(text.encode("cp874"))
    bom, bom_rows = table(b"\xef\xbb\xbf" + text.encode())
    assert (thai.encoding, bom.encoding) == ("cp874", "utf-8")
    assert thai.columns == bom.columns and thai_rows == bom_rows


@pytest.mark.parametrize(
    ("content", "name", "encoding", "error"),
    [
        (b'unit,period,value\n"R1,M01,5\n', "f.csv", None, Invalid),
        ("unit,period,value\nสปข,M01,5\n".encode("cp874"), "f.csv", "utf-8", Invalid),
        (b"unit,\x00period\n", "f.csv", None, Invalid),
        (b"x" * (import_files.MAX_BYTES + 1), "f.csv", None, PayloadTooLarge),
        (b"unit,period,value\n", "f.xlsm", None, UnsupportedMediaType),
        (b"unit,period,value\nR1,M01,5\n", "f.txt", None, UnsupportedMediaType),
        (b"PK\x03\x04 not really", "f.xlsx", None, Invalid),
        (",".join(["c"] * 10_000).encode(), "f.csv", None, Invalid),
    ],
)
def test_a_bad_file_is_refused_naming_the_problem(content, name, encoding, error):
    with pytest.raises(error) as raised:
        table(content, name, encoding)
    assert raised.value.errors["file"]


def test_a_row_of_ten_thousand_columns_is_a_bad_row():
    _, rows = table(b"unit,period,value\n" + ",".join(["1"] * 10_000).encode() + b"\n")
    assert rows[0].problems == ["10,000 cells; the header names 3 columns."]


def workbook(*rows, extra_part: str | None = None) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    if extra_part is None:
        return out.getvalue()
    with zipfile.ZipFile(out, "a") as archive:
        archive.writestr(extra_part, b"\x00" * 10)
    return out.getvalue()


def test_a_workbooks_formula_cell_is_a_bad_row_naming_its_line_and_column():
    _, rows = table(workbook(["unit", "period", "value"], ["R1", "M01", "=1+1"]), "f.xlsx")
    assert rows[0].cells == {"unit": "R1", "period": "M01"}
    assert rows[0].problems[0].startswith("Line 2, column C (value) begins with a formula")


def test_a_formula_in_any_column_of_a_csv_is_refused_naming_its_line_and_column():
    content = b"unit,period,value,note\nR1,M01,5,ok\nR1,M02,5,=cmd|' /C calc'!A0\n"
    with pytest.raises(Invalid) as raised:
        table(content)
    assert raised.value.extra["reason"] == "formula"
    assert raised.value.errors["file"][0].startswith("Line 3, column D (note) begins with")


def test_a_text_cell_of_a_workbook_that_reads_as_a_formula_is_refused():
    book = Workbook()
    book.active.append(["unit", "period", "value", "note"])
    book.active.append(["R1", "M01", 5, None])
    book.active["D2"].value, book.active["D2"].data_type = "@SUM(1+1)*cmd|' /C calc'!A0", "s"
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(Invalid) as raised:
        table(out.getvalue(), "f.xlsx")
    assert raised.value.extra["reason"] == "formula"
    assert "Line 2, column D" in raised.value.errors["file"][0]


def test_a_negative_number_is_a_plain_value_in_any_column():
    _, rows = table(b"unit,period,value,note\nR1,M01,-1.5,-1.5\n")
    assert rows[0].cells == {"unit": "R1", "period": "M01", "value": "-1.5", "note": "-1.5"}


@pytest.mark.parametrize(
    ("part", "reason"),
    [("xl/vbaProject.bin", "macros"), ("xl/activeX/activeX1.bin", "macros")],
)
def test_a_workbook_with_macros_is_refused_by_the_common_intake(part, reason):
    with pytest.raises(Invalid) as raised:
        table(workbook(["unit", "period", "value"], extra_part=part), "f.xlsx")
    assert raised.value.extra["reason"] == reason


class ClosedYear:
    def year_status(self, year: int) -> str:
        return "closed"


def test_a_closed_year_takes_no_import():
    kpi = Kpi("3.1", "feed", "monthly", "percent", None, (), None, MONTHS)
    with pytest.raises(Invalid) as raised:
        slots_of(ClosedYear(), 2547, kpi)
    assert "closed" in raised.value.errors["year"][0]
