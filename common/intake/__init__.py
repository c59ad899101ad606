"""One intake for every uploaded file: evidence, the workflow's imports and the portal's
admin sheets all read a file through `inspect` before they trust a byte of it.

The type comes from the content (`filetype`), never from the name alone; a zip container is
told apart as docx or xlsx by its own `[Content_Types].xml`, which is what Office trusts.
Then each kind is held to its checks:

- docx, xlsx (`ooxml`): zip and package limits, part names, macros, ActiveX, OLE packages,
  DTDs, outside references, Word field codes one field at a time (DDE, INCLUDETEXT ...);
  an xlsx's text cells (`sheets`);
- pdf (`pdf`, `pdf_objects`): actions that run, open or send (JavaScript, launch, URI on
  opening, remote go-to ...), data appended after the end, bounded decoding;
- png, jpeg (`images`): data appended after the image's end;
- csv (`text`): UTF-8 or cp874 text, no cell a spreadsheet would run (`cells`).

Each refusal is a 422 naming the `file` field with a short machine-readable `reason`.
"""

from __future__ import annotations

from typing import BinaryIO

import filetype

from common.intake import images, ooxml, pdf, pdf_objects, sheets, text
from common.intake.base import SHEET_LIMITS, Limits, refuse
from common.intake.digest import sha256_of

__all__ = ["SHEET_LIMITS", "Limits", "inspect", "refuse", "sha256_of"]

# What `filetype` calls the kinds it recognises, in our names.
SNIFFED = {"pdf": "pdf", "jpg": "jpeg", "png": "png"}
ZIP_FAMILY = {"zip", "docx", "xlsx", "pptx", "odt", "ods", "epub"}
OFFICE = ("docx", "xlsx")


def inspect(spool: BinaryIO, claimed: str, limits: Limits | None = None) -> str:
    """Check a file that claims to be `claimed` (docx, xlsx, pdf, jpeg, png or csv); return
    the kind, or raise 422 naming what is wrong."""
    limits = limits or Limits()
    if claimed == "csv":
        text.inspect(spool)
        return claimed
    actual = _sniff(spool, claimed, limits)
    if actual != claimed:
        raise refuse(
            "type-mismatch", f"The file is named as {claimed} but its content is {actual}."
        )
    if actual == "xlsx":
        sheets.inspect(spool)
    elif actual == "pdf":
        pdf.inspect(spool, limits)  # bounded and streaming: bombs are refused before parsing
        pdf_objects.inspect(spool, limits)
    elif actual == "png":
        images.check_png(spool)
    elif actual == "jpeg":
        images.check_jpeg(spool)
    spool.seek(0)
    return actual


def _sniff(spool: BinaryIO, claimed: str, limits: Limits) -> str:
    """The kind the content is; an Office package is fully checked on the way."""
    spool.seek(0)
    sniffed = filetype.guess(spool.read(8192))
    spool.seek(0)
    found = sniffed.extension if sniffed else None
    if found in ZIP_FAMILY and claimed in OFFICE:
        return ooxml.inspect(spool, limits)
    if found in SNIFFED:
        return SNIFFED[found]
    raise refuse(
        "type-mismatch",
        f"The file is named as {claimed} but its content is "
        f"{'not a type this system knows' if found is None else found}.",
    )
