"""Every kind of email rbm sends, in Thai and in English, as a mail system sees it: the headers
it expects, well-formed parts, and SpamAssassin (local rules, no network) scoring each message
no more than 0.5 of the 5.0 at which it calls mail spam."""

from __future__ import annotations

import email
import email.policy
import mailbox
import os
import re
import shutil
import subprocess
import uuid
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from email.utils import parseaddr, parsedate_to_datetime
from pathlib import Path

import pytest

from common.config import Settings
from services.notifications import mailer, messages, rules
from services.notifications.models import Email
from services.notifications.policy import Policy
from services.notifications.service import Context
from tests.conftest import AMQP_URL

# SpamAssassin is a program from Debian (`make system-deps`).
pytestmark = pytest.mark.backend

DOMAIN = "kpi.dept.go.th"
PUBLIC_URL = f"https://{DOMAIN}"
SETTINGS = Settings(
    service="notifications",
    data_dir=Path("."),
    database_url="sqlite://",
    broker_url=AMQP_URL,  # composing a message connects to nothing
    mail_from=f"rbm@{DOMAIN}",
    public_url=PUBLIC_URL,
)
MAX_SCORE = 0.5
DUE = date(2026, 1, 20)
REMINDER_DAYS = {rules.DUE_SOON: DUE - timedelta(days=3), rules.OVERDUE: DUE + timedelta(days=1)}


def every_mail(lang: str) -> dict[str, messages.Mail]:
    """One email of each kind a person can get, as the use cases word it."""
    ctx = Context(PUBLIC_URL, Policy(language=lang))
    slot = messages.Slot(2569, "R1", "2.1", "Q1", "สำนักงานเขตพื้นที่ 1")
    link = ctx.report_link(str(uuid.uuid4()))
    told = {}
    for kind in rules.REPORT_KINDS:
        # A stand-in acting, and a comment on what was returned: the longest wordings.
        actor = messages.actor_label("สมชาย ใจดี", "สมศรี มีสุข", lang)
        comment = "แก้เลขที่คำสั่งในหลักฐาน" if kind == rules.RETURNED else None
        told[kind] = messages.report_message(kind, slot, actor, comment, lang)
    for stage in rules.REMINDER_KINDS:
        today = REMINDER_DAYS.get(stage, DUE + timedelta(days=7))
        told[stage] = messages.reminder_message(stage, slot, DUE, today, lang)
    mails = {
        kind: messages.notification_mail("สมหญิง รักงาน", title, body, link, ctx.settings_link, lang)
        for kind, (title, body) in told.items()
    }
    items = [(title, body, link) for title, body in told.values()]
    mails["digest"] = messages.digest_mail("สมหญิง รักงาน", DUE, items, ctx.settings_link, lang)
    return mails


def row(mail: messages.Mail) -> Email:
    return Email(
        id=str(uuid.uuid4()),
        address="somying@dept.go.th",
        subject=mail.subject,
        text_body=mail.text,
        html_body=mail.html,
    )


@pytest.fixture(scope="module")
def sent() -> dict[tuple[str, str], tuple[Email, EmailMessage, bytes]]:
    """(language, kind) → the email row, its message as a reader parses it, its bytes."""
    composed = {}
    for lang in messages.LANGUAGES:
        for kind, mail in every_mail(lang).items():
            email_row = row(mail)
            raw = bytes(mailer.compose(SETTINGS, email_row, lang))
            parsed = email.message_from_bytes(raw, policy=email.policy.default)
            composed[lang, kind] = (email_row, parsed, raw)
    return composed


def test_every_kind_of_email_is_rendered_in_both_languages(sent):
    assert set(sent) == {(lang, kind) for lang in ("th", "en") for kind in (*rules.KINDS, "digest")}


def test_each_email_is_dated_identified_in_the_sending_domain_and_marked_automatic(sent):
    for (lang, kind), (row_, msg, _) in sent.items():
        where = f"{lang} {kind}"
        dated = parsedate_to_datetime(msg["Date"])
        assert dated.tzinfo is not None and abs(datetime.now(UTC) - dated) < timedelta(hours=1)
        assert msg["Message-ID"] == f"<{row_.id}@{DOMAIN}>", where
        assert msg["Auto-Submitted"] == "auto-generated", where
        assert msg["List-Unsubscribe"] == f"<{PUBLIC_URL}/settings/notifications>", where
        assert msg["List-Id"].endswith(f"<notifications.{DOMAIN}>"), where
        assert parseaddr(msg["From"])[1] == f"rbm@{DOMAIN}", where


def test_a_retry_sends_the_same_message_id_with_the_time_of_that_try(sent):
    row_, first, _ = sent["th", rules.SUBMITTED]
    again = mailer.compose(SETTINGS, row_, "th")
    assert again["Message-ID"] == first["Message-ID"]


def test_the_message_id_takes_the_public_address_when_the_sender_has_no_domain():
    settings = Settings(
        service="notifications",
        data_dir=Path("."),
        database_url="sqlite://",
        broker_url=AMQP_URL,  # composing a message connects to nothing
        mail_from="rbm",
        public_url="https://rbm.example.go.th:8443/",
    )
    assert mailer.mail_domain(settings) == "rbm.example.go.th"


def test_text_and_html_alternatives_are_well_formed_and_say_the_same(sent):
    for (lang, kind), (row_, msg, raw) in sent.items():
        where = f"{lang} {kind}"
        assert raw.isascii() and max(map(len, raw.splitlines())) <= 78, where
        assert msg.get_content_type() == "multipart/alternative", where
        parts = {part.get_content_type(): part for part in msg.iter_parts()}
        assert set(parts) == {"text/plain", "text/html"}, where
        for part in parts.values():
            assert part.get_content_charset() == "utf-8", where
            assert part["Content-Transfer-Encoding"] in ("7bit", "quoted-printable", "base64")
        text = parts["text/plain"].get_content()
        html = parts["text/html"].get_content()
        # set_content ends each part with a line break
        assert text.rstrip("\n") == row_.text_body.rstrip("\n"), where
        assert html.rstrip("\n") == row_.html_body, where
        assert f'<html lang="{lang}">' in html and "<title>" in html, where
        for link in re.findall(r'href="([^"]+)"', html):
            assert link in text, f"{where}: {link} only in the HTML"


def spamassassin_scores(raws: list[bytes], workdir: Path) -> dict[str, tuple[float, str]]:
    """One SpamAssassin run over all the messages (it takes seconds to start): email id →
    (score, the rules that fired with their points)."""
    inbox = mailbox.mbox(workdir / "sent.mbox")
    for raw in raws:
        inbox.add(raw)
    inbox.flush()
    command = [
        "spamassassin",
        "-L",  # local tests only: no DNS blocklists, Razor, Pyzor or DCC
        "--mbox",
        "--cf=use_bayes 0",
        "--cf=add_header all Report _REPORT_",
    ]
    with open(workdir / "sent.mbox", "rb") as given:
        result = subprocess.run(
            command,
            stdin=given,
            capture_output=True,
            check=True,
            timeout=120,
            env=os.environ | {"HOME": str(workdir)},
        )
    (workdir / "scored.mbox").write_bytes(result.stdout)
    scores = {}
    for scored in mailbox.mbox(workdir / "scored.mbox"):
        status = " ".join(scored["X-Spam-Status"].split())
        score = float(re.search(r"score=(-?[\d.]+)", status).group(1))
        report = " ".join(scored.get("X-Spam-Report", "").split())
        scores[scored["X-RBM-Email-Id"]] = (score, report)
    return scores


def test_spamassassin_scores_every_email_at_most_half_a_point(sent, tmp_path):
    # `make test` installs it (system-deps): a missing filter fails, it never skips.
    assert shutil.which("spamassassin"), "spamassassin is not installed (make system-deps)"
    scores = spamassassin_scores([raw for _, _, raw in sent.values()], tmp_path)
    named = {(lang, kind): scores[row_.id] for (lang, kind), (row_, _, _) in sent.items()}
    (lang, kind), (worst, rules_hit) = max(named.items(), key=lambda item: item[1][0])
    print(f"\nworst SpamAssassin score: {worst} ({lang} {kind}): {rules_hit}")
    too_spammy = {key: value for key, value in named.items() if value[0] > MAX_SCORE}
    assert not too_spammy
