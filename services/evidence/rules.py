"""Pure rules of evidence: fiscal periods, file names, form numbers and the 4.1 level scale."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import quote

from common.fields import MAX_YEAR, MIN_YEAR
from common.fiscal import PERIODS

# Allow-list: extension -> what the content must turn out to be.
ALLOWED = {
    "docx": "docx",
    "xlsx": "xlsx",
    "pdf": "pdf",
    "jpg": "jpeg",
    "jpeg": "jpeg",
    "png": "png",
    # The source files of imported KPIs (expenditure, progress and survey exports).
    "csv": "csv",
}
CONTENT_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "csv": "text/csv",
}
MACRO_EXTENSIONS = {"docm", "dotm", "xlsm", "xltm", "xlam", "pptm", "potm", "ppsm"}

KPI_CODE = re.compile(r"^\d{1,2}\.\d{1,2}$")
UNIT_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$")

THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
MAX_FILENAME = 180


def field_errors(unit: str, year: str, kpi: str, period: str) -> dict[str, list[str]]:
    """What is wrong with the identifying fields of an upload, by field."""
    errors: dict[str, list[str]] = {}
    if not UNIT_CODE.fullmatch(unit or ""):
        errors["unit"] = ["A unit code such as R1 or R1-01."]
    if not re.fullmatch(r"[0-9]{1,9}", year or "") or not MIN_YEAR <= int(year) <= MAX_YEAR:
        errors["year"] = [f"A Buddhist-Era fiscal year from {MIN_YEAR} to {MAX_YEAR}."]
    if not KPI_CODE.fullmatch(kpi or ""):
        errors["kpi"] = ["A KPI code such as 4.1."]
    if period not in PERIODS:
        errors["period"] = ["One of M01..M12, Q1..Q4, H1, H2, Y."]
    return errors


# Characters a display name never keeps: controls (Cc), and format characters (Cf) such as the
# bidi overrides U+202E/U+2066..2069 that make "exe.pdf" read as "fdp.exe".
def clean_filename(raw: str) -> str:
    """The name to show: last path part, NFC, no control or bidi characters, bounded length."""
    name = re.split(r"[\\/]", raw or "")[-1]
    name = unicodedata.normalize("NFC", name)
    name = "".join(ch for ch in name if unicodedata.category(ch) not in ("Cc", "Cf", "Cs"))
    name = " ".join(name.split()).strip(" .")
    if len(name) > MAX_FILENAME:
        stem, dot, ext = name.rpartition(".")
        name = (stem[: MAX_FILENAME - len(ext) - 1] + dot + ext) if dot else name[:MAX_FILENAME]
    return name


def extension_of(filename: str) -> str:
    stem, dot, ext = filename.rpartition(".")
    return ext.lower() if dot and stem else ""


def content_disposition(filename: str) -> str:
    """`attachment` with an ASCII fallback and the exact name in RFC 5987 `filename*`."""
    stem, dot, ext = filename.rpartition(".") if "." in filename else (filename, "", "")
    ascii_stem = re.sub(r'[^\x20-\x7e]+|["\\]', "_", stem).strip("_ ") or "file"
    ascii_ext = re.sub(r"[^A-Za-z0-9]", "", ext)
    fallback = ascii_stem + (f".{ascii_ext}" if dot and ascii_ext else "")
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def parse_number(text: str) -> float | None:
    """A number as a reporter types it (Thai digits, thousands commas); None when blank."""
    cleaned = text.translate(THAI_DIGITS).replace(",", "").replace(" ", "").strip()
    if cleaned in ("", "-", "–"):
        return None
    return float(cleaned)


# A level counts as reached only on the form's own answer ("บรรลุ", from its drop-down) or a
# ticked box; anything else ("ยังไม่ดำเนินการ", "อยู่ระหว่างดำเนินการ", "X", "No") is not.
REACHED_MARKS = frozenset({"บรรลุ", "✓", "✔", "☑"})


def is_mark(text: str) -> bool:
    return " ".join(text.split()) in REACHED_MARKS


def level_from_marks(marked: set[int]) -> int | None:
    """Milestones are cumulative: the level reached is the top of the unbroken run from 1."""
    level = 0
    while level + 1 in marked:
        level += 1
    return level or None


@dataclass(frozen=True)
class Process:
    """One row of 4.1's table: a process whose cycle time was cut."""

    name: str
    weight: float
    old_time: float
    new_time: float

    @property
    def reduction(self) -> float:
        return (self.old_time - self.new_time) / self.old_time * 100


def weighted_reduction(processes: list[Process]) -> float:
    """4.1's weighted average % reduction of cycle time: sum(w * r) / sum(w)."""
    total = sum(p.weight for p in processes)
    return sum(p.weight * p.reduction for p in processes) / total


def level_from_reduction(reduction: float, steps: Sequence[float]) -> int | None:
    """4.1's level: the highest n whose step (the management group's, printed on the form)
    the weighted reduction reaches."""
    reached = [n for n, step in enumerate(steps, start=1) if reduction >= step]
    return max(reached) if reached else None
