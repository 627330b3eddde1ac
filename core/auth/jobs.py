"""Scheduled work of accounts: the notices to owners about their accounts, by the outbox."""

from __future__ import annotations

from email.message import EmailMessage

from sqlmodel import Session

from core import mail, outbox
from core.auth.models import Notice
from core.scheduler import JobContext, register_job

SEND_NOTICES_JOB = "core.auth.notices.send"
EVERY_SECONDS = 30


@register_job(SEND_NOTICES_JOB)
def send_notices(context: JobContext) -> int:
    """Send the pending notices to account owners (SMTP, or <data>/outbox)."""
    settings = context.settings

    def compose(notice: Notice) -> EmailMessage:
        return mail.compose(
            settings=settings,
            to=[notice.recipient],
            subject=notice.subject,
            body=notice.body,
            message_id=f"auth-notice-{notice.id}",
        )

    with Session(context.engine) as session:
        return outbox.deliver_pending(
            session,
            table=Notice,
            prefix="auth-notice",
            compose=compose,
            settings=settings,
            now=context.clock(),
        )
