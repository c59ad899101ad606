"""Small genuine files of each allowed type; tests bend them into the bad files they need."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

import docx

CT = "http://schemas.openxmlformats.org/package/2006/content-types"
RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
OFFICE_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def docx_file(text: str = "หลักฐานการดำเนินงาน") -> bytes:
    """A Word document as python-docx writes it."""
    document = docx.Document()
    document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


XLSX_TYPES = {
    "main": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    "sheet": "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml",
    "rels": "application/vnd.openxmlformats-package.relationships+xml",
}


def xlsx_file() -> bytes:
    """The smallest workbook Excel opens: one sheet, one cell."""
    head = '<?xml version="1.0" encoding="UTF-8"?>'
    parts = {
        "[Content_Types].xml": f'{head}<Types xmlns="{CT}">'
        f'<Default Extension="rels" ContentType="{XLSX_TYPES["rels"]}"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{XLSX_TYPES["main"]}"/>'
        f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{XLSX_TYPES["sheet"]}"/>'
        "</Types>",
        "_rels/.rels": f'{head}<Relationships xmlns="{RELS}">'
        f'<Relationship Id="rId1" Type="{OFFICE_REL}/officeDocument" Target="xl/workbook.xml"/>'
        "</Relationships>",
        "xl/workbook.xml": f"{head}"
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        f'xmlns:r="{OFFICE_REL}"><sheets><sheet name="ผลงาน" sheetId="1" r:id="rId1"/></sheets>'
        "</workbook>",
        "xl/_rels/workbook.xml.rels": f'{head}<Relationships xmlns="{RELS}">'
        f'<Relationship Id="rId1" Type="{OFFICE_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
        "</Relationships>",
        "xl/worksheets/sheet1.xml": f"{head}"
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<sheetData><row r="1"><c r="A1"><v>42</v></c></row></sheetData></worksheet>',
    }
    return zip_of({name: body.encode() for name, body in parts.items()})


def zip_of(parts: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, body in parts.items():
            archive.writestr(name, body)
    return out.getvalue()


def parts_of(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def rezip(data: bytes, changes: dict[str, bytes]) -> bytes:
    """The same package with parts added or replaced."""
    return zip_of({**parts_of(data), **changes})


def add_content_type(data: bytes, xml_fragment: str) -> bytes:
    """The package with one more <Default>/<Override> in [Content_Types].xml."""
    parts = parts_of(data)
    types = parts["[Content_Types].xml"].decode()
    parts["[Content_Types].xml"] = types.replace("</Types>", xml_fragment + "</Types>").encode()
    return zip_of(parts)


def pdf_file(*objects: bytes) -> bytes:
    """A PDF with a catalog, one empty page and any extra objects (numbered from 4)."""
    body = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
        *objects,
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, obj in enumerate(body, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + obj + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(body) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(body) + 1, xref)
    )
    return out.getvalue()


def flate_stream(dictionary: bytes, data: bytes) -> bytes:
    packed = zlib.compress(data)
    return (
        dictionary[:-2]
        + b" /Filter /FlateDecode /Length %d >>\nstream\n" % len(packed)
        + packed
        + b"\nendstream"
    )


def png_file() -> bytes:
    """A 1x1 white PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\xff\xff")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def jpeg_file() -> bytes:
    """A JPEG as far as any sniffer looks: SOI, a JFIF APP0 segment, EOI."""
    app0 = b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    return b"\xff\xd8\xff\xe0" + struct.pack(">H", len(app0) + 2) + app0 + b"\xff\xd9"


def ole_with_vba_project() -> bytes:
    """A compound file (an old Word .doc's container) holding the storages of a VBA project.

    MS-OVBA 2.2.1: a project root with a PROJECT stream and a VBA storage that holds
    _VBA_PROJECT and dir. The streams are empty; the structure is what a scanner looks for.
    """
    free, end, fat_sector = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD

    def entry(name: str, kind: int, left=free, right=free, child=free) -> bytes:
        encoded = name.encode("utf-16-le") + b"\x00\x00"
        return (
            encoded.ljust(64, b"\x00")
            + struct.pack("<HBB", len(encoded), kind, 1)
            + struct.pack("<III", left, right, child)
            + b"\x00" * 16  # class id
            + b"\x00" * 4  # state bits
            + b"\x00" * 16  # created, modified
            + struct.pack("<IQ", end, 0)  # first sector, size
        )

    root, storage, stream = 5, 1, 2
    directory = b"".join(
        [
            entry("Root Entry", root, child=1),
            entry("Macros", storage, child=2),
            entry("PROJECT", stream, right=3),
            entry("VBA", storage, child=4),
            entry("_VBA_PROJECT", stream, right=5),
            entry("dir", stream),
        ]
    ).ljust(1024, b"\x00")
    fat = struct.pack("<4I", fat_sector, 2, end, end).ljust(512, b"\xff")
    header = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + b"\x00" * 16
        + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
        + b"\x00" * 6
        + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, end, 0, end, 0)
        + struct.pack("<I", 0)
        + b"\xff" * (109 * 4 - 4)
    )
    return header + fat + directory


def fill_form(form: bytes, marks: dict[int, str], processes=(), mark: str = "✓") -> bytes:
    """What a reporter does in Word: tick levels, name their evidence, list processes."""
    from services.evidence.forms import layout, readback

    document = docx.Document(io.BytesIO(form))
    levels = readback.find_table(document, layout.MILESTONE_HEADER)
    for row in levels.rows[1:]:
        level = int(row.cells[0].text)
        if level in marks:
            row.cells[2].text = mark
            row.cells[3].text = marks[level]
    table = readback.find_table(document, layout.PROCESS_HEADER)
    for number, values in enumerate(processes, start=1):
        row = table.rows[number] if number < len(table.rows) else table.add_row()
        for cell, value in zip(row.cells[1:], values, strict=True):
            cell.text = str(value)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def docx_text(data: bytes) -> str:
    """All the text of a .docx: body paragraphs, tables, headers and footers."""
    document = docx.Document(io.BytesIO(data))
    texts = [p.text for p in document.paragraphs]
    texts += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    for section in document.sections:
        texts += [p.text for p in section.header.paragraphs + section.footer.paragraphs]
    return "\n".join(texts)
