"""Images end where their format says: nothing may follow a PNG's IEND chunk or a JPEG's
end-of-image marker. Data appended there (a zip, a script) is invisible in a viewer but is
read by whatever opens the file as something else."""

from __future__ import annotations

import struct
from typing import BinaryIO

from common.intake.base import refuse

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
BLOCK = 64 * 1024
# A primary image and the few a multi-picture file adds (previews, a gain map, depth).
MAX_IMAGES = 8


def _appended() -> Exception:
    return refuse("appended-data", "The image has data appended after its end.")


def _damaged(what: str) -> Exception:
    return refuse("damaged", f"The file is not a complete {what} image.")


def check_png(spool: BinaryIO) -> None:
    """Walk the chunks (length, type, data, CRC) to IEND; refuse any byte after it."""
    size = spool.seek(0, 2)
    spool.seek(0)
    if spool.read(8) != PNG_SIGNATURE:
        raise _damaged("PNG")
    while True:
        head = spool.read(8)
        if len(head) < 8:
            raise _damaged("PNG")
        length, kind = struct.unpack(">I4s", head)
        end = spool.tell() + length + 4
        if end > size:
            raise _damaged("PNG")
        spool.seek(end)
        if kind == b"IEND":
            break
    if end != size:
        raise _appended()
    spool.seek(0)


def check_jpeg(spool: BinaryIO) -> None:
    """Walk each image to its end-of-image marker (EOI); only another whole JPEG may follow.

    Phones and cameras store further images after the first (the Multi-Picture Format's
    previews, an Ultra HDR photo's gain map): those are JPEGs read the same way. Anything else
    after the end (a zip, a video, a script) is refused."""
    data = _JpegReader(spool)
    for _ in range(MAX_IMAGES):
        _to_end_of_image(data)
        if not data.rest():
            spool.seek(0)
            return
    raise _appended()


def _to_end_of_image(data: _JpegReader) -> None:
    if data.byte() != 0xFF or data.byte() != 0xD8:
        raise _appended()  # what follows an image's end is not another image
    while True:
        marker = data.marker()
        if marker == 0xD9:
            return
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:
            continue  # restart and TEM markers carry no length
        length = data.byte() << 8 | data.byte()
        data.skip(length - 2)
        if marker == 0xDA:
            data.to_next_marker()


class _JpegReader:
    """The file as bytes read in blocks, with the one lookahead the marker grammar needs."""

    def __init__(self, spool: BinaryIO):
        self.spool = spool
        spool.seek(0)
        self.buffer = b""
        self.pos = 0

    def byte(self) -> int:
        if self.pos >= len(self.buffer):
            self.buffer, self.pos = self.spool.read(BLOCK), 0
            if not self.buffer:
                raise _damaged("JPEG")
        self.pos += 1
        return self.buffer[self.pos - 1]

    def skip(self, count: int) -> None:
        if count < 0:
            raise _damaged("JPEG")
        ahead = len(self.buffer) - self.pos
        if count <= ahead:
            self.pos += count
            return
        self.spool.seek(count - ahead, 1)
        self.buffer, self.pos = b"", 0

    def marker(self) -> int:
        """The next marker: 0xFF, fill bytes (more 0xFF), then the marker's code."""
        if self.byte() != 0xFF:
            raise _damaged("JPEG")
        code = self.byte()
        while code == 0xFF:
            code = self.byte()
        return code

    def to_next_marker(self) -> None:
        """Past a scan's coded data: up to an 0xFF not followed by 0x00 or a restart marker."""
        while True:
            found = self.buffer.find(b"\xff", self.pos)
            if found < 0 or found + 1 >= len(self.buffer):
                kept = self.buffer[found:] if found >= 0 else b""
                more = self.spool.read(BLOCK)
                if not more:
                    raise _damaged("JPEG")
                self.buffer, self.pos = kept + more, 0
                continue
            following = self.buffer[found + 1]
            if following == 0x00 or 0xD0 <= following <= 0xD7 or following == 0xFF:
                self.pos = found + 1 if following == 0xFF else found + 2
                continue
            self.pos = found
            return

    def rest(self) -> bool:
        """Whether anything follows the end-of-image marker (read on from there if so)."""
        if self.pos < len(self.buffer):
            return True
        self.buffer, self.pos = self.spool.read(BLOCK), 0
        return bool(self.buffer)
