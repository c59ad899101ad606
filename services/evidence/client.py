"""A small client for scripts: stream a file to `POST /api/evidence/files` without loading it.

`requests` builds a whole multipart body in memory; `MultipartBody` reads the file as the
socket takes it and still sends a Content-Length.
"""

from __future__ import annotations

import os
import uuid
from typing import BinaryIO
from urllib.parse import quote


class MultipartBody:
    """multipart/form-data of some text fields and one file, read in order as a stream."""

    def __init__(self, fields: dict[str, str], filename: str, file: BinaryIO, size: int):
        self.boundary = f"rbm-{uuid.uuid4().hex}"
        head = b"".join(
            f'--{self.boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
            + str(value).encode()
            + b"\r\n"
            for name, value in fields.items()
        )
        disposition = (
            f'form-data; name="file"; filename="{filename}"; '
            f"filename*=UTF-8''{quote(filename, safe='')}"
        )
        head += (
            f"--{self.boundary}\r\nContent-Disposition: {disposition}\r\n"
            "Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        self.parts = [head, file, f"\r\n--{self.boundary}--\r\n".encode()]
        self.length = len(head) + size + len(self.parts[2])

    @property
    def content_type(self) -> str:
        return f"multipart/form-data; boundary={self.boundary}"

    def __len__(self) -> int:
        return self.length

    def read(self, size: int = -1) -> bytes:
        out = b""
        while self.parts and (size < 0 or len(out) < size):
            part = self.parts[0]
            want = -1 if size < 0 else size - len(out)
            if isinstance(part, bytes):
                taken = part if want < 0 else part[:want]
                rest = part[len(taken) :]
                out += taken
                if rest:
                    self.parts[0] = rest
                else:
                    self.parts.pop(0)
            else:
                chunk = part.read(want if want >= 0 else -1)
                out += chunk
                if not chunk or want < 0:
                    self.parts.pop(0)
        return out


def upload(http, url: str, path: str, filename: str | None = None, **fields: str):
    """POST a file from disk to the files `url` with `http` (a requests.Session)."""
    with open(path, "rb") as file:
        body = MultipartBody(
            fields, filename or os.path.basename(path), file, os.fstat(file.fileno()).st_size
        )
        return http.post(url, data=body, headers={"Content-Type": body.content_type})
