"""Spreadsheet cells a program would run: text that opens with `=`, `+`, `-`, `@`, tab or CR
is read as a formula by Excel and LibreOffice (CSV injection, `=cmd|' /C calc'!A0`). A cell
that reads as a number is a number, so `-1.5` (an overspent budget) passes, and so does a lone
`-` (nil)."""

from __future__ import annotations

import math
from typing import Any

from common.errors import Invalid
from common.intake.base import refuse

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")


def number_of(cell: Any) -> float | None:
    """A finite number from a cell (Thai digits and thousands commas allowed), else None."""
    if isinstance(cell, bool):
        return None
    if isinstance(cell, int | float):
        return float(cell) if math.isfinite(cell) else None
    text = str(cell or "").translate(THAI_DIGITS).replace(",", "").replace(" ", "")
    try:
        number = float(text)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


# A lone dash is how Thai spreadsheets write "none": nothing follows it to run.
NIL = "-"


def is_formula(cell: Any) -> bool:
    """Whether a spreadsheet would run the cell: text opening as a formula, not a number."""
    return (
        isinstance(cell, str)
        and cell.startswith(FORMULA_START)
        and cell.strip() != NIL
        and number_of(cell) is None
    )


def column_letters(index: int) -> str:
    """A spreadsheet's name of the column at `index` (0 is A, 26 is AA)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def formula_detail(line: int, column: str, header: str = "") -> str:
    """Names the cell: its line and column (letters, and header name when there is one)."""
    named = f" ({header})" if header else ""
    return (
        f"Line {line}, column {column}{named} begins with a formula character "
        "(=, +, -, @, tab or return); a spreadsheet would run it. Write it as plain text."
    )


def formula_refused(line: int, column: str, header: str = "", where: str = "") -> Invalid:
    """A 422 (reason `formula`) naming the cell, and the sheet when `where` is given."""
    detail = formula_detail(line, column, header)
    return refuse("formula", f"{where}: {detail}" if where else detail)


def check_rows(rows, where: str = "") -> None:
    """Refuse the first formula cell of `rows` ((line, cells) pairs; line 1 the header)."""
    header: list[Any] = []
    for line, cells in rows:
        if line == 1:
            header = list(cells)
        for index, cell in enumerate(cells):
            if is_formula(cell):
                name = str(header[index]) if index < len(header) and line > 1 else ""
                raise formula_refused(line, column_letters(index), name, where)
