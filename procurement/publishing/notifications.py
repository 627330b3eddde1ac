"""The procurement notification outbox, delivered through core.mail."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from core import mail
from core.auth.models import User
from core.settings import Settings
from procurement.bids.models import Supplier
from procurement.publishing.models import Notification

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
        message = mail.compose(
            settings=settings,
            to=recipients(session, notification.organisation_id),
            subject=notification.subject,
            body=notification.body,
            message_id=f"procurement-{notification.id}",
        )
        mail.deliver(message, settings=settings, name=f"procurement-{notification.id:08d}")
        notification.sent_at = now
        session.add(notification)
    session.commit()
    return len(pending)
