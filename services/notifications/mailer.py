"""One email over SMTP, and what its answer means: sent, try again later, or failed for good."""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr

from common.config import Settings

SENT, RETRY, FAILED = "sent", "retry", "failed"


@dataclass(frozen=True)
class Outcome:
    status: str
    error: str | None = None


def compose(settings: Settings, email) -> EmailMessage:
    """The MIME message: Thai subject, plain text and HTML alternatives, a stable Message-ID."""
    msg = EmailMessage()
    msg["Subject"] = email.subject
    msg["From"] = formataddr(("ระบบรายงานผล rbm", settings.mail_from))
    msg["To"] = email.address
    domain = settings.mail_from.rpartition("@")[2] or "rbm.local"
    # The same id on every try: a resend after a crash is recognisable as the same message.
    msg["Message-ID"] = f"<{email.id}@{domain}>"
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


def send(settings: Settings, email) -> Outcome:
    """Hand one email to the SMTP server in the settings.

    A 5xx about this message (its recipient, sender or content) fails it for good; anything
    else (server down, 4xx, a refused login or greeting) is worth another try later.
    """
    if not settings.smtp_host:
        return Outcome(RETRY, "no SMTP host is configured (RBM_SMTP_HOST)")
    message = compose(settings, email)
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
