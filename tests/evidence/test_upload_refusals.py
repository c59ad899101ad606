"""Refused uploads: each gets its 4xx and leaves no object, no open upload, no row, no event."""

from __future__ import annotations

import io

import pytest
from werkzeug.exceptions import ClientDisconnected
from werkzeug.test import EnvironBuilder, run_wsgi_app

from common.config import from_env
from services.evidence.app import create_app
from tests.evidence import samples
from tests.evidence.conftest import FILES, post_file
from tests.evidence.test_checks import BAD_FILES

SMALL_LIMIT = 8 * 1024 * 1024


@pytest.fixture(scope="module")
def small_limit_app(live):
    """A second evidence app on the same database and bucket, with an 8 MB upload limit."""
    return create_app(from_env("evidence", live.env).with_(max_upload_bytes=SMALL_LIMIT))


def multipart(parts: list[tuple[str, str | None, bytes]], boundary: str = "b0undary") -> bytes:
    """A multipart body with the parts in the given order: (name, filename or None, value)."""
    out = b""
    for name, filename, value in parts:
        disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename else "")
        out += (
            f"--{boundary}\r\nContent-Disposition: {disposition}\r\n\r\n".encode() + value + b"\r\n"
        )
    return out + f"--{boundary}--\r\n".encode()


FIELDS = [
    ("unit", None, b"R1"),
    ("year", None, b"2547"),
    ("kpi", None, b"2.1"),
    ("period", None, b"M01"),
]


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_a_bad_file_gets_its_4xx_and_leaves_nothing(reporter, unchanged, case):
    build, filename, status, reason = BAD_FILES[case]
    with unchanged():
        resp = post_file(reporter, build(), filename)
    assert resp.status_code == status, resp.text
    assert resp.headers["Content-Type"] == "application/problem+json"
    assert resp.json()["reason"] == reason and resp.json()["errors"]["file"]


def test_uploading_for_a_unit_one_is_not_in_is_403_and_leaves_nothing(as_user, unchanged):
    with unchanged():
        resp = post_file(as_user("reporter2"), samples.pdf_file(), "a.pdf", unit="R1")
    assert resp.status_code == 403


def test_a_reviewer_who_sees_every_unit_still_may_not_upload_for_one(as_user, unchanged):
    with unchanged():
        resp = post_file(as_user("reviewer"), samples.pdf_file(), "a.pdf", unit="R1")
    assert resp.status_code == 403


def test_a_unit_named_after_the_file_is_still_checked(as_user, unchanged):
    body = multipart([("file", "a.pdf", samples.pdf_file()), *FIELDS])
    headers = {"Content-Type": "multipart/form-data; boundary=b0undary"}
    with unchanged():
        resp = as_user("reporter2").post(FILES, data=body, headers=headers)
    assert resp.status_code == 403


def test_missing_fields_are_422_naming_each(reporter, unchanged):
    with unchanged():
        resp = reporter.post(FILES, files={"file": ("a.pdf", samples.pdf_file())})
    assert resp.status_code == 422
    assert set(resp.json()["errors"]) == {"unit", "year", "kpi", "period"}


def test_a_period_outside_the_calendar_is_422(reporter, unchanged):
    with unchanged():
        resp = post_file(reporter, samples.pdf_file(), "a.pdf", period="Q5")
    assert resp.status_code == 422 and "period" in resp.json()["errors"]


def test_an_empty_file_is_422(reporter, unchanged):
    with unchanged():
        resp = post_file(reporter, b"", "a.pdf")
    assert resp.status_code == 422


def test_a_body_without_a_file_is_422(reporter, unchanged):
    with unchanged():
        resp = reporter.post(
            FILES,
            data={"unit": "R1", "year": "2547", "kpi": "2.1", "period": "M01"},
            files={"other": ("x", b"")},
        )
    assert resp.status_code == 422


def test_json_instead_of_multipart_is_415(reporter, unchanged):
    with unchanged():
        resp = reporter.post(FILES, json={"unit": "R1"})
    assert resp.status_code == 415


def test_a_file_over_the_limit_is_413_and_leaves_nothing(live, reporter, unchanged, tmp_path):
    from services.evidence.client import upload

    limit = live.app("evidence").extensions["rbm"].settings.max_upload_bytes
    big = tmp_path / "big.pdf"
    with open(big, "wb") as out:
        out.write(samples.pdf_file())
        out.truncate(limit + 1)
    with unchanged():
        resp = upload(reporter, FILES, str(big), unit="R1", year="2547", kpi="2.1", period="M01")
    assert resp.status_code == 413 and resp.json()["errors"]["file"]


class Disconnecting(io.RawIOBase):
    """A request body that stops part way, as when the client goes away."""

    def __init__(self, head: bytes, then: int):
        self.head, self.left = head, then

    def readable(self):
        return True

    def readinto(self, buffer):
        if self.head:
            n = min(len(buffer), len(self.head))
            buffer[:n], self.head = self.head[:n], self.head[n:]
            return n
        if self.left <= 0:
            raise ClientDisconnected()
        n = min(len(buffer), self.left)
        buffer[:n] = b"\x00" * n
        self.left -= n
        return n


def post_stream(live, app, body, content_length: int | None) -> int:
    """POST a raw body stream to `app` as reporter1; return the status code."""
    builder = EnvironBuilder(
        path="/files",
        method="POST",
        headers={
            "Authorization": f"Bearer {live.token('reporter1')}",
            "Content-Type": "multipart/form-data; boundary=b0undary",
        },
    )
    environ = builder.get_environ()
    environ["wsgi.input"] = body
    if content_length is None:
        environ.pop("CONTENT_LENGTH", None)
        environ["wsgi.input_terminated"] = True
    else:
        environ["CONTENT_LENGTH"] = str(content_length)
    app_iter, status, _ = run_wsgi_app(app, environ)
    b"".join(app_iter)
    return int(status.split()[0])


FILE_HEAD = (
    b'--b0undary\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\n\r\n%PDF-1.7\n'
)


def test_an_upload_cut_off_mid_file_leaves_nothing(live, small_limit_app, unchanged):
    # 6 MB arrive before the client goes: a whole part is already in quarantine by then.
    head = multipart(FIELDS)[: -len("--b0undary--\r\n")] + FILE_HEAD
    body = Disconnecting(head, 6 * 1024 * 1024)
    with unchanged():
        status = post_stream(live, small_limit_app, body, SMALL_LIMIT)
    assert status == 400


def test_a_declared_length_over_the_limit_is_413_before_reading(live, small_limit_app, unchanged):
    with unchanged():
        status = post_stream(live, small_limit_app, Disconnecting(b"", 0), 2 * SMALL_LIMIT)
    assert status == 413


def test_a_streamed_body_is_cut_off_as_soon_as_the_file_passes_the_limit(
    live, small_limit_app, unchanged
):
    head = multipart(FIELDS)[: -len("--b0undary--\r\n")] + FILE_HEAD
    body = Disconnecting(head, 50 * 1024 * 1024)
    with unchanged():
        status = post_stream(live, small_limit_app, body, None)
    assert status == 413
    assert body.left > 40 * 1024 * 1024  # it stopped a chunk or so past the 8 MB limit


def test_a_field_sent_twice_is_422(reporter, unchanged):
    body = multipart([*FIELDS, ("unit", None, b"R2"), ("file", "a.pdf", samples.pdf_file())])
    headers = {"Content-Type": "multipart/form-data; boundary=b0undary"}
    with unchanged():
        resp = reporter.post(FILES, data=body, headers=headers)
    assert resp.status_code == 422 and "unit" in resp.json()["errors"]
