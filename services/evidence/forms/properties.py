"""Custom document properties (docProps/custom.xml): how a form says what it was made for.

Word shows them under File > Properties > Custom and keeps them when a form is saved;
LibreOffice keeps them too. python-docx has no API for them, so the part is written here.
"""

from __future__ import annotations

import posixpath
import zipfile
from typing import BinaryIO
from xml.sax.saxutils import escape, quoteattr

from defusedxml.ElementTree import fromstring
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.custom-properties+xml"
NS = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
VT = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
RELS_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
FMTID = "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}"  # the one id every custom property uses


def _parse(blob: bytes) -> dict[str, str]:
    values = {}
    for prop in fromstring(blob).findall(f"{{{NS}}}property"):
        value = next(iter(prop), None)
        values[prop.get("name", "")] = (value.text or "") if value is not None else ""
    return values


def _xml(values: dict[str, str]) -> bytes:
    props = "".join(
        f'<property fmtid="{FMTID}" pid="{pid}" name={quoteattr(name)}>'
        f"<vt:lpwstr>{escape(value)}</vt:lpwstr></property>"
        for pid, (name, value) in enumerate(values.items(), start=2)
    )
    head = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    return f'{head}<Properties xmlns="{NS}" xmlns:vt="{VT}">{props}</Properties>'.encode()


def write(document, values: dict[str, str], prefix: str) -> None:
    """Set `values` as the document's properties named `prefix...`, keeping any others."""
    package = document.part.package
    existing = [r for r in package.rels.values() if r.reltype == RT.CUSTOM_PROPERTIES]
    if existing:
        part = existing[0].target_part
        kept = {k: v for k, v in _parse(part.blob).items() if not k.startswith(prefix)}
        part._blob = _xml({**kept, **values})
        return
    part = Part(PackURI("/docProps/custom.xml"), CONTENT_TYPE, _xml(values), package)
    package.relate_to(part, RT.CUSTOM_PROPERTIES)


def read(spool: BinaryIO) -> dict[str, str]:
    """The custom properties of a .docx (already checked safe); {} when it has none."""
    spool.seek(0)
    with zipfile.ZipFile(spool) as archive:
        try:
            rels = fromstring(archive.read("_rels/.rels"))
        except KeyError:
            return {}
        for rel in rels.iter(f"{RELS_NS}Relationship"):
            if rel.get("Type") == RT.CUSTOM_PROPERTIES:
                name = posixpath.normpath(rel.get("Target", "").lstrip("/"))
                try:
                    return _parse(archive.read(name))
                except KeyError:
                    return {}
    return {}
