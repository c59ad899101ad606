"""Downloads of the dashboard's scorecard and of the progress matrix: .xlsx and CSV, Thai
headers, Buddhist Era dates (what a management group pastes into its own reports)."""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from urllib.parse import quote

from flask import Blueprint, Response, abort, request
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from common.fiscal import period_label_th, thai_date
from services.portal.core import fetch, home_unit, kpis_of, signed_in, unit_arg, units, year_arg
from services.portal.dashboard import scorecard
from services.portal.progress import lines

exports = Blueprint("exports", __name__)
FORMATS = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}
STATUS_TH = {
    "met": "บรรลุเป้าหมาย",
    "on_track": "เป็นไปตามแผน",
    "at_risk": "มีความเสี่ยง",
    "not_met": "ไม่บรรลุเป้าหมาย",
    "no_data": "ไม่มีข้อมูล",
}
STATE_TH = {
    "missing": "ยังไม่รายงาน",
    "draft": "ร่าง",
    "submitted": "ส่งแล้ว",
    "endorsed": "หัวหน้ารับรองแล้ว",
    "returned": "ส่งกลับแก้ไข",
    "approved": "อนุมัติแล้ว",
}
SCORECARD_HEADER = (
    "ตัวชี้วัด", "ชื่อตัวชี้วัด", "มิติ", "เป้าหมาย", "ผลการดำเนินงาน", "ร้อยละของเป้าหมาย",
    "สถานะ", "คะแนน (1-5)", "น้ำหนัก", "เกณฑ์ชั่วคราว", "รายงานที่ถึงกำหนด", "อนุมัติแล้ว",
    "รออนุมัติ",
)  # fmt: skip
PROGRESS_HEADER = (
    "หน่วยงาน", "ชื่อหน่วยงาน", "ตัวชี้วัด", "ชื่อตัวชี้วัด", "งวด", "สถานะ", "กำหนดส่ง", "ล่าช้า",
    "รายงานเฉพาะเมื่อมีผล",
)  # fmt: skip
# Column widths in characters: a code stays readable, a KPI's long name wraps the screen no more.
MIN_WIDTH, MAX_WIDTH = 6, 60


@dataclass(frozen=True)
class Table:
    """What a download holds: its sheet's name, title lines, header and rows."""

    sheet: str
    title: Sequence[str]
    header: Sequence[str]
    rows: Iterable[Sequence]


def _be(day: str | date | None) -> str:
    """A date as the department writes it: day, Thai month, Buddhist Era year."""
    if not day:
        return ""
    return thai_date(date.fromisoformat(day) if isinstance(day, str) else day)


def _shown_width(value: object) -> int:
    """Columns a value takes on screen: Thai marks above and below a letter take none."""
    text = "" if value is None else str(value)
    return sum(unicodedata.category(c) != "Mn" for c in text)


def _fit_columns(sheet: Worksheet, header_row: int) -> None:
    """Each column as wide as its header and values (within bounds); titles above spill over."""
    widths: dict[str, int] = {}
    for row in sheet.iter_rows(min_row=header_row):
        for cell in row:
            letter = get_column_letter(cell.column)
            widths[letter] = max(widths.get(letter, 0), _shown_width(cell.value))
    for letter, width in widths.items():
        sheet.column_dimensions[letter].width = min(max(width + 2, MIN_WIDTH), MAX_WIDTH)


def _workbook(table: Table, rows: list) -> bytes:
    """One named sheet: the title lines, then the header (bold, frozen, printed on each page)
    and the rows under it, columns fitted to their content."""
    book = Workbook()
    sheet = book.active
    sheet.title = table.sheet
    for line in table.title:
        sheet.append([line])
    sheet.append(list(table.header))
    header_row = len(table.title) + 1
    for cell in sheet[header_row]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(list(row))
    sheet.freeze_panes = f"A{header_row + 1}"
    sheet.print_title_rows = f"{header_row}:{header_row}"
    _fit_columns(sheet, header_row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _download(fmt: str, name: str, table: Table) -> Response:
    rows = list(table.rows)
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerows([*([line] for line in table.title), table.header, *rows])
        body = ("\ufeff" + out.getvalue()).encode("utf-8")  # the BOM: Excel reads Thai right
    else:
        body = _workbook(table, rows)
    filename = f"{name}.{fmt}"
    disposition = f'attachment; filename="{filename.encode("ascii", "ignore").decode()}"; '
    disposition += f"filename*=UTF-8''{quote(filename)}"
    return Response(body, mimetype=FORMATS[fmt], headers={"Content-Disposition": disposition})


def _format() -> str:
    fmt = (request.view_args or {}).get("fmt", "")
    if fmt not in FORMATS:
        abort(404)
    return fmt


def scorecard_rows(card: dict) -> Iterable[tuple]:
    for k in card["kpis"]:
        yield (
            k["kpi"], k["name_th"], k["perspective"], k["target"], k["actual"], k["achievement"],
            STATUS_TH.get(k["status"], k["status"]), k["score"], k["weight"],
            "ใช่" if k["provisional"] else "ไม่ใช่", k["reports"]["due"],
            k["reports"]["approved"], k["reports"]["pending"],
        )  # fmt: skip


@exports.get("/exports/scorecard.<fmt>")
@signed_in
def scorecard_file(fmt: str):
    fmt, year = _format(), year_arg()
    unit = request.args.get("unit", "").strip()[:32] or home_unit()
    pending = request.args.get("include") == "pending"
    card = scorecard(year, unit, pending)
    title = (
        f"ผลการดำเนินงานเทียบเป้าหมาย {card['name_th']} ({unit}) ปีงบประมาณ พ.ศ. {year}",
        f"ข้อมูล ณ วันที่ {_be(card['as_of'])}",
        "รวมรายงานที่รออนุมัติ" if pending else "เฉพาะรายงานที่อนุมัติแล้ว",
        f"คะแนนรวม {card['score'] if card['score'] is not None else '-'}",
    )
    table = Table("ผลการดำเนินงาน", title, SCORECARD_HEADER, scorecard_rows(card))
    return _download(fmt, f"scorecard_{unit}_{year}", table)


@exports.get("/exports/progress.<fmt>")
@signed_in
def progress_file(fmt: str):
    """The progress page's own cells (its unit and KPI), in the order the page lays them."""
    fmt, year, unit = _format(), year_arg(), unit_arg()
    kpi = request.args.get("kpi", "").strip()[:32]
    data = fetch("workflow", "/progress", year=year, unit=unit, **({"kpi": kpi} if kpi else {}))
    named_units, named_kpis = units(), kpis_of(year)
    rows = (
        (
            r["unit"],
            named_units.get(r["unit"], {}).get("name_th", ""),
            r["kpi"],
            named_kpis.get(r["kpi"], {}).get("name_th", ""),
            period_label_th(r["period"]),
            STATE_TH.get(r["state"], r["state"]),
            _be(r.get("due_on")),
            "ล่าช้า" if r.get("late") else "",
            "ใช่" if r.get("optional") else "",
        )  # fmt: skip
        for line in lines(data.get("rows", []))
        for _width, r in line.cells
        if r
    )
    title = (f"ความก้าวหน้าการรายงานผล {unit} ปีงบประมาณ พ.ศ. {year}",)
    table = Table("ความก้าวหน้า", title, PROGRESS_HEADER, rows)
    return _download(fmt, f"progress_{unit}_{year}", table)
