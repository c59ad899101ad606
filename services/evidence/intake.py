"""Reading a multipart upload as it arrives: small fields in memory, the file to a spool.

Flask's own form parsing reads the whole body before the view runs; this reads the request
stream in 64 KB chunks with werkzeug's sans-IO decoder, hashes the file while it arrives,
writes it to an unbuffered temporary file (which the store reads parts from while the rest is
still arriving) and stops with 413 the moment the file passes the limit.
"""

from __future__ import annotations

import hashlib
import tempfile
from dataclasses import dataclass, field
from typing import BinaryIO, Protocol

from werkzeug.sansio.multipart import NEED_DATA, Data, Epilogue, Field, File, MultipartDecoder

from common.errors import Invalid, PayloadTooLarge

CHUNK = 64 * 1024
MAX_FIELD_BYTES = 1024
# Room for the form fields and multipart framing on top of the file itself.
FORM_OVERHEAD = 64 * 1024


class Listener(Protocol):
    """Told when the file part begins and as the spool grows (the store's staging)."""

    def file_started(self, fields: dict[str, str], filename: str, spool: BinaryIO) -> None: ...

    def grown(self, size: int) -> None: ...


@dataclass
class Received:
    """A finished upload: its fields, the client's file name and the spooled, hashed bytes."""

    fields: dict[str, str]
    filename: str
    size: int
    sha256: str
    spool: BinaryIO = field(repr=False)


def receive(
    stream: BinaryIO,
    boundary: bytes,
    limit: int,
    listener: Listener,
    field_names: frozenset[str],
) -> Received:
    """Read the whole multipart body; the caller closes `Received.spool`."""
    decoder = MultipartDecoder(boundary)
    fields: dict[str, str] = {}
    state = _State(limit, listener, field_names)
    try:
        while True:
            chunk = stream.read(CHUNK)
            decoder.receive_data(chunk or None)
            while (event := decoder.next_event()) is not NEED_DATA:
                if isinstance(event, Epilogue):
                    break
                state.handle(event, fields)
            if not chunk or isinstance(event, Epilogue):
                break
    except ValueError as exc:
        state.close()
        raise Invalid("The upload is not a complete multipart/form-data body.") from exc
    except BaseException:
        state.close()
        raise
    if state.spool is None:
        raise Invalid("Send the file in the 'file' field.", errors={"file": ["Missing file."]})
    state.spool.seek(0)
    return Received(fields, state.filename, state.size, state.hasher.hexdigest(), state.spool)


class _State:
    def __init__(self, limit: int, listener: Listener, field_names: frozenset[str]):
        self.limit = limit
        self.listener = listener
        self.field_names = field_names
        self.current: str | None = None
        self.value = bytearray()
        self.spool: BinaryIO | None = None
        self.filename = ""
        self.size = 0
        self.hasher = hashlib.sha256()

    def handle(self, event, fields: dict[str, str]) -> None:
        if isinstance(event, File):
            self._start_file(event, fields)
        elif isinstance(event, Field):
            if event.name == "file":
                raise Invalid(
                    "Send the file as a file part, with its name.", errors={"file": ["Not a file."]}
                )
            if event.name not in self.field_names:
                raise Invalid(
                    f"Unknown form field '{event.name}'.", errors={event.name: ["Unknown field."]}
                )
            if event.name in fields:
                raise Invalid(
                    f"The field '{event.name}' is sent twice.", errors={event.name: ["Sent twice."]}
                )
            self.current, self.value = event.name, bytearray()
        elif isinstance(event, Data):
            if self.current == "file":
                self._write(event.data)
            else:
                self._append_field(event, fields)

    def _start_file(self, event: File, fields: dict[str, str]) -> None:
        if event.name != "file" or self.spool is not None:
            raise Invalid("Send exactly one file, in the 'file' field.", errors={"file": ["One."]})
        self.current, self.filename = "file", event.filename
        self.spool = tempfile.TemporaryFile(buffering=0)  # noqa: SIM115 - Received owns it
        self.listener.file_started(dict(fields), event.filename, self.spool)

    def _write(self, data: bytes) -> None:
        self.size += len(data)
        if self.size > self.limit:
            raise PayloadTooLarge(
                f"The file is larger than the limit of {self.limit:,} bytes.",
                errors={"file": [f"At most {self.limit:,} bytes."]},
                limit=self.limit,
            )
        self.hasher.update(data)
        self.spool.write(data)
        self.listener.grown(self.size)

    def _append_field(self, event: Data, fields: dict[str, str]) -> None:
        self.value += event.data
        if len(self.value) > MAX_FIELD_BYTES:
            raise Invalid("A form field is too long.", errors={self.current: ["Too long."]})
        if not event.more_data:
            try:
                fields[self.current] = self.value.decode("utf-8").strip()
            except UnicodeDecodeError as exc:
                raise Invalid(
                    "Form fields must be UTF-8.", errors={self.current: ["Not UTF-8."]}
                ) from exc

    def close(self) -> None:
        if self.spool is not None:
            self.spool.close()
