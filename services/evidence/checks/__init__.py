"""Is an uploaded file what its name says, and safe to hand to an auditor's office software?

`inspect` runs on the spooled copy before anything is promoted in the object store. The real
type comes from the content (`filetype`); a zip container is then told apart as docx or xlsx by
its own `[Content_Types].xml`, which is what Office itself trusts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import BinaryIO

import filetype

from common.errors import UnsupportedMediaType
from services.evidence import rules
from services.evidence.checks import ooxml, pdf, pdf_objects, text
from services.evidence.checks.base import Limits, refuse

__all__ = ["Limits", "Verdict", "inspect", "refuse"]

# What `filetype` calls the kinds it recognises, in our names.
SNIFFED = {"pdf": "pdf", "jpg": "jpeg", "png": "png"}
ZIP_FAMILY = {"zip", "docx", "xlsx", "pptx", "odt", "ods", "epub"}


@dataclass(frozen=True)
class Verdict:
    """The checked kind of a file and the content type it is served with."""

    kind: str

    @property
    def content_type(self) -> str:
        return rules.CONTENT_TYPES[self.kind]


def check_extension(filename: str) -> str:
    """The kind a file name claims; 415 for a name outside the allow-list."""
    ext = rules.extension_of(filename)
    if ext in rules.MACRO_EXTENSIONS:
        raise UnsupportedMediaType(
            f"Macro-enabled files (.{ext}) are not accepted; save it as .docx or .xlsx.",
            errors={"file": [f".{ext} is not an allowed type."]},
            reason="type-not-allowed",
        )
    if ext not in rules.ALLOWED:
        allowed = ", ".join(sorted(rules.ALLOWED))
        raise UnsupportedMediaType(
            f"Files of type '.{ext}' are not accepted; allowed: {allowed}.",
            errors={"file": [f"'{ext or 'no extension'}' is not an allowed type."]},
            reason="type-not-allowed",
        )
    return rules.ALLOWED[ext]


def inspect(spool: BinaryIO, filename: str, limits: Limits | None = None) -> Verdict:
    """Check a file against its name; raise 415/422 with the reason, or return its verdict."""
    limits = limits or Limits()
    claimed = check_extension(filename)
    if claimed == "csv":
        text.inspect(spool)
        return Verdict("csv")
    spool.seek(0)
    sniffed = filetype.guess(spool.read(8192))
    spool.seek(0)
    found = sniffed.extension if sniffed else None
    if found in ZIP_FAMILY and claimed in ("docx", "xlsx"):
        actual = ooxml.inspect(spool, limits)
    elif found in SNIFFED:
        actual = SNIFFED[found]
    else:
        raise refuse(
            "type-mismatch",
            f"The file is named as {claimed} but its content is "
            f"{'not a type this system knows' if found is None else found}.",
        )
    if actual != claimed:
        raise refuse(
            "type-mismatch", f"The file is named as {claimed} but its content is {actual}."
        )
    if actual == "pdf":
        pdf.inspect(spool, limits)  # bounded and streaming: bombs are refused before parsing
        pdf_objects.inspect(spool, limits)
    return Verdict(actual)
