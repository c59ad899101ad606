"""Reading an import file as rows: CSV (UTF-8, UTF-8 with BOM, or cp874) or `.xlsx`.

The file goes through the common intake first (`common.intake`, as evidence uploads do):
its type by content, a workbook's package (macros, external links, zip-bomb proportions, DDE)
and every cell a spreadsheet would run. The dry run reads the file here as the import does, so
what one refuses the other refuses.

Rows are streamed: a CSV is decoded as it is read and a workbook read with openpyxl's read-only
reader, so memory stays bounded whatever the file holds; every bound (size, rows, columns, cell
length) is checked as the rows go by.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from common import intake
from common.errors import Invalid, PayloadTooLarge, UnsupportedMediaType
from common.intake.cells import column_letters, formula_detail, is_formula
from common.intake.text import Borrowed, records

MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 10_000
MAX_COLUMNS = 50
MAX_CELL = 200
CHUNK = 64 * 1024
# Names a caller may give an encoding by, and the codec read with (utf-8-sig takes a BOM or not).
ENCODINGS = {
    "utf-8": "utf-8-sig",
    "utf8": "utf-8-sig",
    "utf-8-sig": "utf-8-sig",
    "cp874": "cp874",
    "windows-874": "cp874",
    "tis-620": "cp874",
}


def file_problem(detail: str, reason: str) -> Invalid:
    return Invalid(detail, {"file": [detail]}, reason=reason)


@dataclass
class Row:
    """One data row: its line in the file (1 = the header) and its cells by column name."""

    line: int
    cells: dict[str, Any]
    problems: list[str] = field(default_factory=list)


@dataclass
class Table:
    """The header read, and the rows still to come."""

    kind: str
    encoding: str | None
    columns: list[str]
    rows: Iterator[Row]


def kind_of(filename: str) -> str:
    """csv or xlsx from the file's name; 415 for anything else."""
    ext = filename.rpartition(".")[2].lower() if "." in filename else ""
    if ext == "csv":
        return "csv"
    if ext == "xlsx":
        return "xlsx"
    if ext in ("xlsm", "xltm", "xlam", "xls", "xlsb"):
        raise UnsupportedMediaType(
            f"A .{ext} workbook is not accepted: save it as .xlsx (without macros) or as CSV.",
            {"file": [f".{ext} is not accepted."]},
            reason="type-not-allowed",
        )
    raise UnsupportedMediaType(
        f"Send a CSV or .xlsx file, not '.{ext or 'no extension'}'.",
        {"file": ["CSV or .xlsx."]},
        reason="type-not-allowed",
    )


def size_of(spool: BinaryIO) -> int:
    spool.seek(0, io.SEEK_END)
    size = spool.tell()
    spool.seek(0)
    return size


def open_table(spool: BinaryIO, filename: str, encoding: str | None = None) -> Table:
    """The file's header and a stream of its rows; 413/415/422 naming what is wrong."""
    kind = kind_of(filename)
    size = size_of(spool)
    if size > MAX_BYTES:
        raise PayloadTooLarge(
            f"The file is larger than the limit of {MAX_BYTES:,} bytes.",
            {"file": [f"At most {MAX_BYTES:,} bytes."]},
            limit=MAX_BYTES,
        )
    if size == 0:
        raise file_problem("The file is empty.", "empty")
    intake.inspect(spool, kind, intake.SHEET_LIMITS)
    if kind == "xlsx":
        return _workbook_table(spool)
    return _csv_table(spool, encoding)


def _header(cells: list[Any]) -> list[str]:
    while cells and (cells[-1] is None or str(cells[-1]).strip() == ""):
        cells = cells[:-1]
    if len(cells) > MAX_COLUMNS:
        raise file_problem(
            f"The header has {len(cells):,} columns; at most {MAX_COLUMNS}.", "too-many-columns"
        )
    names = [" ".join(str(c or "").split()).lower() for c in cells]
    if not names:
        raise file_problem("The first row must name the columns.", "no-header")
    seen = set()
    for name in names:
        if name and name in seen:
            raise file_problem(f"The column '{name}' is named twice.", "duplicate-column")
        seen.add(name)
    return names


def _row(line: int, columns: list[str], cells: list[Any]) -> Row | None:
    """A data row by column name, None for a blank row; its shape problems listed."""
    while cells and (cells[-1] is None or str(cells[-1]).strip() == ""):
        cells = cells[:-1]
    if not cells:
        return None
    row = Row(line, {})
    if len(cells) > len(columns):
        row.problems.append(f"{len(cells):,} cells; the header names {len(columns)} columns.")
        return row
    for index, (name, cell) in enumerate(zip(columns, cells, strict=False)):
        if is_formula(cell):  # a workbook's formula cell, read as its text
            row.problems.append(formula_detail(line, column_letters(index), name))
            continue
        if isinstance(cell, str):
            cell = cell.strip()
            if len(cell) > MAX_CELL:
                row.problems.append(f"Column '{name}' holds more than {MAX_CELL} characters.")
                continue
        if name:
            row.cells[name] = cell
    return row


def _counted(rows: Iterator[tuple[int, list[Any]]], columns: list[str]) -> Iterator[Row]:
    data = 0
    for line, cells in rows:
        row = _row(line, columns, cells)
        if row is None:
            continue
        data += 1
        if data > MAX_ROWS:
            raise file_problem(f"The file has more than {MAX_ROWS:,} rows.", "too-many-rows")
        yield row


# --- CSV ----------------------------------------------------------------------------------


def detect_encoding(spool: BinaryIO) -> str:
    """UTF-8 (with or without BOM) when every byte decodes as UTF-8, else Windows Thai cp874."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    spool.seek(0)
    try:
        while chunk := spool.read(CHUNK):
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return "cp874"
    finally:
        spool.seek(0)
    return "utf-8-sig"


def _csv_table(spool: BinaryIO, encoding: str | None) -> Table:
    codec = ENCODINGS[encoding] if encoding else detect_encoding(spool)
    spool.seek(0)
    head = spool.read(CHUNK)
    spool.seek(0)
    if b"\x00" in head:
        raise file_problem("The file is not text: it holds NUL bytes.", "not-text")
    text = io.TextIOWrapper(Borrowed(spool), encoding=codec, newline="")
    lines = _csv_lines(csv.reader(text, strict=True), codec)
    first = next(lines, None)
    if first is None:
        raise file_problem("The file has no rows.", "empty")
    columns = _header(first[1])
    return Table("csv", "cp874" if codec == "cp874" else "utf-8", columns, _counted(lines, columns))


def _csv_lines(reader, codec: str) -> Iterator[tuple[int, list[Any]]]:
    """Each record with the line it starts on; 422 naming the line of a malformed record."""
    try:
        yield from records(reader)
    except UnicodeDecodeError as exc:
        name = "UTF-8" if codec.startswith("utf") else codec
        raise file_problem(
            f"Line {reader.line_num + 1} is not valid {name} text; save the file as UTF-8 or "
            "Windows Thai (cp874), or name its encoding.",
            "encoding",
        ) from exc
    except csv.Error as exc:
        raise file_problem(
            f"Line {reader.line_num}: the CSV is malformed ({exc}).", "malformed-csv"
        ) from exc


# --- xlsx ---------------------------------------------------------------------------------


def _workbook_table(spool: BinaryIO) -> Table:
    from openpyxl import load_workbook  # loaded on first use: most imports are CSV

    try:
        book = load_workbook(spool, read_only=True, data_only=False, keep_links=False)
        sheet = book.worksheets[0]
        rows = sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS + 1)
        first = next(rows, None)
    except Exception as exc:  # openpyxl raises many kinds on a damaged package
        raise file_problem("The file is not a readable .xlsx workbook.", "damaged") from exc
    if first is None:
        raise file_problem("The first sheet has no rows.", "empty")
    columns = _header(list(first))
    numbered = ((line, list(cells)) for line, cells in enumerate(rows, start=2))
    return Table("xlsx", None, columns, _closing(book, _counted(numbered, columns)))


def _closing(book, rows: Iterator[Row]) -> Iterator[Row]:
    try:
        yield from rows
    finally:
        book.close()
