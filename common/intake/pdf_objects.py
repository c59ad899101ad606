"""PDF, read as a viewer reads it: every object the file defines, every stream decoded.

qpdf (through pikepdf) parses the cross-reference table and object streams, so an object that
only the xref reaches, or one packed in an object stream behind a chain of filters, is seen as
a viewer sees it. Before a stream is decoded its size is bounded layer by layer (a small
compressed stream may unpack to gigabytes); image codecs are the last layers and not decoded.
"""

from __future__ import annotations

import base64
import re
import zlib
from collections.abc import Iterator
from typing import Any, BinaryIO
from urllib.parse import urlsplit

import pikepdf

from common.intake.base import Limits, refuse

# Actions a viewer runs or follows by itself: each named in the refusal.
ACTIONS = {
    "/JavaScript": ("javascript", "JavaScript"),
    "/Launch": ("launch", "a launch action"),
    "/GoToR": ("remote-goto", "a link that opens another document (GoToR)"),
    "/GoToE": ("remote-goto", "a link that opens an embedded document (GoToE)"),
    "/SubmitForm": ("submit-form", "a form that sends data away (SubmitForm)"),
    "/ImportData": ("import-data", "a form that imports outside data (ImportData)"),
    "/RichMedia": ("rich-media", "rich media (Flash or video that runs code)"),
}
# A link a reader may follow when clicked; any other address (file:, smb:) leaks credentials.
SAFE_URI_SCHEMES = {"http", "https", "mailto"}
# Where a viewer finds actions it runs by itself: on opening, and the additional actions of a
# page, a field or an annotation (on view, on focus, on close ...).
AUTOMATIC = ("/OpenAction", "/AA")
MAX_ACTION_CHAIN = 64
# Dictionary keys that hold script wherever they appear (actions, names tree, annotations).
SCRIPT_KEYS = ("/JS", "/JavaScript")
IMAGE_CODECS = {"/DCTDecode", "/JPXDecode", "/CCITTFaxDecode", "/JBIG2Decode"}
# The most a layer can grow data: its size bound before it is decoded.
GROWTH = {"/ASCIIHexDecode": 1, "/ASCII85Decode": 1, "/RunLengthDecode": 128, "/LZWDecode": 4096}
XFA_SCRIPT = re.compile(rb"<(?:\w+:)?script\b|javascript", re.IGNORECASE)


def inspect(spool: BinaryIO, limits: Limits) -> None:
    """Raise 422 naming what a PDF would run, open or send, or what cannot be decoded."""
    spool.seek(0)
    try:
        pdf = pikepdf.open(spool)
    except pikepdf.PasswordError as exc:
        raise refuse("encrypted", "The PDF needs a password to open: save it without one.") from exc
    except pikepdf.PdfError as exc:
        raise refuse("damaged", "The file is not a readable PDF.") from exc
    with pdf:
        budget = limits.max_inflated_pdf_objects
        for obj in pdf.objects:
            if isinstance(obj, pikepdf.Stream):
                _check_dictionary(obj.stream_dict)
                budget -= _check_stream(obj, budget)
                if budget < 0:
                    raise refuse("zip-bomb", "The PDF's streams unpack to too much data.")
            elif isinstance(obj, pikepdf.Dictionary):
                _check_dictionary(obj)
        _check_xfa(pdf)


def _check_dictionary(top: pikepdf.Dictionary) -> None:
    """The dictionary and every dictionary written inside it (an annotation's action, say);
    indirect ones are checked on their own turn."""
    pending: list[Any] = [top]
    while pending:
        obj = pending.pop()
        if isinstance(obj, pikepdf.Dictionary):
            _check_keys(obj)
        children = (
            [obj[k] for k in _items(obj)] if isinstance(obj, pikepdf.Dictionary) else _items(obj)
        )
        pending.extend(
            child
            for child in children
            if isinstance(child, (pikepdf.Dictionary, pikepdf.Array)) and not child.is_indirect
        )


def _check_keys(obj: pikepdf.Dictionary) -> None:
    for key in SCRIPT_KEYS:
        if key in obj:
            raise refuse("javascript", "The PDF carries JavaScript.")
    for key in ("/S", "/Subtype", "/Type"):
        value = obj.get(key)
        if isinstance(value, pikepdf.Name) and str(value) in ACTIONS:
            reason, what = ACTIONS[str(value)]
            raise refuse(reason, f"The PDF carries {what}.")
    if obj.get("/S") == pikepdf.Name.URI:
        _check_uri(obj)
    for key in AUTOMATIC:
        if key in obj:
            _check_automatic(key, obj[key])


def _check_uri(action: pikepdf.Dictionary) -> None:
    address = str(action.get("/URI") or "")
    if urlsplit(address).scheme.lower() not in SAFE_URI_SCHEMES:
        raise refuse("uri", f"The PDF links to an address that is not a web page ({address!r}).")


def _check_automatic(key: str, value) -> None:
    """A web address opened by itself (on opening, on a page's view) calls home: refused."""
    triggers = [value[k] for k in value] if key == "/AA" and _is_dict(value) else [value]
    for trigger in triggers:
        for action in _chain(trigger):
            if action.get("/S") == pikepdf.Name.URI:
                raise refuse(
                    "uri", f"The PDF opens a web address by itself ({key}): it would call home."
                )


def _is_dict(value) -> bool:
    return isinstance(value, pikepdf.Dictionary)


def _chain(action) -> Iterator[pikepdf.Dictionary]:
    """An action and those it runs next (/Next: one or an array), to a bounded depth."""
    pending: list[Any] = [action]
    seen = 0
    while pending and seen < MAX_ACTION_CHAIN:
        item = pending.pop()
        seen += 1
        if isinstance(item, pikepdf.Array):
            pending.extend(_items(item))
        elif _is_dict(item) and "/S" in item:
            yield item
            if "/Next" in item:
                pending.append(item["/Next"])


def _items(array: Any) -> list[Any]:
    """The elements of a pikepdf Array (its type stubs do not say it is iterable)."""
    return list(array)


def _filters(stream: pikepdf.Stream) -> list[str]:
    found = stream.stream_dict.get("/Filter")
    if found is None:
        return []
    return [str(f) for f in (_items(found) if isinstance(found, pikepdf.Array) else [found])]


def _check_stream(stream: pikepdf.Stream, budget: int) -> int:
    """Bound, then decode, one stream; returns the bytes it unpacked to."""
    filters = _filters(stream)
    generic = filters[: next((i for i, f in enumerate(filters) if f in IMAGE_CODECS), None)]
    if not generic:
        return 0  # raw data, or an image: nothing a viewer runs
    try:
        size = _bounded_size(stream.read_raw_bytes(), generic, budget)
        if len(generic) == len(filters):
            stream.read_bytes()  # every filter decodes as a viewer would
    except (pikepdf.PdfError, ValueError, zlib.error) as exc:
        raise refuse(
            "undecodable", f"A stream of the PDF cannot be decoded ({' '.join(filters)})."
        ) from exc
    return size


def _bounded_size(data: bytes, filters: list[str], budget: int) -> int:
    """Decode layer by layer while the result stays within `budget`; the final size."""
    for name in filters:
        if name == "/FlateDecode":
            inflater = zlib.decompressobj()
            data = inflater.decompress(data, budget + 1)
            if inflater.unconsumed_tail:
                raise refuse("zip-bomb", "The PDF's streams unpack to too much data.")
        elif name == "/ASCIIHexDecode":
            hexes = re.sub(rb"\s", b"", data).split(b">", 1)[0]
            data = bytes.fromhex((hexes + b"0" * (len(hexes) % 2)).decode("ascii"))
        elif name == "/ASCII85Decode":
            data = base64.a85decode(data.strip().removesuffix(b"~>"), ignorechars=b" \t\r\n")
        elif name in GROWTH:
            if len(data) * GROWTH[name] > budget:
                raise refuse("unchecked", f"A stream of the PDF is too big to check ({name}).")
            break  # small enough whatever it unpacks to: the full decoding follows
        else:
            raise ValueError(f"unknown filter {name}")
        if len(data) > budget:
            raise refuse("zip-bomb", "The PDF's streams unpack to too much data.")
    return len(data)


def _check_xfa(pdf: pikepdf.Pdf) -> None:
    """XFA forms (XML inside the AcroForm) may carry scripts of their own."""
    form = pdf.Root.get("/AcroForm")
    xfa = form.get("/XFA") if isinstance(form, pikepdf.Dictionary) else None
    if xfa is None:
        return
    parts = _items(xfa) if isinstance(xfa, pikepdf.Array) else [xfa]
    for part in parts:
        if isinstance(part, pikepdf.Stream) and XFA_SCRIPT.search(part.read_bytes()):
            raise refuse("javascript", "The PDF's XFA form carries scripts.")
