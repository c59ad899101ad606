"""PDF: no JavaScript and no launch actions, wherever a dictionary may hide them.

Action dictionaries live in the file body or inside compressed object streams (/ObjStm, PDF
1.5); names may be spelt with #xx escapes (/J#61vaScript). The file is read in blocks, so a
200 MB PDF costs a megabyte of memory, and every object stream is inflated under a bound.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterator
from typing import BinaryIO

from common.intake.base import Limits, refuse

BLOCK = 1024 * 1024
OVERLAP = 256
# A PDF name ends at whitespace (NUL included) or a delimiter.
NAME_END = rb"(?![^\x00\s/<>\[\]()%{}])"


def _spellings(name: str) -> bytes:
    """A pattern for the letters of a name in any #xx-escaped spelling (J, #4a or #4A ...)."""
    chars = []
    for ch in name:
        hexed = "".join(f"[{c}{c.upper()}]" if c.isalpha() else c for c in f"{ord(ch):02x}")
        chars.append(f"(?:{re.escape(ch)}|#{hexed})")
    return "".join(chars).encode()


def _name(name: str) -> bytes:
    return b"/" + _spellings(name) + NAME_END


# One leading "/" for all: `re` then jumps from slash to slash instead of trying every byte
# (1 GB/s instead of 50 MB/s on a scanned PDF).
DANGEROUS = re.compile(
    b"/(?:(?P<javascript>"
    + _spellings("JavaScript")
    + b"|"
    + _spellings("JS")
    + b")|(?P<launch>"
    + _spellings("Launch")
    + b"))"
    + NAME_END
)
OBJECT_STREAM = re.compile(_name("ObjStm"))
ENCRYPT = re.compile(_name("Encrypt"))
FLATE = re.compile(_name("FlateDecode"))
FILTER = re.compile(_name("Filter"))
PREDICTOR = re.compile(_name("Predictor") + rb"\s*(\d+)")
STREAM_START = re.compile(rb"stream(?:\r\n|\n|\r)")
# The keyword that opens stream data: after a dictionary's ">>", never the end of "endstream".
STREAM_KEYWORD = re.compile(rb">>[\x00\s]*stream(?:\r\n|\n|\r)")
DIRECT_LENGTH = re.compile(rb"/Length[\x00\s]+(\d+)(?![\x00\s]+\d+[\x00\s]+R)")
AT_END = re.compile(rb"[\x00\s]*endstream")
UNESCAPED_PAREN = re.compile(rb"(?<!\\)[()]")
WHAT = {"javascript": "JavaScript", "launch": "a launch action"}
# A zip's local header or its end record: an archive riding in the PDF outside its objects.
ARCHIVE = re.compile(rb"PK\x03\x04|PK\x05\x06")
END_MARK = b"%%EOF"
# What may follow a PDF's last end marker: line ends and the padding some writers add.
TRAILING = re.compile(rb"[\x00\s]*")


def inspect(spool: BinaryIO, limits: Limits) -> None:
    """Raise 422 for a PDF that carries JavaScript or launch actions, or hides them from us."""
    _check_end(spool)
    object_streams: set[int] = set()
    encrypted = False
    for offset, block in _outside_streams(spool):
        _scan(block)
        if ARCHIVE.search(block):
            raise refuse("appended-data", "The PDF carries a zip archive outside its objects.")
        object_streams.update(offset + m.start() for m in OBJECT_STREAM.finditer(block))
        encrypted = encrypted or ENCRYPT.search(block) is not None
    if object_streams and encrypted:
        raise refuse(
            "unchecked",
            "The PDF is encrypted and keeps its objects compressed, so it cannot be checked; "
            "save it again without a password.",
        )
    budget = limits.max_inflated_pdf_objects
    for offset in sorted(object_streams):
        budget -= _scan_object_stream(spool, offset, budget)


def _check_end(spool: BinaryIO) -> None:
    """Nothing but line ends may follow the last %%EOF (an incremental update ends in its own)."""
    size = spool.seek(0, 2)
    end = size
    while end > 0:
        start = max(0, end - BLOCK)
        spool.seek(start)
        block = spool.read(end - start + len(END_MARK) - 1)
        found = block.rfind(END_MARK)
        if found >= 0:
            spool.seek(start + found + len(END_MARK))
            if not TRAILING.fullmatch(spool.read(BLOCK + 1)):
                raise refuse("appended-data", "The PDF has data appended after its end (%%EOF).")
            return
        end = start
    raise refuse("damaged", "The file is not a complete PDF: it has no end marker (%%EOF).")


def _outside_streams(spool: BinaryIO) -> Iterator[tuple[int, bytes]]:
    """The file without its stream data (images, page content), in slightly overlapping pieces.

    Dictionaries, where actions live, are outside streams; compressed stream data is noise in
    which "/JS " turns up by chance about once in 300 MB, so it is skipped, not scanned.
    """
    size = spool.seek(0, 2)
    pos = 0
    while pos < size:
        spool.seek(pos)
        block = spool.read(BLOCK + OVERLAP)
        opened = _stream_keyword(spool, pos, block)
        if opened is None:
            yield pos, block
            if pos + len(block) >= size:
                return
            pos += BLOCK
            continue
        yield pos, block[: opened.end()]
        pos = _after_stream_data(spool, pos, opened, size)


def _stream_keyword(spool: BinaryIO, pos: int, block: bytes):
    """The first real `stream` keyword in the block: not inside a string or a comment."""
    for found in STREAM_KEYWORD.finditer(block):
        line_start = block.rfind(b"\n", 0, found.start()) + 1
        header = _header(spool, pos + found.start())
        opens = UNESCAPED_PAREN.findall(header)
        if b"%" not in block[line_start : found.start()] and opens.count(b"(") == opens.count(b")"):
            return found
    return None


def _header(spool: BinaryIO, keyword_at: int) -> bytes:
    """The object's text before its `stream` keyword (its dictionary), at most 4 KB of it."""
    start = max(0, keyword_at - 4096)
    spool.seek(start)
    window = spool.read(keyword_at - start)
    return window[window.rfind(b"obj") + 3 :] if b"obj" in window else window


def _after_stream_data(spool: BinaryIO, pos: int, opened, size: int) -> int:
    """Where the text resumes after a stream: by its /Length, else at `endstream`."""
    data_start = pos + opened.end()
    length = DIRECT_LENGTH.search(_header(spool, pos + opened.start()))
    if length:
        end = data_start + int(length.group(1))
        spool.seek(end)
        if AT_END.match(spool.read(64)):
            return end
    for offset, block in _blocks(spool, data_start):
        found = block.find(b"endstream")
        if found >= 0:
            return offset + found
    return data_start  # never closed: read on as text, hiding nothing


def _blocks(spool: BinaryIO, start: int) -> Iterator[tuple[int, bytes]]:
    """Blocks of the file from `start`, each beginning with the tail of the one before."""
    spool.seek(start)
    carry = b""
    offset = start
    while chunk := spool.read(BLOCK):
        yield offset - len(carry), carry + chunk
        offset += len(chunk)
        carry = chunk[-OVERLAP:]


def _scan(data: bytes) -> None:
    found = DANGEROUS.search(data)
    if found:
        kind = found.lastgroup or "javascript"
        raise refuse(kind, f"The PDF carries {WHAT[kind]}.")


def _scan_object_stream(spool: BinaryIO, offset: int, budget: int) -> int:
    """Inflate the object stream whose /Type is at `offset` and scan it; return bytes used."""
    back = min(offset, 4096)
    spool.seek(offset - back)
    window = spool.read(back + 8192)
    header_start = window.rfind(b"obj", 0, back)
    start = STREAM_START.search(window, back)
    if header_start < 0 or start is None:
        return 0  # the name outside an object: not a stream a reader would load
    header = window[header_start : start.start()]
    predictor = PREDICTOR.search(header)
    flate = FLATE.search(header) is not None
    if (FILTER.search(header) and not flate) or (predictor and int(predictor.group(1)) > 1):
        raise refuse("unchecked", "The PDF compresses its objects in a way that cannot be checked.")
    data_start = offset - back + start.end()
    if not flate:
        for _, block in _blocks(spool, data_start):
            _scan(block.split(b"endstream", 1)[0])
            if b"endstream" in block:
                break
        return 0
    return _inflate_and_scan(spool, data_start, budget)


def _inflate_and_scan(spool: BinaryIO, data_start: int, budget: int) -> int:
    inflater = zlib.decompressobj()
    used = 0
    carry = b""
    spool.seek(data_start)
    while not inflater.eof and (chunk := spool.read(64 * 1024)):
        pending = chunk
        while pending and not inflater.eof:
            try:
                out = inflater.decompress(pending, BLOCK)
            except zlib.error:
                return used  # a damaged stream: a reader cannot load its objects either
            pending = inflater.unconsumed_tail
            used += len(out)
            if used > budget:
                raise refuse("zip-bomb", "The PDF's compressed objects unpack to too much data.")
            _scan(carry + out)
            carry = out[-OVERLAP:]
    return used
