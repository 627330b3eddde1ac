"""The notification outbox: sent by SMTP when configured, otherwise written to the data folder."""

from __future__ import annotations

import smtplib
from datetime import datetime
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import urlsplit

from sqlmodel import Session, col, select

from core.auth.models import User
from core.settings import Settings
from procurement.models import Notification, Supplier

BATCH = 200


def recipients(session: Session, organisation_id: int) -> list[str]:
    """Everyone who acts for the organisation, and its registered supplier contact."""
    emails = list(
        session.exec(
            select(User.email).where(
                User.organisation_id == organisation_id, col(User.is_active).is_(True)
            )
        )
    )
    supplier = session.get(Supplier, organisation_id)
    if supplier is not None and supplier.contact_email not in emails:
        emails.append(supplier.contact_email)
    return emails


def message(notification: Notification, to: list[str], sender: str) -> EmailMessage:
    """The email for one notification."""
    mail = EmailMessage()
    mail["From"], mail["To"], mail["Subject"] = sender, ", ".join(to), notification.subject
    mail["Message-ID"] = f"<notification-{notification.id}@prongsai>"
    mail.set_content(notification.body)
    return mail


def deliver_pending(session: Session, *, settings: Settings, now: datetime) -> int:
    """Send (or write) every unsent notification once; returns how many went out."""
    pending = list(
        session.exec(
            select(Notification)
            .where(col(Notification.sent_at).is_(None))
            .order_by(Notification.id)
            .limit(BATCH)
            .with_for_update(skip_locked=True)
        )
    )
    for notification in pending:
        to = recipients(session, notification.organisation_id)
        mail = message(notification, to, settings.mail_from)
        if settings.smtp_url:
            _send(settings.smtp_url, mail)
        else:
            _write(settings.data_dir / "outbox", notification, mail)
        notification.sent_at = now
        session.add(notification)
    session.commit()
    return len(pending)


def _send(url: str, mail: EmailMessage) -> None:
    parts = urlsplit(url)
    secure = parts.scheme == "smtps"
    client = smtplib.SMTP_SSL if secure else smtplib.SMTP
    with client(parts.hostname, parts.port or (465 if secure else 25), timeout=30) as smtp:
        if parts.scheme == "smtp+starttls":
            smtp.starttls()
        if parts.username:
            smtp.login(parts.username, parts.password or "")
        smtp.send_message(mail)


def _write(folder: Path, notification: Notification, mail: EmailMessage) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{notification.id:08d}.eml").write_bytes(bytes(mail))
