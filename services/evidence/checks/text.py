"""CSV (an imported KPI's source file): text in UTF-8 or Windows Thai (cp874), nothing else."""

import codecs
from typing import BinaryIO

from services.evidence.checks.base import refuse

CHUNK = 64 * 1024


def _decodes(spool: BinaryIO, encoding: str) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)()
    spool.seek(0)
    try:
        while chunk := spool.read(CHUNK):
            if b"\x00" in chunk:
                return False
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    finally:
        spool.seek(0)
    return True


def inspect(spool: BinaryIO) -> None:
    """Refuse a .csv that is not text in UTF-8 or cp874 (a binary renamed, say)."""
    if not (_decodes(spool, "utf-8") or _decodes(spool, "cp874")):
        raise refuse("type-mismatch", "The file is named as csv but is not UTF-8 or cp874 text.")
