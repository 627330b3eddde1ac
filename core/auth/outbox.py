"""The accounts' e-mail: links and notices queued with the change, sent after it commits."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from core import mail, outbox
from core.auth.models import AccountMail
from core.settings import Settings


def queue(session: Session, *, to: str, subject: str, body: str, now: datetime) -> None:
    """Add one message to the outbox, in the caller's transaction."""
    session.add(AccountMail(to_email=to, subject=subject, body=body, created_at=now))


def deliver_pending(session: Session, *, settings: Settings, now: datetime) -> int:
    """Send (or write to <data>/outbox) every unsent account e-mail once; how many went out."""

    def compose(message: AccountMail):
        return mail.compose(
            settings=settings,
            to=[message.to_email],
            subject=message.subject,
            body=message.body,
            message_id=f"accounts-{message.id}",
        )

    return outbox.deliver_pending(
        session, table=AccountMail, prefix="accounts", compose=compose, settings=settings, now=now
    )
