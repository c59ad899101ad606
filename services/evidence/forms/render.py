"""Rendering a form template with docxtpl, in a sandbox, and stamping what it was made for."""

from __future__ import annotations

from io import BytesIO

from docxtpl import DocxTemplate
from jinja2 import StrictUndefined, TemplateError
from jinja2.sandbox import SandboxedEnvironment

from services.evidence.forms import layout, properties


def environment() -> SandboxedEnvironment:
    # Templates can be uploaded by admins: a sandbox keeps Jinja from reaching Python objects,
    # autoescape keeps "&" or "<" in a unit name from breaking the XML, and a name the
    # template uses but the context lacks is an error instead of a silent blank.
    return SandboxedEnvironment(autoescape=True, undefined=StrictUndefined)


def render(source: bytes, context: dict, identity: dict[str, str]) -> bytes:
    """The filled-in .docx: the template rendered, with `identity` as rbm.* properties."""
    template = DocxTemplate(BytesIO(source))
    template.render(context, jinja_env=environment())
    stamped = {f"{layout.PROPERTY_PREFIX}{k}": str(v) for k, v in identity.items()}
    properties.write(template.docx, stamped, layout.PROPERTY_PREFIX)
    out = BytesIO()
    template.save(out)
    return out.getvalue()


__all__ = ["TemplateError", "environment", "render"]
