"""Pure rules of notifications, without a database: stages, years, backoff, Thai wording."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from common.config import Settings
from services.notifications import messages, rules
from services.notifications.policy import Policy, policy_of

DUE = date(2004, 1, 15)


@pytest.mark.parametrize(
    "offset, stages",
    [
        (-4, []),
        (-3, ["due_soon"]),
        (0, ["due_soon"]),
        (1, ["overdue"]),
        (6, ["overdue"]),
        (7, ["overdue", "escalation"]),
        (8, ["overdue", "escalation"]),
        (9, ["escalation"]),
        (14, ["escalation"]),
        (15, []),
    ],
)
def test_reminder_stages_open_and_close_around_the_due_date(offset, stages):
    today = DUE + timedelta(days=offset)
    assert rules.reminder_stages(DUE, today, remind_days_before=3, escalate_after=7) == stages


def test_each_stage_of_each_period_has_its_own_key():
    keys = {
        rules.reminder_source(stage, 2547, "R1", "2.1", period)
        for stage in rules.REMINDER_KINDS
        for period in ("M01", "M02")
    }
    assert len(keys) == 6


def test_email_backoff_doubles_up_to_a_cap():
    waits = [rules.backoff_seconds(n, base=30) for n in range(1, 10)]
    assert waits[:4] == [30, 60, 120, 240]
    assert max(waits) == 3600


@pytest.mark.parametrize(
    "key, kind",
    [
        ("workflow.report.submitted", "submitted"),
        ("workflow.report.reopened", "reopened"),
        ("workflow.report.created", None),
        ("workflow.report.updated", None),
    ],
)
def test_only_transitions_someone_must_act_on_are_notified(key, kind):
    assert rules.report_kind(key) == kind


@pytest.mark.parametrize(
    "kind, roles, reporter",
    [
        ("submitted", {("unit_head", "unit")}, False),
        ("endorsed", {("reviewer", "management")}, False),
        ("returned", {("unit_head", "unit")}, True),
        ("approved", {("unit_head", "unit")}, True),
        ("reopened", {("unit_head", "unit")}, True),
    ],
)
def test_who_hears_of_each_transition(kind, roles, reporter):
    audience = rules.AUDIENCES[kind]
    assert set(audience.roles) == roles and audience.reporter is reporter


def test_a_returned_report_message_carries_the_comment():
    slot = messages.Slot(2547, "R1", "2.1", "M01")
    title, body = messages.report_message("returned", slot, "ผู้ตรวจ", "แก้เลขคำสั่ง")
    assert title.startswith("รายงานถูกส่งกลับให้แก้ไข")
    assert "ความเห็น: แก้เลขคำสั่ง" in body


def test_html_email_escapes_what_people_typed():
    mail = messages.notification_mail(
        "ก", "t", "<script>x</script>", "https://h/reports/1", "https://h/settings/notifications"
    )
    assert "<script>" not in mail.html and "&lt;script&gt;" in mail.html


def test_the_policy_reads_its_settings_from_rbm_variables(tmp_path):
    settings = Settings(
        service="notifications",
        data_dir=tmp_path,
        database_url="sqlite://",
        broker_url="amqp://127.0.0.1:5672//",  # never connected: policy_of reads settings only
        environment={
            "RBM_REMIND_DAYS_BEFORE": "5",
            "RBM_ESCALATE_AFTER_DAYS": "10",
            "RBM_NOTIFY_LANGUAGE": "en",
        },
    )
    assert policy_of(settings) == Policy(
        remind_days_before=5, escalate_after_days=10, language="en"
    )


def test_a_language_rbm_cannot_write_is_refused_at_start(tmp_path):
    settings = Settings(
        service="notifications",
        data_dir=tmp_path,
        database_url="sqlite://",
        broker_url="amqp://127.0.0.1:5672//",
        environment={"RBM_NOTIFY_LANGUAGE": "fr"},
    )
    with pytest.raises(ValueError, match="RBM_NOTIFY_LANGUAGE"):
        policy_of(settings)
