"""Form templates: built by code, listed, replaced by admins after a trial render, kept forever."""

from __future__ import annotations

import io
import zipfile

import docx
import pytest

from services.evidence.forms import build_templates
from tests.evidence import samples

TEMPLATES = "/api/evidence/templates"


def xml_parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {n: archive.read(n) for n in archive.namelist() if n.startswith("word/")}


@pytest.mark.parametrize("kpi", ["4.1", "7.1", "9.3"])
def test_the_committed_templates_are_what_the_builder_makes(kpi, tmp_path):
    build_templates.main(tmp_path)
    built = (tmp_path / f"{kpi}.docx").read_bytes()
    committed = (build_templates.TEMPLATES / f"{kpi}.docx").read_bytes()
    assert xml_parts(built) == xml_parts(committed)


def test_the_templates_name_th_sarabun_new_on_a4(tmp_path):
    document = docx.Document(build_templates.TEMPLATES / "4.1.docx")
    section = document.sections[0]
    assert (section.page_width.mm, section.page_height.mm) == pytest.approx((210, 297), abs=0.5)
    assert (
        b'w:cs="TH Sarabun New"'
        in xml_parts((build_templates.TEMPLATES / "4.1.docx").read_bytes())["word/styles.xml"]
    )


def test_the_three_forms_are_listed_with_their_built_in_first_version(as_user):
    listed = {t["kpi"]: t for t in as_user("reporter1").get(TEMPLATES).json()}
    assert {"4.1", "7.1", "9.3"} <= set(listed)
    first = listed["4.1"]["versions"][0]
    assert (first["version"], first["builtin"], listed["4.1"]["template_id"]) == (
        1,
        True,
        "rbm-form-4.1",
    )


def test_the_built_in_template_source_is_downloadable(as_user):
    resp = as_user("reporter1").get(f"{TEMPLATES}/4.1/versions/1")
    assert resp.content == (build_templates.TEMPLATES / "4.1.docx").read_bytes()


def with_paragraph(template: bytes, text: str) -> bytes:
    document = docx.Document(io.BytesIO(template))
    document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def upload_template(http, kpi: str, content: bytes, filename="แม่แบบ.docx"):
    return http.post(f"{TEMPLATES}/{kpi}", files={"file": (filename, content)})


def test_an_admins_new_template_becomes_the_form_and_the_old_version_stays(as_user):
    admin, reporter = as_user("admin"), as_user("reporter1")
    builtin = (build_templates.TEMPLATES / "9.3.docx").read_bytes()
    created = upload_template(admin, "9.3", with_paragraph(builtin, "ฉบับปรับปรุงโดยผู้ดูแลระบบ"))
    assert created.status_code == 201, created.text
    version = created.json()["version"]
    params = {"unit": "R1", "period": "Q4"}
    newest = reporter.get(f"{TEMPLATES}/2547/9.3", params=params)
    oldest = reporter.get(f"{TEMPLATES}/2547/9.3", params={**params, "version": 1})
    assert newest.headers["X-Template-Version"] == str(version) and version >= 2
    assert "ฉบับปรับปรุงโดยผู้ดูแลระบบ" in samples.docx_text(newest.content)
    assert "ฉบับปรับปรุงโดยผู้ดูแลระบบ" not in samples.docx_text(oldest.content)


def test_a_template_that_does_not_render_is_422_and_kept_nowhere(as_user, unchanged):
    broken = with_paragraph(
        (build_templates.TEMPLATES / "7.1.docx").read_bytes(), "{{ unit.name_th "
    )
    with unchanged():
        resp = upload_template(as_user("admin"), "7.1", broken)
    assert resp.status_code == 422 and resp.json()["reason"] == "template-render"


def test_a_template_using_a_name_the_form_does_not_provide_is_422(as_user, unchanged):
    unknown = with_paragraph((build_templates.TEMPLATES / "7.1.docx").read_bytes(), "{{ budget }}")
    with unchanged():
        resp = upload_template(as_user("admin"), "7.1", unknown)
    assert resp.status_code == 422 and "budget" in resp.json()["detail"]


def test_a_template_without_the_table_of_levels_is_422(as_user, unchanged):
    with unchanged():
        resp = upload_template(as_user("admin"), "7.1", samples.docx_file("{{ unit.name_th }}"))
    assert resp.status_code == 422 and "ระดับ" in resp.json()["detail"]


def test_a_template_that_reaches_for_python_internals_is_refused(as_user, unchanged):
    escape = "{{ unit.__class__.__mro__ }}"
    hostile = with_paragraph((build_templates.TEMPLATES / "7.1.docx").read_bytes(), escape)
    with unchanged():
        resp = upload_template(as_user("admin"), "7.1", hostile)
    assert resp.status_code == 422


def test_a_template_with_macros_is_refused_like_any_upload(as_user, unchanged):
    from tests.evidence.test_checks import macro_docx

    with unchanged():
        resp = upload_template(as_user("admin"), "7.1", macro_docx())
    assert resp.status_code == 422 and resp.json()["reason"] == "macros"


def test_only_an_admin_replaces_a_template(as_user, unchanged):
    template = (build_templates.TEMPLATES / "7.1.docx").read_bytes()
    with unchanged():
        resp = upload_template(as_user("reviewer"), "7.1", template)
    assert resp.status_code == 403
