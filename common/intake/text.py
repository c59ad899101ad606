"""CSV: text in UTF-8 or Windows Thai (cp874), and no cell a spreadsheet would run."""

import codecs
import csv
import io
from collections.abc import Iterator
from typing import BinaryIO, cast

from common.intake.base import refuse
from common.intake.cells import check_rows

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


def encoding_of(spool: BinaryIO) -> str:
    """utf-8-sig (a BOM or none) or cp874; 422 for a file that is neither (a binary renamed)."""
    for encoding in ("utf-8-sig", "cp874"):
        if _decodes(spool, encoding):
            return encoding
    raise refuse("type-mismatch", "The file is named as csv but is not UTF-8 or cp874 text.")


class Borrowed(io.BufferedIOBase):
    """The spool as a text reader's buffer, left open when the reader is closed or collected:
    the same bytes are kept (as evidence, say) once they are read."""

    def __init__(self, spool: BinaryIO):
        self._spool = spool

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        return self._spool.read(-1 if size is None else size)

    read1 = read


def records(reader) -> Iterator[tuple[int, list[str]]]:
    """Each record of a csv.reader with the line it starts on (1 for the first)."""
    line = 1
    for record in reader:
        yield line, record
        line = reader.line_num + 1


def inspect(spool: BinaryIO) -> None:
    """Refuse a .csv that is not text in UTF-8 or cp874, or has a cell that would run."""
    text = io.TextIOWrapper(
        cast(BinaryIO, Borrowed(spool)), encoding=encoding_of(spool), newline=""
    )
    reader = csv.reader(text)
    try:
        check_rows(records(reader))
    except csv.Error as exc:
        raise refuse("damaged", f"Line {reader.line_num}: the CSV is malformed ({exc}).") from exc
    finally:
        spool.seek(0)
