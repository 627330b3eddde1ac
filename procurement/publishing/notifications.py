"""The procurement notification outbox, delivered through core's outbox."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from core import mail, outbox
from core.auth.models import User
from core.settings import Settings
from procurement.bids.models import Supplier
from procurement.publishing.models import Notification


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

    def compose(notification: Notification):
        return mail.compose(
            settings=settings,
            to=recipients(session, notification.organisation_id),
            subject=notification.subject,
            body=notification.body,
            message_id=f"procurement-{notification.id}",
        )

    return outbox.deliver_pending(
        session,
        table=Notification,
        prefix="procurement",
        compose=compose,
        settings=settings,
        now=now,
    )
