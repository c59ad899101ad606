"""What every check shares: the bounds containers are held to, and the refusal it raises."""

from dataclasses import dataclass

from common.errors import Invalid


@dataclass(frozen=True)
class Limits:
    max_entries: int = 5_000
    max_uncompressed: int = 256 * 1024 * 1024
    # Only entries past `ratio_floor` bytes are held to the ratio: tiny XML parts compress well.
    max_ratio: int = 100
    ratio_floor: int = 1024 * 1024
    max_inflated_pdf_objects: int = 64 * 1024 * 1024


# A workbook read by openpyxl, which holds its shared strings in memory: the unpacked size
# bounds them (imports, the admin's sheets).
SHEET_LIMITS = Limits(max_entries=1_000, max_uncompressed=64 * 1024 * 1024, ratio_floor=64 * 1024)


def refuse(reason: str, detail: str) -> Invalid:
    """A 422 naming the file field and a short machine-readable reason."""
    return Invalid(detail, errors={"file": [detail]}, reason=reason)
