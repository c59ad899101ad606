"""Is an uploaded file what its name says, and safe to hand to an auditor's office software?

`inspect` runs on the spooled copy before anything is promoted in the object store: the name
is held to evidence's allow-list here, the content to the common intake (`common.intake`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import BinaryIO

from common import intake
from common.errors import UnsupportedMediaType
from common.intake import Limits, refuse
from services.evidence import rules

__all__ = ["Limits", "Verdict", "inspect", "refuse"]


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
    return Verdict(intake.inspect(spool, check_extension(filename), limits))
