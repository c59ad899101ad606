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

from services.evidence.checks.base import Limits, refuse

BLOCK = 1024 * 1024
OVERLAP = 256
# A PDF name ends at whitespace (NUL included) or a delimiter.
NAME_END = rb"(?![^\x00\s/<>\[\]()%{}])"


def _name(name: str) -> bytes:
    """A pattern for /Name that also matches any #xx-escaped spelling of it."""
    chars = []
    for ch in name:
        hexed = "".join(f"[{c}{c.upper()}]" if c.isalpha() else c for c in f"{ord(ch):02x}")
        chars.append(f"(?:{re.escape(ch)}|#{hexed})")
    return b"/" + "".join(chars).encode() + NAME_END


DANGEROUS = re.compile(
    b"(?P<javascript>" + _name("JavaScript") + b"|" + _name("JS") + b")"
    b"|(?P<launch>" + _name("Launch") + b")"
)
OBJECT_STREAM = re.compile(_name("ObjStm"))
ENCRYPT = re.compile(_name("Encrypt"))
FLATE = re.compile(_name("FlateDecode"))
FILTER = re.compile(_name("Filter"))
PREDICTOR = re.compile(_name("Predictor") + rb"\s*(\d+)")
STREAM_START = re.compile(rb"stream(?:\r\n|\n|\r)")
WHAT = {"javascript": "JavaScript", "launch": "a launch action"}


def inspect(spool: BinaryIO, limits: Limits) -> None:
    """Raise 422 for a PDF that carries JavaScript or launch actions, or hides them from us."""
    object_streams: set[int] = set()
    encrypted = False
    for offset, block in _blocks(spool, 0):
        _scan(block)
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
        raise refuse(found.lastgroup or "javascript", f"The PDF carries {WHAT[found.lastgroup]}.")


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
