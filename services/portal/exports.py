"""Downloads of the dashboard's scorecard and of the progress matrix: .xlsx and CSV, Thai
headers, Buddhist Era dates (what a management group pastes into its own reports)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date
from urllib.parse import quote

from flask import Blueprint, Response, abort, request
from openpyxl import Workbook
from openpyxl.styles import Font

from common.fiscal import period_label_th, thai_date
from services.portal.core import fetch, home_unit, signed_in, year_arg
from services.portal.dashboard import scorecard

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
PROGRESS_HEADER = ("หน่วยงาน", "ตัวชี้วัด", "งวด", "สถานะ", "กำหนดส่ง", "ล่าช้า", "รายงานเฉพาะเมื่อมีผล")


def _be(day: str | date | None) -> str:
    """A date as the department writes it: day, Thai month, Buddhist Era year."""
    if not day:
        return ""
    return thai_date(date.fromisoformat(day) if isinstance(day, str) else day)


def _download(fmt: str, name: str, title: Sequence[str], header: Sequence[str], rows) -> Response:
    rows = list(rows)
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerows([*([line] for line in title), header, *rows])
        body = ("\ufeff" + out.getvalue()).encode("utf-8")  # the BOM: Excel reads Thai right
    else:
        book = Workbook()
        sheet = book.active
        sheet.title = "rbm"
        for line in title:
            sheet.append([line])
        sheet.append(list(header))
        for cell in sheet[len(title) + 1]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append(list(row))
        buffer = io.BytesIO()
        book.save(buffer)
        body = buffer.getvalue()
    filename = f"{name}.{fmt}"
    disposition = f'attachment; filename="{filename.encode("ascii", "ignore").decode()}"; '
    disposition += f"filename*=UTF-8''{quote(filename)}"
    return Response(body, mimetype=FORMATS[fmt], headers={"Content-Disposition": disposition})


def _format() -> str:
    fmt = request.view_args.get("fmt", "")
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
    return _download(fmt, f"scorecard_{unit}_{year}", title, SCORECARD_HEADER, scorecard_rows(card))


@exports.get("/exports/progress.<fmt>")
@signed_in
def progress_file(fmt: str):
    fmt, year = _format(), year_arg()
    params = {k: request.args[k][:32] for k in ("unit", "kpi") if request.args.get(k)}
    data = fetch("workflow", "/progress", year=year, **params)
    rows = (
        (
            r["unit"],
            r["kpi"],
            period_label_th(r["period"]),
            STATE_TH.get(r["state"], r["state"]),
            _be(r.get("due_on")),
            "ล่าช้า" if r.get("late") else "",
            "ใช่" if r.get("optional") else "",
        )  # fmt: skip
        for r in data.get("rows", [])
    )
    title = (f"ความก้าวหน้าการรายงานผล ปีงบประมาณ พ.ศ. {year}",)
    return _download(fmt, f"progress_{year}", title, PROGRESS_HEADER, rows)
