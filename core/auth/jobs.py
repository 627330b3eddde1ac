"""Scheduled work of accounts: the e-mail a request could not send at once."""

from __future__ import annotations

import logging

from sqlmodel import Session

from core.auth import outbox
from core.scheduler import JobContext, register_job

log = logging.getLogger(__name__)
SEND_MAIL_JOB = "core.notifications.accounts"  # a job, never a log entry type
EVERY_SECONDS = 30


@register_job(SEND_MAIL_JOB)
def send_mail(context: JobContext) -> None:
    """Send the accounts' outbox: by SMTP when configured, otherwise into <data>/outbox."""
    with Session(context.engine) as session:
        sent = outbox.deliver_pending(session, settings=context.settings, now=context.clock())
    if sent:
        log.info("sent %d account e-mails", sent)
