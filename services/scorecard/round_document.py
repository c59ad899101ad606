"""The round report as a document: a docxtpl template made here in code (A4 landscape, Thai
font), rendered with the report's context, and turned into PDF by LibreOffice headless."""

from __future__ import annotations

import io
import subprocess
import tempfile
from functools import cache
from pathlib import Path

import docx
from docx.enum.section import WD_ORIENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from docxtpl import DocxTemplate

FONT = "TH Sarabun New"
TITLE = "รายงานผลการประเมินตนเอง"
# Each KPI takes two rows: its code and name across the table (a name that wrapped in a narrow
# cell would be read back interleaved with its neighbours' text), then its figures.
NAME_ROW = "ตัวชี้วัดที่ {{ k.code }} {{ k.name }}"
COLUMNS = (
    ("เป้าหมาย", "{{ k.target }}", 2.2),
    ("ผล", "{{ k.actual }}", 2.2),
    ("คะแนน", "{{ k.score }} {{ k.provisional }}", 2.4),
    ("น้ำหนัก", "{{ k.weight }}", 1.8),
    ("คะแนนถ่วงน้ำหนัก", "{{ k.weighted }}", 2.4),
    ("วิธีคำนวณ", "{{ k.basis }}", 7.2),
    (
        "ไฟล์หลักฐาน (SHA-256)",
        "{% for f in k.files %}{{ f }}{% if not loop.last %}; {% endif %}{% endfor %}",
        8.5,
    ),
)
HEADER_LINES = (
    "{{ unit_name }} ({{ unit }})",
    "ปีงบประมาณ พ.ศ. {{ year }} {{ round }} ณ วันที่ {{ as_of }}",
    "คะแนนรวมถ่วงน้ำหนัก {{ score }} จาก 5 "
    "(ตัวชี้วัดที่ยังไม่มีผลที่อนุมัติ {{ missing }} ตัว นับเป็นคะแนน {{ missing_as }})",
)
# LibreOffice starts slowly on a shared machine; a hung conversion must not hold the worker.
CONVERT_SECONDS = 240


def _font(run, points: int, bold: bool = False) -> None:
    run.font.size, run.font.bold, run.font.name = Pt(points), bold, FONT
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), FONT)
    rpr = run._element.get_or_add_rPr()
    for tag in ("w:szCs",) + (("w:bCs",) if bold else ()):
        element = OxmlElement(tag)
        if tag == "w:szCs":
            element.set(qn("w:val"), str(points * 2))
        rpr.append(element)


def _line(container, text: str, points: int = 14, bold: bool = False) -> None:
    _font(container.add_paragraph().add_run(text), points, bold)


def _landscape(document) -> None:
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(1.5))


def _kpi_table(document) -> None:
    table = document.add_table(rows=1, cols=len(COLUMNS))
    table.style = "Table Grid"
    table.autofit = False
    for cell, (header, _, _) in zip(table.rows[0].cells, COLUMNS, strict=True):
        _font(cell.paragraphs[0].add_run(header), 12, bold=True)
    # docxtpl's row loop: a row opening it, the repeated row, a row closing it.
    table.add_row().cells[0].paragraphs[0].add_run("{%tr for k in kpis %}")
    name = table.add_row().cells
    _font(name[0].merge(name[-1]).paragraphs[0].add_run(NAME_ROW), 13, bold=True)
    for cell, (_, field, _) in zip(table.add_row().cells, COLUMNS, strict=True):
        _font(cell.paragraphs[0].add_run(field), 12)
    table.add_row().cells[0].paragraphs[0].add_run("{%tr endfor %}")
    # Word reads a column's width from its grid, LibreOffice from its cells: both are set.
    for column, (_, _, width) in zip(table.columns, COLUMNS, strict=True):
        column.width = Cm(width)
        for cell in column.cells:
            cell.width = Cm(width)


@cache
def template() -> bytes:
    """The template's bytes (made once a process)."""
    document = docx.Document()
    _landscape(document)
    _line(document, TITLE, 20, bold=True)
    for text in HEADER_LINES:
        _line(document, text)
    _kpi_table(document)
    _line(document, "{{ files_note }}", 12)
    _line(document, "วิธีคำนวณ: ผลรวมตามกฎการรวมของแต่ละตัวชี้วัด; "
          "คะแนนถ่วงน้ำหนัก = คะแนน x น้ำหนัก / น้ำหนักรวม", 12)  # fmt: skip
    _line(document, "จัดทำจากระบบ rbm เมื่อ {{ made_on }}", 12)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def render_docx(context: dict) -> bytes:
    document = DocxTemplate(io.BytesIO(template()))
    document.render(context, autoescape=True)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def to_pdf(docx_bytes: bytes) -> bytes:
    """The document as PDF, by LibreOffice headless in a profile of its own (two conversions
    at once would otherwise fight over one profile's lock)."""
    with tempfile.TemporaryDirectory(prefix="rbm-round-") as tmp:
        source = Path(tmp) / "report.docx"
        source.write_bytes(docx_bytes)
        try:
            subprocess.run(
                ["soffice", "--headless", f"-env:UserInstallation=file://{tmp}/profile",
                 "--convert-to", "pdf", "--outdir", tmp, str(source)],
                check=True, capture_output=True, timeout=CONVERT_SECONDS,
            )  # fmt: skip
        except FileNotFoundError as exc:
            raise RuntimeError("LibreOffice (soffice) is not installed where this runs.") from exc
        return (Path(tmp) / "report.pdf").read_bytes()
