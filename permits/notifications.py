"""Emails to an application's subscribers, delivered through core's outbox."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col

from core import mail, outbox
from core.settings import Settings
from permits.models import Notification


def deliver_pending(session: Session, *, settings: Settings, now: datetime) -> int:
    """Send every unsent email notification once (inbox messages stay on the queue page)."""

    def compose(notification: Notification):
        assert notification.email is not None  # only rows with an email are delivered
        return mail.compose(
            settings=settings,
            to=[notification.email],
            subject=notification.subject,
            body=notification.body,
            message_id=f"permits-{notification.id}",
        )

    return outbox.deliver_pending(
        session,
        table=Notification,
        prefix="permits",
        compose=compose,
        settings=settings,
        now=now,
        where=[col(Notification.email).is_not(None)],
    )
