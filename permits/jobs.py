"""Scheduled work of permits: overdue stages as their due instant passes, subscriber emails."""

from __future__ import annotations

from sqlmodel import Session

from core.scheduler import JobContext, register_job
from permits import notifications, overdue

MARK_OVERDUE_JOB = "permits.stage.mark_overdue"
MARK_OVERDUE_EVERY_SECONDS = 60


@register_job(MARK_OVERDUE_JOB)
def mark_overdue(context: JobContext) -> int:
    """Mark every stage past its due instant overdue (runs every minute)."""
    with Session(context.engine) as session:
        return overdue.mark_overdue(session, now=context.clock(), settings=context.settings)


SEND_EMAILS_JOB = "permits.notifications.send"


@register_job(SEND_EMAILS_JOB)
def send_emails(context: JobContext) -> int:
    """Send the emails to subscribers (SMTP, or <data>/outbox when none is configured)."""
    with Session(context.engine) as session:
        return notifications.deliver_pending(
            session, settings=context.settings, now=context.clock()
        )
