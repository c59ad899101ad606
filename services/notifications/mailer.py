"""One email over SMTP, and what its answer means: sent, try again later, or failed for good."""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, formataddr
from urllib.parse import urlsplit

from common.config import Settings
from services.notifications import messages
from services.notifications.service import settings_page

SENT, RETRY, FAILED = "sent", "retry", "failed"


@dataclass(frozen=True)
class Outcome:
    status: str
    error: str | None = None


def mail_domain(settings: Settings) -> str:
    """The sending domain: that of RBM_MAIL_FROM, else the host people reach rbm at."""
    _, at, domain = settings.mail_from.rpartition("@")
    if at and domain:
        return domain
    return urlsplit(settings.public_url or settings.gateway_url).hostname or "localhost"


def compose(settings: Settings, email, lang: str = "th") -> EmailMessage:
    """The MIME message: subject, plain text and HTML alternatives, and the headers that tell
    a spam filter and an out-of-office responder what it is."""
    domain = mail_domain(settings)
    msg = EmailMessage()
    msg["Subject"] = email.subject
    msg["From"] = formataddr((messages.WORDS[lang]["sender"], settings.mail_from))
    msg["To"] = email.address
    msg["Date"] = format_datetime(datetime.now(UTC))
    # The same id on every try: a resend after a crash is recognisable as the same message.
    msg["Message-ID"] = f"<{email.id}@{domain}>"
    # RFC 3834: sent by a program, so auto-replies (out of office) must not answer it.
    msg["Auto-Submitted"] = "auto-generated"
    msg["X-Auto-Response-Suppress"] = "All"
    # Where a person stops these emails: their notification settings (signed in, so no
    # RFC 8058 one-click List-Unsubscribe-Post). A List-Id goes with it (RFC 2919): filters
    # take an unsubscribe link without one for a spammer's half-made list header.
    msg["List-Id"] = f"{messages.WORDS[lang]['sender']} <notifications.{domain}>"
    msg["List-Unsubscribe"] = f"<{settings_page(settings.public_url or settings.gateway_url)}>"
    msg["X-RBM-Email-Id"] = email.id
    msg.set_content(email.text_body, charset="utf-8")
    msg.add_alternative(email.html_body, subtype="html", charset="utf-8")
    return msg


def _connect(settings: Settings) -> smtplib.SMTP:
    timeout = max(settings.http_timeout * 2, 10.0)
    if settings.smtp_tls and settings.smtp_port == 465:
        smtp: smtplib.SMTP = smtplib.SMTP_SSL(
            settings.smtp_host,
            settings.smtp_port,
            timeout=timeout,
            context=ssl.create_default_context(),
        )
    else:
        smtp = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=timeout)
        if settings.smtp_tls:
            smtp.starttls(context=ssl.create_default_context())
    if settings.smtp_user:
        smtp.login(settings.smtp_user, settings.smtp_password)
    return smtp


def _permanent(code: int) -> bool:
    return 500 <= code < 600


def send(settings: Settings, email, lang: str = "th") -> Outcome:
    """Hand one email to the SMTP server in the settings.

    A 5xx about this message (its recipient, sender or content) fails it for good; anything
    else (server down, 4xx, a refused login or greeting) is worth another try later.
    """
    if not settings.smtp_host:
        return Outcome(RETRY, "no SMTP host is configured (RBM_SMTP_HOST)")
    message = compose(settings, email, lang)
    try:
        smtp = _connect(settings)
        try:
            smtp.send_message(message)
        finally:
            try:
                smtp.quit()
            except smtplib.SMTPException:
                smtp.close()
    except smtplib.SMTPRecipientsRefused as exc:
        code, text = next(iter(exc.recipients.values()))
        status = FAILED if _permanent(code) else RETRY
        return Outcome(status, f"{code} {_text(text)}")
    except (smtplib.SMTPDataError, smtplib.SMTPSenderRefused) as exc:
        status = FAILED if _permanent(exc.smtp_code) else RETRY
        return Outcome(status, f"{exc.smtp_code} {_text(exc.smtp_error)}")
    except (OSError, smtplib.SMTPException) as exc:
        return Outcome(RETRY, f"{type(exc).__name__}: {exc}"[:500])
    return Outcome(SENT)


def _text(raw) -> str:
    return (raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw))[:400]
