"""Outgoing email: by SMTP when PRONGSAI_SMTP_URL is set, otherwise .eml files in <data>/outbox."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from urllib.parse import unquote, urlsplit

from core.settings import Settings


def compose(
    *, settings: Settings, to: list[str], subject: str, body: str, message_id: str
) -> EmailMessage:
    """A plain-text email from the deployment's sender."""
    mail = EmailMessage()
    mail["From"], mail["To"], mail["Subject"] = settings.mail_from, ", ".join(to), subject
    mail["Message-ID"] = f"<{message_id}@prongsai>"
    mail.set_content(body)
    return mail


def deliver(mail: EmailMessage, *, settings: Settings, name: str) -> None:
    """Send the email, or write it to the outbox folder as `<name>.eml` when no SMTP is set."""
    if not settings.smtp_url:
        folder = settings.data_dir / "outbox"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{name}.eml").write_bytes(bytes(mail))
        return
    parts = urlsplit(settings.smtp_url)
    secure = parts.scheme == "smtps"
    if parts.hostname is None:
        raise ValueError("PRONGSAI_SMTP_URL names no host")
    client = smtplib.SMTP_SSL if secure else smtplib.SMTP
    with client(parts.hostname, parts.port or (465 if secure else 25), timeout=30) as smtp:
        if parts.scheme == "smtp+starttls":
            smtp.starttls()
        if parts.username:
            smtp.login(unquote(parts.username), unquote(parts.password or ""))
        smtp.send_message(mail)
