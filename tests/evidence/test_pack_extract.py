"""What of a report's file a pack holds: whole when its taker may read it, else the report's
rows of an import source; lines numbered as the workflow's import numbers them."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook

from services.evidence.models import EvidenceFile
from services.evidence.pack_extract import EXTRACT, WHOLE, WITHHELD, extract, how_shared

SOURCE_SHA = "a" * 64


def source(unit: str = "PRD", sha256: str = SOURCE_SHA) -> EvidenceFile:
    return EvidenceFile(id="f1", unit=unit, sha256=sha256, filename="expenditure.csv")


def report(unit: str = "R1", basis: dict | None = None) -> dict:
    return {"id": "r1", "unit": unit, "period": "M01", "value_basis": basis}


IMPORTED = {"sha256": SOURCE_SHA, "line": 2, "file": "expenditure.csv"}
CASES = {
    "a pack of every unit holds the source whole": (source(), report("R1", IMPORTED), None, WHOLE),
    "a pack of the department holds its own file whole": (source(), report("R1"), "PRD", WHOLE),
    "a unit's own file is whole": (source("R1"), report("R1"), "R1", WHOLE),
    "a province's file is whole in its region's pack": (
        source("R1-10"),
        report("R1-10"),
        "R1",
        WHOLE,
    ),
    "a unit's pack holds its row of an import source": (
        source(),
        report("R1", IMPORTED),
        "R1",
        EXTRACT,
    ),
    "another file filed under the department is left out": (
        source(sha256="b" * 64),
        report("R1", IMPORTED),
        "R1",
        WITHHELD,
    ),
    "a report typed in, not imported, does not open the department's file": (
        source(),
        report("R1"),
        "R1",
        WITHHELD,
    ),
}


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_a_file_goes_into_a_pack_whole_only_when_its_taker_may_read_it(case):
    row, of, pack_unit, how = CASES[case]
    assert how_shared(row, of, pack_unit) == how


def test_a_csv_extract_counts_lines_where_records_start_as_the_import_does():
    # line 1 the header, 2-3 one record with a line break inside quotes, 4 the next record
    text = 'unit,period,note\r\nR1,M01,"two\r\nlines"\r\nR2,M01,สอง\r\n'
    got = extract(io.BytesIO(text.encode("cp874")), "f.csv", {4})
    assert got.decode("utf-8-sig") == "unit,period,note\r\nR2,M01,สอง\r\n"


def test_an_xlsx_extract_takes_sheet_rows_by_their_number():
    book = Workbook()
    for cells in (["unit", "period", "respondents"], ["R1", "Y", 40], ["R2", "Y", 55]):
        book.active.append(cells)
    data = io.BytesIO()
    book.save(data)
    data.seek(0)
    got = extract(data, "survey.xlsx", {2})
    assert got.decode("utf-8-sig") == "unit,period,respondents\r\nR1,Y,40\r\n"
