"""Build the docxtpl templates of the KPI forms: `python -m services.evidence.forms.build_templates`

The .docx files it writes are committed next to it (forms/templates/), so that a reviewer sees
the form that ships, an admin can download it, edit it in Word and upload it as a new version,
and the service needs no build step to start. A test checks the committed files are what this
script makes.

Thai government forms: A4, TH Sarabun New 16 pt (complex-script size and font set too, which
is what Thai text uses), margins of 2.5 cm top, 3 cm left, 2 cm right and bottom.
"""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

import docx
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm, Mm, Pt

from services.evidence.forms import layout

TEMPLATES = Path(__file__).parent / "templates"
TITLES = {
    "4.1": "แบบรายงานผลการลดรอบระยะเวลาของขั้นตอนการปฏิบัติราชการ",
    "7.1": "แบบรายงานผลการดำเนินการตามแผนปรับปรุงแก้ไขบริการ",
    "9.3": "แบบรายงานผลการพัฒนาระบบการบริหารความรู้ในองค์กร",
}
FIXED_TIME = datetime(2026, 11, 25)


def _thai_font(rpr) -> None:
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), layout.FONT)


def _size(rpr, points: int, bold: bool = False) -> None:
    for tag in ("w:b", "w:bCs", "w:sz", "w:szCs", "w:lang"):
        for old in rpr.findall(qn(tag)):
            rpr.remove(old)
    if bold:
        rpr.append(OxmlElement("w:b"))
        rpr.append(OxmlElement("w:bCs"))
    for tag in ("w:sz", "w:szCs"):
        size = OxmlElement(tag)
        size.set(qn("w:val"), str(points * 2))
        rpr.append(size)
    lang = OxmlElement("w:lang")
    lang.set(qn("w:bidi"), "th-TH")
    rpr.append(lang)


def _styles(document) -> None:
    for name in ("Normal", "Header", "Footer", "Table Grid"):
        style = document.styles[name]
        rpr = style.element.get_or_add_rPr()
        _thai_font(rpr)
        _size(rpr, 14 if name in ("Header", "Footer") else 16)
    normal = document.styles["Normal"].paragraph_format
    normal.space_after = Pt(0)
    normal.line_spacing = 1.0


def _text(paragraph, text: str, points: int = 16, bold: bool = False):
    run = paragraph.add_run(text)
    rpr = run._r.get_or_add_rPr()
    _thai_font(rpr)
    _size(rpr, points, bold)
    return run


def _paragraph(container, text: str = "", points: int = 16, bold=False, align=None):
    paragraph = container.add_paragraph()
    if text:
        _text(paragraph, text, points, bold)
    if align is not None:
        paragraph.alignment = align
    return paragraph


def _cell(cell, text: str, bold: bool = False, align=None) -> None:
    paragraph = cell.paragraphs[0]
    if text:
        _text(paragraph, text, 16, bold)
    if align is not None:
        paragraph.alignment = align


def _table(document, widths_cm: list[float], header: tuple[str, ...] | None):
    table = document.add_table(rows=0, cols=len(widths_cm))
    table.style = document.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    if header:
        row = table.add_row()
        _repeat_header(row)
        for cell, text in zip(row.cells, header, strict=True):
            _cell(cell, text, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    return table


def _repeat_header(row) -> None:
    trpr = row._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")
    trpr.append(repeat)


def _widths(table, widths_cm: list[float]) -> None:
    # LibreOffice lays a table out by its grid; Word by the cells: set both.
    for column, width in zip(table.columns, widths_cm, strict=True):
        column.width = Cm(width)
    for row in table.rows:
        for cell, width in zip(row.cells, widths_cm, strict=True):
            cell.width = Cm(width)


def _loop_rows(table, start: str, cells: list[tuple[str, object]], end: str):
    """docxtpl's row loop: a row opening the loop, the repeated row, a row closing it."""
    table.add_row().cells[0].paragraphs[0].add_run(start)
    row = table.add_row()
    for cell, (text, align) in zip(row.cells, cells, strict=True):
        _cell(cell, text, align=align)
    table.add_row().cells[0].paragraphs[0].add_run(end)
    return row


def _choice(cell) -> None:
    """A drop-down (Word content control) offering only the form's answers to "reached?"."""
    items = "".join(
        f'<w:listItem w:displayText="{text}" w:value="{text}"/>'
        for text in (layout.CHOOSE, *layout.REACHED_CHOICES)
    )
    sdt = parse_xml(
        f'<w:sdt {nsdecls("w")}><w:sdtPr><w:alias w:val="{layout.MILESTONE_HEADER[2]}"/>'
        f"<w:dropDownList>{items}</w:dropDownList></w:sdtPr>"
        f"<w:sdtContent><w:r><w:t>{layout.CHOOSE}</w:t></w:r></w:sdtContent></w:sdt>"
    )
    cell.paragraphs[0]._p.append(sdt)


def _header_and_footer(section) -> None:
    header = section.header
    first = header.paragraphs[0]
    _text(first, "{{ department }}", 14, bold=True)
    first.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _paragraph(
        header,
        "ตัวชี้วัดที่ {{ kpi.code }} {{ kpi.name_th }}",
        14,
        align=WD_ALIGN_PARAGRAPH.CENTER,
    )
    _paragraph(
        header,
        "{{ unit.name_th }} ({{ unit.code }}) · ปีงบประมาณ พ.ศ. {{ year }} · {{ period.label }}",
        14,
        align=WD_ALIGN_PARAGRAPH.CENTER,
    )
    footer = section.footer.paragraphs[0]
    _text(
        footer,
        "แบบฟอร์ม {{ form.id }} ฉบับที่ {{ form.version }} · จัดทำจากระบบ rbm เมื่อ {{ generated_on }}",
        12,
    )
    footer.alignment = WD_ALIGN_PARAGRAPH.RIGHT


def _page(document) -> None:
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Cm(2.5), Cm(2)
    section.left_margin, section.right_margin = Cm(3), Cm(2)
    section.header_distance, section.footer_distance = Cm(1), Cm(1)
    _header_and_footer(section)


def _general(document) -> None:
    _paragraph(document, "ส่วนที่ 1 ข้อมูลทั่วไป", bold=True)
    rows = [
        ("หน่วยงาน", "{{ unit.name_th }} (รหัส {{ unit.code }})"),
        ("ปีงบประมาณ", "พ.ศ. {{ year }}"),
        ("รอบการรายงาน", "{{ period.label }} ({{ period.starts }} – {{ period.ends }})"),
        ("ตัวชี้วัด", "{{ kpi.code }} {{ kpi.name_th }}"),
        ("ค่าเป้าหมาย", "{{ target }}"),
        ("ผู้รับผิดชอบตัวชี้วัด", "{{ responsible }}"),
        ("ผู้จัดเก็บข้อมูล", "{{ data_collector }}"),
        ("กำหนดส่งรายงาน", "{{ due_on }}"),
    ]
    table = _table(document, [4.5, 11.5], None)
    for label, value in rows:
        row = table.add_row()
        _cell(row.cells[0], label, bold=True)
        _cell(row.cells[1], value)
    _widths(table, [4.5, 11.5])


def _milestone_table(document) -> None:
    _paragraph(document)
    _paragraph(document, "ส่วนที่ 2 ผลการดำเนินงานตามเกณฑ์การให้คะแนน 5 ระดับ", bold=True)
    _paragraph(
        document,
        "เลือก “บรรลุ” ในช่อง “ผลการดำเนินงาน” ของทุกระดับที่ดำเนินการแล้ว "
        "(หรือ “ไม่บรรลุ”; ข้อความอื่นไม่นับว่าบรรลุ) "
        "และระบุหลักฐานหรือเอกสารอ้างอิงของแต่ละระดับ "
        "(ระดับที่บรรลุคือระดับสูงสุดที่ดำเนินการครบตั้งแต่ระดับ 1)",
        14,
    )
    _paragraph(document, "{{ criteria.note }}", 14, bold=True)
    widths = [1.5, 7.5, 2.5, 4.5]
    header = (
        layout.MILESTONE_HEADER[0],
        layout.MILESTONE_HEADER[1],
        f"{layout.MILESTONE_HEADER[2]} (บรรลุ/ไม่บรรลุ)",
        f"{layout.MILESTONE_HEADER[3]}/เอกสารอ้างอิง",
    )
    table = _table(document, widths, header)
    center = WD_ALIGN_PARAGRAPH.CENTER
    row = _loop_rows(
        table,
        "{%tr for m in milestones %}",
        [("{{ m.level }}", center), ("{{ m.criterion }}", None), ("", center), ("", None)],
        "{%tr endfor %}",
    )
    _choice(row.cells[2])
    _widths(table, widths)


def _process_table(document) -> None:
    _paragraph(document)
    _paragraph(document, "ส่วนที่ 3 กระบวนงานที่ลดรอบระยะเวลา", bold=True)
    _paragraph(
        document,
        "กรอกกระบวนงานละหนึ่งแถว (เพิ่มแถวได้) ระบบคำนวณร้อยละที่ลดลงของแต่ละกระบวนงาน "
        "= (ระยะเวลาเดิม − ระยะเวลาใหม่) ÷ ระยะเวลาเดิม × 100 และร้อยละเฉลี่ยถ่วงน้ำหนัก "
        "= ผลรวมของ (น้ำหนัก × ร้อยละที่ลดลง) ÷ ผลรวมของน้ำหนัก",
        14,
    )
    widths = [1.5, 6.5, 2.5, 2.75, 2.75]
    header = (
        layout.PROCESS_HEADER[0],
        layout.PROCESS_HEADER[1],
        f"{layout.PROCESS_HEADER[2]} (ร้อยละ)",
        f"{layout.PROCESS_HEADER[3]} (วัน)",
        f"{layout.PROCESS_HEADER[4]} (วัน)",
    )
    table = _table(document, widths, header)
    center = WD_ALIGN_PARAGRAPH.CENTER
    _loop_rows(
        table,
        "{%tr for n in process_rows %}",
        [("{{ n }}", center), ("", None), ("", center), ("", center), ("", center)],
        "{%tr endfor %}",
    )
    _widths(table, widths)


def _signatures(document) -> None:
    _paragraph(document)
    for role in ("ผู้รายงาน", "ผู้รับรอง (หัวหน้าหน่วยงาน)"):
        _paragraph(document)
        for line in (
            f"ลงชื่อ ............................................................ {role}",
            "(............................................................)",
            "ตำแหน่ง ............................................................",
            "วันที่ ........ เดือน .................... พ.ศ. ............",
        ):
            _paragraph(document, line, align=WD_ALIGN_PARAGRAPH.CENTER)


def build(kpi: str) -> docx.Document:
    """The template of one KPI's form."""
    document = docx.Document()
    _styles(document)
    _page(document)
    body = document.paragraphs[0] if document.paragraphs else _paragraph(document)
    _text(body, f"{TITLES[kpi]}", 18, bold=True)
    body.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _paragraph(
        document,
        "ตัวชี้วัดที่ {{ kpi.code }} {{ kpi.name_th }}",
        bold=True,
        align=WD_ALIGN_PARAGRAPH.CENTER,
    )
    _paragraph(document)
    _general(document)
    _milestone_table(document)
    if layout.needs_process_table(kpi):
        _process_table(document)
    _signatures(document)
    props = document.core_properties
    props.title = f"{TITLES[kpi]} (ตัวชี้วัดที่ {kpi})"
    props.author = props.last_modified_by = layout.DEPARTMENT
    props.created = props.modified = FIXED_TIME
    props.revision = 1
    props.language = "th-TH"
    return document


def main(out: Path = TEMPLATES) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for kpi in layout.FORM_KPIS:
        build(kpi).save(out / f"{kpi}.docx")
        print(f"wrote {out / f'{kpi}.docx'}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else TEMPLATES)
