"""Emails to an application's subscribers, delivered through core.mail."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from core import mail
from core.settings import Settings
from permits.models import Notification

BATCH = 200


def deliver_pending(session: Session, *, settings: Settings, now: datetime) -> int:
    """Send every unsent email notification once (inbox messages stay on the queue page)."""
    pending = list(
        session.exec(
            select(Notification)
            .where(col(Notification.sent_at).is_(None), col(Notification.email).is_not(None))
            .order_by(Notification.id)
            .limit(BATCH)
            .with_for_update(skip_locked=True)
        )
    )
    for notification in pending:
        message = mail.compose(
            settings=settings,
            to=[notification.email],
            subject=notification.subject,
            body=notification.body,
            message_id=f"permits-{notification.id}",
        )
        mail.deliver(message, settings=settings, name=f"permits-{notification.id:08d}")
        notification.sent_at = now
        session.add(notification)
    session.commit()
    return len(pending)
