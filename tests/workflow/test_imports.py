"""Imports (1.1, 3.1, 5.1, 8.1): a file checked row by row, dry run first, then written at once."""

from __future__ import annotations

import hashlib
import io
import random
import uuid

import pytest

from services.workflow import import_cli
from tests.conftest import login
from tests.workflow.conftest import API, YEAR

EXAMPLES = "services/workflow/examples"


def send(who, content: bytes, kpi: str, filename: str = "feed.csv", dry_run=False, **form):
    return who.post(
        f"{API}/imports",
        data={"year": str(YEAR), "kpi": kpi, "dry_run": str(dry_run).lower(), **form},
        files={"file": (filename, io.BytesIO(content))},
    )


def progress_file(unit: str, *figures: tuple[str, int, int]) -> bytes:
    """A 1.1 file: (period, targets, targets met) rows of one unit."""
    lines = ["unit,period,targets,targets_met"]
    lines += [f"{unit},{period},{targets},{met}" for period, targets, met in figures]
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture
def reviewer(as_user):
    return as_user("reviewer")


def new_unit(live) -> str:
    """A provincial office of its own, without people: imports need none."""
    admin = live.session("admin")
    for _ in range(30):
        code = f"R{random.randint(1, 8)}-{random.randint(10, 99)}"
        body = {"code": code, "name_th": f"สำนักงานทดสอบ {code}", "kind": "province"}
        resp = admin.post("/api/catalogue/units", json={**body, "parent": code.split("-")[0]})
        if resp.status_code == 201:
            return code
        assert resp.status_code == 409, resp.text
    raise AssertionError("no free provincial office code left")


@pytest.fixture
def unit(live) -> str:
    return new_unit(live)


def reports_of(who, unit: str, kpi: str = "1.1") -> list[dict]:
    resp = who.get(f"{API}/reports", params={"year": YEAR, "unit": unit, "kpi": kpi})
    assert resp.status_code == 200, resp.text
    return resp.json()


def audit_of(who, report_id: str) -> list[dict]:
    return who.get(f"{API}/reports/{report_id}/audit").json()


class TestExamples:
    def test_the_expenditure_file_fills_3_1_and_5_1_for_every_region_and_month(
        self, reviewer, repo_root
    ):
        content = (repo_root / EXAMPLES / "expenditure-2547.csv").read_bytes()
        for kpi in ("3.1", "5.1"):
            resp = send(reviewer, content, kpi, "expenditure-2547.csv")
            assert resp.status_code == 200, resp.text
            assert len(resp.json()["rows"]) == 96
            params = {"year": YEAR, "kpi": kpi, "limit": 1000}
            listed = reviewer.get(f"{API}/reports", params=params).json()
            done = {(r["unit"], r["period"]) for r in listed if r["state"] == "approved"}
            regions = {(f"R{r}", f"M{m:02d}") for r in range(1, 9) for m in range(1, 13)}
            assert regions <= done

    @pytest.mark.parametrize(
        ("name", "kpi", "filled"),
        [
            ("progress-2547.csv", "1.1", {("R3", "M07"), ("R8", "M12")}),
            ("opdc-survey-2547.xlsx", "8.1", {("PRD", "Y")}),
        ],
    )
    def test_the_progress_and_survey_files_fill_theirs(
        self, reviewer, repo_root, name, kpi, filled
    ):
        resp = send(reviewer, (repo_root / EXAMPLES / name).read_bytes(), kpi, name)
        assert resp.status_code == 200, resp.text
        assert filled <= {(r["unit"], r["period"]) for r in resp.json()["rows"]}


class TestOneImport:
    def test_each_row_becomes_an_approved_report_valued_from_the_source(self, reviewer, unit):
        resp = send(reviewer, progress_file(unit, ("M01", 8, 6), ("M02", 10, 10)), "1.1")
        assert resp.status_code == 200, resp.text
        assert (resp.json()["created"], resp.json()["updated"]) == (2, 0)
        report = next(r for r in reports_of(reviewer, unit) if r["period"] == "M01")
        assert (report["state"], report["value"], report["value_source"]) == (
            "approved",
            75.0,
            "import",
        )

    def test_the_source_file_is_kept_as_evidence_with_its_sha256(self, reviewer, unit):
        content = progress_file(unit, ("M03", 4, 3))
        result = send(reviewer, content, "1.1").json()
        meta = reviewer.get(f"/api/evidence/files/{result['evidence_id']}").json()
        assert meta["sha256"] == hashlib.sha256(content).hexdigest() == result["file"]["sha256"]
        report = reports_of(reviewer, unit)[0]
        assert report["evidence_ids"] == [result["evidence_id"]]

    def test_an_imported_report_is_announced_as_approved(self, reviewer, unit, outbox_events):
        send(reviewer, progress_file(unit, ("M04", 4, 3)), "1.1")
        report = reports_of(reviewer, unit)[0]
        assert outbox_events("workflow.report.approved", report_id=report["id"])

    def test_an_imported_figure_carries_its_source_numerator_and_denominator(
        self, reviewer, unit, outbox_events
    ):
        """3.1 from budget 1,000 and spent 900: 100 saved of 1,000 = 10 %, so that units and
        months add up as Σ saved / Σ budget."""
        content = f"unit,period,budget,spent\n{unit},M01,1000,900\n".encode()
        assert send(reviewer, content, "3.1").status_code == 200
        report = reports_of(reviewer, unit, "3.1")[0]
        [event] = outbox_events("workflow.report.approved", report_id=report["id"])
        facts = {k: event["data"][k] for k in ("value", "numerator", "denominator")}
        assert facts == {"value": 10.0, "numerator": 100.0, "denominator": 1000.0}


class TestAgain:
    def test_the_same_file_twice_changes_nothing(self, reviewer, unit):
        content = progress_file(unit, ("M01", 8, 6))
        send(reviewer, content, "1.1")
        report = reports_of(reviewer, unit)[0]
        again = send(reviewer, content, "1.1").json()
        assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 1)
        assert reports_of(reviewer, unit)[0]["version"] == report["version"]

    def test_a_later_figure_makes_a_new_version_and_the_audit_shows_old_to_new(
        self, reviewer, unit
    ):
        send(reviewer, progress_file(unit, ("M01", 8, 6)), "1.1")
        later = send(reviewer, progress_file(unit, ("M01", 8, 8)), "1.1", "later.csv").json()
        assert later["rows"][0]["action"] == "update"
        report = reports_of(reviewer, unit)[0]
        assert (report["value"], report["version"]) == (100.0, 2)
        last = audit_of(reviewer, report["id"])[-1]
        assert last["changes"]["value"] == {"before": 75.0, "after": 100.0}
        assert "later.csv" in last["comment"]

    def test_a_cp874_file_gives_the_same_reports_as_utf8(self, reviewer, unit):
        text = f"หน่วยงาน,งวด,เป้าหมาย,เป้าหมายที่บรรลุ\r\n{unit},M05,6,3\r\n"
        first = send(reviewer, text.encode("cp874"), "1.1").json()
        second = send(reviewer, text.encode(), "1.1").json()
        assert (first["created"], second["unchanged"]) == (1, 1)
        assert first["file"]["encoding"] == "cp874"


class TestRefused:
    def test_a_file_with_one_bad_row_imports_nothing_and_names_the_row(self, reviewer, unit):
        content = progress_file(unit, ("M01", 8, 6), ("M02", 8, 9), ("M01", 8, 6))
        resp = send(reviewer, content, "1.1")
        assert resp.status_code == 422
        assert resp.headers["Content-Type"] == "application/problem+json"
        rows = resp.json()["rows"]
        assert [r["line"] for r in rows] == [3, 4]
        assert "outside 0..100" in rows[0]["errors"][0]
        assert "Duplicate" in rows[1]["errors"][0]
        assert reports_of(reviewer, unit) == []

    def test_a_dry_run_says_what_would_change_and_writes_nothing(self, reviewer, unit):
        resp = send(reviewer, progress_file(unit, ("M01", 8, 6)), "1.1", dry_run=True)
        assert resp.json()["rows"][0]["action"] == "create"
        assert reports_of(reviewer, unit) == []

    @pytest.mark.parametrize(
        ("content", "name", "status"),
        [
            (b"unit,period,value\n{unit},M01,=cmd|' /C calc'!A0\n", "f.csv", 422),
            (b"unit,period,value\n" + b"9" * (11 * 1024 * 1024), "f.csv", 413),
            (b"unit,period,value\n{unit},M01,5\n", "f.xlsm", 415),
            (b'unit,period,value\n"{unit},M01,5\n', "f.csv", 422),
            (b"unit,period,value,note\n{unit},M01,5,=cmd|' /C calc'!A0\n", "f.csv", 422),
        ],
    )
    def test_bad_input_is_a_clear_4xx_and_writes_nothing(
        self, live, reviewer, unit, content, name, status
    ):
        resp = send(reviewer, content.replace(b"{unit}", unit.encode()), "1.1", name)
        assert resp.status_code == status, resp.text
        assert resp.json()["detail"]
        # A fresh connection: the server may close one whose body it refused to read.
        assert reports_of(live.session("reviewer"), unit) == []

    def test_a_formula_in_an_extra_column_is_refused_naming_its_cell_and_writes_nothing(
        self, reviewer, unit
    ):
        content = f"unit,period,value,note\n{unit},M01,5,=cmd|' /C calc'!A0\n".encode()
        resp = send(reviewer, content, "1.1")
        assert (resp.status_code, resp.json()["reason"]) == (422, "formula")
        assert resp.json()["errors"]["file"][0].startswith("Line 2, column D (note) begins")
        assert reports_of(reviewer, unit) == []

    @pytest.mark.parametrize("dry_run", [True, False])
    def test_a_txt_file_is_refused_alike_by_the_dry_run_and_the_import(
        self, reviewer, unit, dry_run
    ):
        content = f"unit,period,targets,targets_met\n{unit},M01,8,6\n".encode()
        resp = send(reviewer, content, "1.1", "feed.txt", dry_run=dry_run)
        assert (resp.status_code, resp.json()["reason"]) == (415, "type-not-allowed")
        assert reports_of(reviewer, unit) == []

    def test_a_kpi_units_type_in_cannot_be_imported(self, reviewer, unit):
        resp = send(reviewer, b"unit,period,value\nR1,M01,5\n", "2.2")
        assert resp.status_code == 422
        assert "not imported" in resp.json()["errors"]["kpi"][0]

    def test_an_import_may_carry_the_departments_own_row(self, reviewer):
        content = b"unit,period,budget,spent\nPRD,M01,1000,960\n"
        resp = send(reviewer, content, "3.1", dry_run=True)
        assert resp.status_code == 200, resp.text
        assert [(r["unit"], r["value"]) for r in resp.json()["rows"]] == [("PRD", 4.0)]

    def test_a_reporter_may_not_import(self, as_user):
        resp = send(as_user("reporter1"), progress_file("R1", ("M01", 8, 6)), "1.1")
        assert resp.status_code == 403

    def test_units_still_cannot_type_a_feed_kpi(self, as_user):
        body = {"year": YEAR, "kpi": "3.1", "unit": "R1", "period": "M01", "numerator": 1}
        resp = as_user("reporter1").post(f"{API}/reports", json=body)
        assert resp.status_code == 422
        assert "expenditure system (feed)" in resp.json()["detail"]


@pytest.fixture(scope="module")
def machine(live):
    """A machine account for scheduled imports, signed in."""
    name = f"feed-{uuid.uuid4().hex[:8]}"
    body = {
        "username": name,
        "display_name": "บัญชีนำเข้าข้อมูลตามกำหนด",
        "password": "machine-password-1",
        "memberships": [{"unit": "PRD", "role": "importer"}],
    }
    resp = live.session("admin").post("/api/identity/users", json=body)
    assert resp.status_code == 201, resp.text
    return login(live, name, "machine-password-1")


class TestMachineAccount:
    def test_a_machine_account_imports(self, machine, unit):
        resp = send(machine, progress_file(unit, ("M06", 5, 5)), "1.1")
        assert resp.status_code == 200, resp.text
        assert resp.json()["created"] == 1

    @pytest.mark.parametrize(
        "path", ["/api/workflow/reports", "/api/identity/me", "/api/catalogue/units"]
    )
    def test_a_machine_account_can_do_nothing_else(self, machine, path):
        assert machine.get(path).status_code == 403

    def test_an_importer_holds_no_other_role(self, as_user):
        body = {
            "username": f"feed-{uuid.uuid4().hex[:8]}",
            "display_name": "Both",
            "password": "machine-password-1",
            "memberships": [
                {"unit": "PRD", "role": "importer"},
                {"unit": "R1", "role": "reporter"},
            ],
        }
        resp = as_user("admin").post("/api/identity/users", json=body)
        assert resp.status_code == 422


class TestCommandLine:
    def test_a_dry_run_of_the_example_lists_every_row_and_writes_nothing(
        self, live, repo_root, monkeypatch, capsys
    ):
        monkeypatch.setenv("RBM_URL", live.url)
        monkeypatch.setenv("RBM_TOKEN", live.token("reviewer"))
        example = repo_root / EXAMPLES / "progress-2547.csv"
        status = import_cli.main([str(example), "--kpi", "1.1", "--year", "2547", "--dry-run"])
        out = capsys.readouterr().out
        assert status == 0
        assert "(would be written)" in out and len(out.splitlines()) == 97

    def test_a_refused_file_names_its_bad_rows(self, live, tmp_path, monkeypatch, capsys):
        monkeypatch.setenv("RBM_URL", live.url)
        monkeypatch.setenv("RBM_TOKEN", live.token("reviewer"))
        bad = tmp_path / "bad.csv"
        bad.write_text("unit,period,value\nR1,M13,5\n")
        assert import_cli.main([str(bad), "--kpi", "1.1", "--year", "2547"]) == 1
        assert "line 2: Period 'M13'" in capsys.readouterr().out


def test_an_import_without_its_fields_names_them(as_user):
    resp = as_user("reviewer").post(
        f"{API}/imports", files={"file": ("f.csv", io.BytesIO(b"unit,period,value\n"))}
    )
    assert resp.status_code == 422
    assert {"year", "kpi"} <= set(resp.json()["errors"])
