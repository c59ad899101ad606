"""The audit trail: every change recorded, hash-chained, append-only, and verifiably so."""

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from common.config import from_env
from common.db import make_engine, make_session_factory, migrate, unit_of_work
from common.web import runtime_of
from services.workflow import audit
from tests.conftest import fresh_database
from tests.workflow.conftest import API

MIGRATIONS = Path(audit.__file__).parent / "migrations"


def test_every_change_to_a_report_is_in_its_audit(crew):
    report = crew.create(kpi="2.1", period="M01")
    crew.reporter.patch(f"{API}/reports/{report['id']}", json={"note": "แก้ไข"})
    crew.act(crew.reporter, report, "submit")
    entries = crew.reporter.get(f"{API}/reports/{report['id']}/audit").json()
    assert [e["action"] for e in entries] == ["create", "edit", "submit"]
    assert entries[1]["changes"]["note"] == {"before": "", "after": "แก้ไข"}
    assert entries[2]["changes"]["state"] == {"before": "draft", "after": "submitted"}
    assert all(e["actor"] == crew.team.reporter and e["at"] for e in entries)
    assert all(len(e["hash"]) == 64 and len(e["prev_hash"]) == 64 for e in entries)


def test_another_units_user_cannot_read_a_reports_audit(crew, as_user):
    report = crew.create(kpi="2.1", period="M02")
    assert as_user("reporter2").get(f"{API}/reports/{report['id']}/audit").status_code == 404


def test_the_trail_verifies_for_an_auditor(crew, as_user):
    crew.create(kpi="2.1", period="M03")
    body = as_user("auditor").get(f"{API}/audit/verify").json()
    assert body["intact"] is True and body["entries"] >= 1
    assert "first_bad" not in body


def test_a_reporter_may_not_run_the_verification(crew):
    assert crew.reporter.get(f"{API}/audit/verify").status_code == 403


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_entries SET comment = 'forged'",
        "DELETE FROM audit_entries",
        "TRUNCATE audit_entries",
    ],
)
def test_the_database_refuses_to_change_or_remove_entries(live, crew, statement):
    crew.create(kpi="2.1", period="M04")
    engine = runtime_of(live.app("workflow")).engine
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
        conn.execute(text(statement))
    assert live.session("auditor").get(f"{API}/audit/verify").json()["intact"] is True


# --- tampering, in a workflow database of the test's own -----------------------------------


@pytest.fixture
def trail_db(postgres_url, tmp_path):
    """A migrated workflow database holding a trail of five entries, dropped afterwards."""
    with fresh_database(f"rbm_audit_{uuid.uuid4().hex[:10]}") as url:
        engine = make_engine(from_env("workflow", {"RBM_DATABASE_URL": url}))
        migrate(engine, MIGRATIONS)
        factory = make_session_factory(engine)
        for n in range(1, 6):
            append(factory, n)
        yield url, factory
        engine.dispose()


@pytest.fixture
def sqlite_trail(tmp_path):
    """The same trail in a SQLite file, as the embedded system keeps it."""
    engine = make_engine(
        from_env("workflow", {"RBM_DATABASE_URL": f"sqlite:///{tmp_path / 'workflow.db'}"})
    )
    migrate(engine, MIGRATIONS)
    factory = make_session_factory(engine)
    for n in range(1, 6):
        append(factory, n)
    yield factory
    engine.dispose()


def append(factory, n: int) -> None:
    with unit_of_work(factory) as session:
        audit.Trail(session).append(
            subject="report",
            subject_id=f"r{n}",
            actor="reporter1",
            action="create",
            changes={"value": {"before": None, "after": n * 1.5}, "note": {"after": "บันทึก"}},
        )


def tamper(url: str, statement: str) -> None:
    """As the database owner: switch the append-only trigger off, then change the trail."""
    with psycopg.connect(url, autocommit=True) as owner:
        owner.execute("ALTER TABLE workflow.audit_entries DISABLE TRIGGER USER")
        owner.execute(statement)


def verified(factory) -> dict:
    with unit_of_work(factory) as session:
        return audit.verify(session).as_dict()


def test_an_untouched_trail_is_intact(trail_db):
    assert verified(trail_db[1]) == {"intact": True, "entries": 5}


def test_an_edited_entry_breaks_the_chain_where_it_was_edited(trail_db):
    url, factory = trail_db
    tamper(url, "UPDATE workflow.audit_entries SET actor = 'someone' WHERE seq = 3")
    result = verified(factory)
    assert (result["intact"], result["first_bad"]) == (False, 3)


def test_a_deleted_entry_breaks_the_chain_where_it_was(trail_db):
    url, factory = trail_db
    tamper(url, "DELETE FROM workflow.audit_entries WHERE seq = 2")
    result = verified(factory)
    assert (result["intact"], result["first_bad"]) == (False, 2)


def test_a_deleted_last_entry_is_noticed(trail_db):
    url, factory = trail_db
    tamper(url, "DELETE FROM workflow.audit_entries WHERE seq = 5")
    result = verified(factory)
    assert (result["intact"], result["first_bad"]) == (False, 5)


def test_a_rehashed_entry_still_breaks_the_next_link(trail_db):
    url, factory = trail_db
    with unit_of_work(factory) as session:
        entry = session.get(audit.AuditEntry, 2)
        entry.comment = "forged"
        forged = audit.entry_hash(entry)
        session.expunge(entry)
    tamper(
        url,
        f"UPDATE workflow.audit_entries SET comment = 'forged', hash = '{forged}' WHERE seq = 2",
    )
    result = verified(factory)
    assert (result["intact"], result["first_bad"]) == (False, 3)


@pytest.mark.backend
@pytest.mark.parametrize("store", ["postgresql", "sqlite"])
def test_a_change_committed_while_verifying_is_not_taken_for_tampering(request, store):
    """The check reads the trail, its head and the reports in several statements: all of them
    see the database as it was when the check began, whatever commits in between."""
    factory = request.getfixturevalue("trail_db")[1] if store == "postgresql" else None
    factory = factory or request.getfixturevalue("sqlite_trail")
    with unit_of_work(factory, writes=False) as checking:
        audit.read_one_moment(checking)
        checking.get(audit.AuditHead, audit.HEAD_ID)  # the check's first read
        append(factory, 6)  # a transition commits meanwhile
        assert audit.verify(checking).as_dict() == {"intact": True, "entries": 5}
    assert verified(factory) == {"intact": True, "entries": 6}


def run_command(url: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RBM_")}
    return subprocess.run(
        [sys.executable, "-m", "services.workflow.verify_audit"],
        env={**env, "RBM_DATABASE_URL": url},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_the_command_prints_the_verification(trail_db):
    done = run_command(trail_db[0])
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"intact": True, "entries": 5}


def test_the_command_fails_on_a_broken_chain(trail_db):
    tamper(trail_db[0], "UPDATE workflow.audit_entries SET comment = 'x' WHERE seq = 4")
    done = run_command(trail_db[0])
    assert done.returncode == 1
    assert json.loads(done.stdout)["first_bad"] == 4
