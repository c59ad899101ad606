"""What of each report's file goes into a pack: the whole file when its taker may read it,
else, for an import source (one file that holds the rows of many units), only the rows of the
pack's reports with the header.

An import source is filed under the department (`PRD`), which only those who see every unit
may read; a report made from it names the file's SHA-256 and the line of its row in its
`value_basis`, as the workflow's import numbers lines (1 = the header; a CSV record by the line
it starts on, a sheet row by its number). Only those who see every unit may ask for a pack
without a unit, so such a pack holds the whole file; a pack of one unit holds extracts, for
whoever takes it.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any, BinaryIO

from services.evidence.models import EvidenceFile

WHOLE, EXTRACT, WITHHELD = "whole", "extract", "withheld"
HEADER_LINE = 1
EXTRACT_NOTE = (
    "An extract: the header and this report's row of the import source named in extract_of, "
    "which holds other units' rows too. extract_of.sha256 is the whole source's SHA-256 "
    "(the one the report's value_basis names); sha256 is this extract's."
)


@dataclass(frozen=True)
class Share:
    """One report's file and how it goes into the pack."""

    row: EvidenceFile
    report: dict[str, Any]
    how: str

    @property
    def source_line(self) -> int:
        return int(self.report["value_basis"]["line"])


def how_shared(row: EvidenceFile, report: dict[str, Any], pack_unit: str | None) -> str:
    """Whole when the pack's taker may read the file (they see every unit, or it is filed
    under the pack's unit or the report's), an extract of a report's import source, or left
    out (listed as withheld)."""
    if pack_unit is None or row.unit in (pack_unit, report["unit"]):
        return WHOLE
    basis = report.get("value_basis") or {}
    if basis.get("sha256") == row.sha256 and isinstance(basis.get("line"), int):
        return EXTRACT
    return WITHHELD


def shares_of(
    pairs: list[tuple[EvidenceFile, dict[str, Any]]], pack_unit: str | None
) -> list[Share]:
    """Each whole file once (under the first report that lists it); an extract per report."""
    shares, whole = [], set()
    for row, report in pairs:
        how = how_shared(row, report, pack_unit)
        if how == WHOLE:
            if row.id in whole:
                continue
            whole.add(row.id)
        shares.append(Share(row, report, how))
    return shares


def _csv_records(source: BinaryIO) -> Iterator[tuple[int, list[Any]]]:
    raw = source.read()  # an import source is at most the import's limit (10 MB)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp874")
    reader = csv.reader(io.StringIO(text, newline=""))
    line = HEADER_LINE
    for record in reader:
        yield line, record
        line = reader.line_num + 1


def _sheet_rows(source: BinaryIO) -> Iterator[tuple[int, list[Any]]]:
    from openpyxl import load_workbook  # loaded on first use: most sources are CSV

    book = load_workbook(source, read_only=True, data_only=False, keep_links=False)
    try:
        rows = book.worksheets[0].iter_rows(values_only=True)
        yield from enumerate((list(cells) for cells in rows), start=HEADER_LINE)
    finally:
        book.close()


def extract(source: BinaryIO, filename: str, lines: set[int]) -> bytes:
    """The header and the rows at `lines` of a CSV or .xlsx source, as UTF-8 CSV (with BOM,
    so that a spreadsheet opens the Thai text as such)."""
    rows = _sheet_rows(source) if filename.lower().endswith(".xlsx") else _csv_records(source)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for line, cells in rows:
        if line == HEADER_LINE or line in lines:
            writer.writerow("" if cell is None else cell for cell in cells)
    return out.getvalue().encode("utf-8-sig")


def extract_path(share: Share) -> str:
    report, row = share.report, share.row
    stem = PurePosixPath(row.filename).stem
    return f"files/{report['unit']}/{row.kpi}/{report['period']}/extract-v{row.version}-{stem}.csv"


def extract_entry(share: Share, path: str, data: bytes) -> dict[str, Any]:
    """The manifest's entry of an extract: its own size and hash, and its source's."""
    report, row = share.report, share.row
    return {
        "path": path,
        "size": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
        "unit": report["unit"],
        "kpi": row.kpi,
        "period": report["period"],
        "year": row.year,
        "report_id": report["id"],
        "filename": PurePosixPath(path).name,
        "content_type": "text/csv",
        "extract_of": {
            "file_id": row.id,
            "filename": row.filename,
            "size": row.size,
            "sha256": row.sha256,
            "unit": row.unit,
            "lines": [share.source_line],
        },
        "note": EXTRACT_NOTE,
    }


def withheld_entry(share: Share) -> dict[str, Any]:
    return {
        "file_id": share.row.id,
        "report_id": share.report["id"],
        "unit": share.row.unit,
        "reason": "filed under a unit the pack's taker may not read, and not an import source",
    }
