"""Use cases of the forms: download one prefilled, list templates, replace a template."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from io import BytesIO
from typing import Any

import docx
import sqlalchemy.exc
from sqlalchemy.orm import Session, sessionmaker

from common import fiscal
from common.auth import ADMIN, Principal
from common.db import read_only, transactional, unit_of_work
from common.errors import Conflict, Forbidden, Invalid, NotFound
from services.evidence import checks, intake, rules
from services.evidence.forms import layout, readback, render
from services.evidence.forms.library import TemplateLibrary, Version
from services.evidence.forms.lookups import Lookups
from services.evidence.models import TemplateVersion
from services.evidence.store import ObjectStore

NOT_SET = "ยังไม่ได้กำหนด"
MAX_TEMPLATE_BYTES = 10 * 1024 * 1024
DOCX = rules.CONTENT_TYPES["docx"]


@dataclass(frozen=True)
class FormRequest:
    year: int
    kpi: str
    unit: str
    period: str
    version: int | None = None


@dataclass(frozen=True)
class RenderedForm:
    filename: str
    content: bytes
    version: Version


def download_form(
    sessions: sessionmaker[Session],
    library: TemplateLibrary,
    lookups: Lookups,
    principal: Principal,
    req: FormRequest,
) -> RenderedForm:
    """The KPI's form for a unit and period, prefilled from the catalogue (asked while no
    transaction is open: the template's version is read in one of its own)."""
    errors = rules.field_errors(req.unit, str(req.year), req.kpi, req.period)
    if errors:
        raise Invalid("Some fields are not valid: " + ", ".join(sorted(errors)), errors=errors)
    if not principal.may_see_unit(req.unit):
        raise Forbidden("Only the unit's own people, reviewers, auditors and admins get its forms.")
    kpi = lookups.kpi(req.year, req.kpi)
    if kpi.get("method") != "template":
        raise NotFound(f"KPI {req.kpi} is reported by {kpi.get('method')}; it has no form.")
    version, source = template_source(sessions, library, req.kpi, req.version)
    decision = lookups.applicability(req.year, req.unit, req.kpi, req.period)
    if not decision.get("reports"):
        field = "period" if decision.get("period") is None else "unit"
        reason = decision.get("reason") or "The unit does not report this KPI."
        raise Invalid(reason, errors={field: [reason]})
    scoring = lookups.scoring(req.year, req.kpi)
    context = form_context(req, version, kpi, decision, scoring, lookups)
    content = render.render(source, context, _stamped(req, version))
    filename = f"แบบรายงาน_{req.kpi}_{req.unit}_{req.year}_{req.period}.docx"
    return RenderedForm(filename, content, version)


def _stamped(req: FormRequest, version: Version) -> dict[str, str]:
    """The form's rbm.* properties: what it was made for."""
    return {
        "template": layout.template_id(req.kpi),
        "template_version": str(version.version),
        "unit": req.unit,
        "year": str(req.year),
        "kpi": req.kpi,
        "period": req.period,
    }


def _thai(day: str | None) -> str:
    return fiscal.thai_date(date.fromisoformat(day)) if day else NOT_SET


def _target(kpi: dict, row: dict | None) -> str:
    if not row or row.get("target") is None:
        return NOT_SET
    value = f"{row['target']:g}"
    measure = kpi.get("measure")
    return {"level": f"ระดับ {value}", "percent": f"ร้อยละ {value}"}.get(str(measure), value)


def _person(username: str | None, names: dict[str, str]) -> str:
    if not username:
        return NOT_SET
    name = names.get(username)
    return f"{name} ({username})" if name and name != username else username


def form_context(
    req: FormRequest, version: Version, kpi: dict, decision: dict, scoring: dict, lookups: Lookups
) -> dict[str, Any]:
    """Everything a template may use; an admin's template is checked against the same names."""
    unit = lookups.unit(req.unit)
    assignment = lookups.assignment(req.year, req.unit, req.kpi) or {}
    people = [assignment.get("responsible"), assignment.get("data_collector")]
    names = lookups.display_names(req.unit) if any(people) else {}
    period = decision.get("period") or {}
    starts, ends = fiscal.period_dates(req.year, req.period)
    return {
        "department": layout.DEPARTMENT,
        "form": {"id": layout.template_id(req.kpi), "version": version.version},
        "kpi": {
            "code": req.kpi,
            "name_th": kpi.get("name_th", ""),
            "name_en": kpi.get("name_en", ""),
        },
        "unit": {"code": req.unit, "name_th": unit.get("name_th", req.unit)},
        "year": req.year,
        "period": {
            "code": req.period,
            "label": fiscal.period_label_th(req.period),
            "starts": _thai(period.get("starts_on") or starts.isoformat()),
            "ends": _thai(period.get("ends_on") or ends.isoformat()),
        },
        "target": _target(kpi, lookups.target(req.year, req.unit, req.kpi)),
        "responsible": _person(people[0], names),
        "data_collector": _person(people[1], names),
        "due_on": _thai(period.get("due_on")),
        "milestones": layout.milestones(scoring),
        "criteria": layout.criteria(scoring),
        "process_rows": list(range(1, layout.PROCESS_ROWS + 1)),
        "generated_on": fiscal.thai_date(fiscal.today()),
    }


def sample_context(kpi: str, version: int) -> dict[str, Any]:
    """A context with every name filled, to try an uploaded template before accepting it."""
    return {
        "department": layout.DEPARTMENT,
        "form": {"id": layout.template_id(kpi), "version": version},
        "kpi": {"code": kpi, "name_th": "ตัวชี้วัดตัวอย่าง", "name_en": "Sample KPI"},
        "unit": {"code": "R1", "name_th": "สำนักประชาสัมพันธ์เขต 1 (ตัวอย่าง)"},
        "year": 2547,
        "period": {
            "code": "Q1",
            "label": "ไตรมาสที่ 1",
            "starts": "1 ตุลาคม 2546",
            "ends": "31 ธันวาคม 2546",
        },
        "target": "ระดับ 3",
        "responsible": "ผู้รับผิดชอบ (ตัวอย่าง)",
        "data_collector": "ผู้จัดเก็บข้อมูล (ตัวอย่าง)",
        "due_on": "15 มกราคม 2547",
        "milestones": layout.milestones(None),
        "criteria": layout.criteria(None),
        "process_rows": list(range(1, layout.PROCESS_ROWS + 1)),
        "generated_on": "1 ตุลาคม 2546",
    }


@read_only
def list_templates(session: Session, library: TemplateLibrary) -> list[dict[str, Any]]:
    return [
        {
            "kpi": kpi,
            "template_id": layout.template_id(kpi),
            "versions": library.versions(session, kpi),
        }
        for kpi in library.kpis(session)
    ]


class _NoStaging(intake.Listener):
    """A template is small and checked whole before it is stored: nothing streams to the store."""

    def file_started(self, fields, filename, spool) -> None:
        if checks.check_extension(rules.clean_filename(filename)) != "docx":
            raise Invalid("A template is a .docx file.", errors={"file": ["Not a .docx."]})

    def grown(self, size: int) -> None:
        pass


def replace_template(
    session_factory: sessionmaker[Session],
    library: TemplateLibrary,
    store: ObjectStore,
    principal: Principal,
    kpi: str,
    stream,
    boundary: bytes,
) -> Version:
    """Accept an admin's new template for a KPI once a sample render of it works."""
    received, filename, source = _received_template(principal, kpi, stream, boundary)
    with unit_of_work(session_factory) as session:
        number = library.next_version(session, kpi)
    _try_render(kpi, number, source)
    key = f"templates/{kpi}/{uuid.uuid4()}.docx"
    object_version = store.put(key, source, DOCX)
    try:
        with unit_of_work(session_factory) as session:
            session.add(
                TemplateVersion(
                    kpi=kpi,
                    version=number,
                    filename=filename,
                    size=received.size,
                    sha256=received.sha256,
                    object_key=key,
                    object_version=object_version,
                    created_by=principal.username,
                )
            )
    except sqlalchemy.exc.IntegrityError as exc:
        store.purge(key, object_version)
        raise Conflict("Another template for this KPI was uploaded at once; send again.") from exc
    with unit_of_work(session_factory) as session:
        return next(v for v in library.versions(session, kpi) if v.version == number)


def _received_template(principal: Principal, kpi: str, stream, boundary: bytes):
    """An admin's uploaded template, past the file checks: (received, clean name, bytes)."""
    principal.require_role(ADMIN)
    received = intake.receive(stream, boundary, MAX_TEMPLATE_BYTES, _NoStaging(), frozenset())
    with received.spool:
        filename = rules.clean_filename(received.filename)
        checks.inspect(received.spool, filename)
        received.spool.seek(0)
        return received, filename, received.spool.read()


def preview_template(
    session_factory: sessionmaker[Session],
    library: TemplateLibrary,
    principal: Principal,
    kpi: str,
    stream,
    boundary: bytes,
) -> dict:
    """The form a new template would make with sample data, as text; nothing is stored."""
    _received, _filename, source = _received_template(principal, kpi, stream, boundary)
    with unit_of_work(session_factory) as session:
        number = library.next_version(session, kpi)
    document = _try_render(kpi, number, source)
    return {
        "kpi": kpi,
        "version": number,
        "paragraphs": [p.text for p in document.paragraphs if p.text.strip()],
        "tables": [[[c.text for c in row.cells] for row in t.rows] for t in document.tables],
    }


def _try_render(kpi: str, number: int, source: bytes):
    """Render the template with sample data; 422 saying why when it does not make a form."""
    sample = sample_context(kpi, number)
    try:
        rendered = render.render(source, sample, {"template": layout.template_id(kpi)})
        document = docx.Document(BytesIO(rendered))
    except render.TemplateError as exc:
        raise _refused(f"The template does not render: {exc}") from exc
    except Exception as exc:  # noqa: BLE001 - docxtpl and lxml fail in many ways on bad templates
        raise _refused(f"The template does not render: {type(exc).__name__}: {exc}") from exc
    needed = [layout.MILESTONE_HEADER] + (
        [layout.PROCESS_HEADER] if layout.needs_process_table(kpi) else []
    )
    for header in needed:
        if readback.find_table(document, header) is None:
            raise _refused(
                "The template lacks the table whose header starts "
                f"{' | '.join(header)}; filled forms could not be read back."
            )
    return document


def _refused(detail: str) -> Invalid:
    return Invalid(detail, errors={"file": [detail]}, reason="template-render")


@transactional
def template_source(
    session: Session, library: TemplateLibrary, kpi: str, version: int | None
) -> tuple[Version, bytes]:
    return library.source(session, kpi, version)
