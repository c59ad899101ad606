"""Reminders from the catalogue's schedule with an injected "today": before the due date the
reporters and the data collector, the day after it the head, later the management group;
once per person per KPI, period and stage however often the run repeats."""

from __future__ import annotations

import threading
from datetime import date, timedelta

import pytest

from common.config import from_env
from common.db import unit_of_work
from common.tasks import worker_dependencies
from services.notifications.models import Assignment, ReportState
from services.notifications.routines import WorkerDependencies, run_reminders
from services.notifications.tasks import SEND_REMINDERS
from services.notifications.worker import create_celery
from tests.notifications.conftest import report_data
from tests.waiting import eventually

YEAR, KPI, PERIOD = 2547, "2.1", "M03"


def source(stage: str, unit: str, kpi: str = KPI) -> str:
    return f"reminder:{stage}:{YEAR}:{unit}:{kpi}:{PERIOD}"


@pytest.fixture(scope="module")
def reminder_runtime(live):
    """The Celery tasks' runtime on the live system's database, called in this process."""
    return worker_dependencies(
        create_celery(from_env("notifications", live.env)), WorkerDependencies
    )


@pytest.fixture
def office(make_team, people, store, live):
    """A fresh provincial office, its data collector for KPI 2.1, and the due date of M03."""
    team = make_team()
    (collector,) = people((team.unit, "reporter"))
    admin = live.session("admin")
    resp = admin.put(
        f"/api/catalogue/years/{YEAR}/assignments",
        json=[
            {"unit": team.unit, "kpi": KPI, "responsible": team.head, "data_collector": collector}
        ],
    )
    assert resp.status_code == 200, resp.text
    for name in (team.reporter, team.head):
        eventually(lambda n=name: store.person(n), what=f"{name} known")
    with_factory = store.factory

    def assigned():
        with unit_of_work(with_factory) as session:
            return session.get(Assignment, (YEAR, team.unit, KPI))

    eventually(assigned, what="the data collector known")
    rows = admin.get(
        f"/api/catalogue/years/{YEAR}/schedule",
        params={"unit": team.unit, "kpi": KPI, "period": PERIOD},
    ).json()
    (row,) = rows
    return team, collector, date.fromisoformat(row["due_on"])


def test_before_the_due_date_the_reporters_and_the_data_collector_are_reminded(
    office, store, reminder_runtime
):
    team, collector, due_on = office
    run_reminders(reminder_runtime, due_on - timedelta(days=2), team.unit)
    assert store.recipients(source("due_soon", team.unit)) == sorted([team.reporter, collector])
    (note, *_) = store.notifications(source=source("due_soon", team.unit))
    assert note.kind == "due_soon" and note.title.startswith("ใกล้ถึงกำหนดส่งรายงาน")
    assert "อีก 2 วัน" in note.body


def test_the_day_after_the_due_date_the_head_is_told(office, store, reminder_runtime):
    team, _, due_on = office
    run_reminders(reminder_runtime, due_on + timedelta(days=1), team.unit)
    assert store.recipients(source("overdue", team.unit)) == [team.head]
    assert store.recipients(source("due_soon", team.unit)) == []


def test_after_the_escalation_delay_the_management_group_is_told(
    office, people, store, reminder_runtime
):
    team, _, due_on = office
    (msd_reviewer,) = people(("MSD", "reviewer"))
    run_reminders(reminder_runtime, due_on + timedelta(days=7), team.unit)
    told = store.recipients(source("escalation", team.unit))
    assert msd_reviewer in told and "reviewer" in told
    assert not {team.head, team.reporter} & set(told)


def test_running_again_the_same_day_reminds_nobody_twice(office, store, reminder_runtime):
    team, _, due_on = office
    today = due_on - timedelta(days=1)
    first = run_reminders(reminder_runtime, today, team.unit)
    assert first > 0
    runs = [threading.Thread(target=run_reminders, args=(reminder_runtime, today, team.unit))]
    runs.append(threading.Thread(target=run_reminders, args=(reminder_runtime, today, team.unit)))
    for run in runs:
        run.start()
    for run in runs:
        run.join()
    assert len(store.notifications(source=source("due_soon", team.unit))) == 2
    assert run_reminders(reminder_runtime, today, team.unit) == 0


def test_a_stage_is_sent_once_even_when_its_window_spans_several_days(
    office, store, reminder_runtime
):
    team, _, due_on = office
    for days_before in (3, 2, 1, 0):
        run_reminders(reminder_runtime, due_on - timedelta(days=days_before), team.unit)
    assert len(store.notifications(source=source("due_soon", team.unit))) == 2


def test_a_handed_in_report_gets_no_reminder(office, publisher, store, reminder_runtime):
    team, _, due_on = office
    data = report_data(team.unit, "submitted", team.reporter, team.reporter, period=PERIOD)
    publisher.event("workflow.report.submitted", data)

    def known():
        with unit_of_work(store.factory) as session:
            return session.get(ReportState, data["report_id"])

    eventually(known, what="the report's state known")
    run_reminders(reminder_runtime, due_on - timedelta(days=1), team.unit)
    assert store.recipients(source("due_soon", team.unit)) == []
    assert store.recipients(source("due_soon", team.unit, kpi="2.2")) != []


def test_no_unit_is_reminded_of_an_imported_kpi(office, store, reminder_runtime):
    team, _, due_on = office
    assert run_reminders(reminder_runtime, due_on - timedelta(days=1), team.unit) > 0
    for kpi in ("1.1", "3.1", "5.1"):
        assert store.recipients(source("due_soon", team.unit, kpi=kpi)) == []
    assert store.recipients(source("due_soon", team.unit, kpi="2.2")) != []


def test_the_worker_runs_reminders_for_the_day_it_is_given(live, office, store, celery_worker):
    team, collector, due_on = office
    celery = live.app("notifications").extensions["rbm"].deps.celery
    today = (due_on - timedelta(days=3)).isoformat()
    celery.send_task(SEND_REMINDERS, kwargs={"today": today, "unit": team.unit})
    told = eventually(
        lambda: len(store.recipients(source("due_soon", team.unit))) == 2, what="reminded"
    )
    assert told and store.recipients(source("due_soon", team.unit)) == sorted(
        [team.reporter, collector]
    )
