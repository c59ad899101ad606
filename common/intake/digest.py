"""The SHA-256 of a spooled file, read in chunks so a large file costs no memory."""

from __future__ import annotations

import hashlib
from typing import BinaryIO

CHUNK = 64 * 1024


def sha256_of(spool: BinaryIO) -> str:
    """The hex SHA-256 of the whole stream; it is left at its start for the next reader."""
    digest = hashlib.sha256()
    spool.seek(0)
    while chunk := spool.read(CHUNK):
        digest.update(chunk)
    spool.seek(0)
    return digest.hexdigest()
