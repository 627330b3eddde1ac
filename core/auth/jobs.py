"""Scheduled work of accounts: the e-mail a request could not send at once, and the counts of
organisations the public pages show."""

from __future__ import annotations

import logging

from sqlmodel import Session, select

from core.auth import outbox, queries
from core.auth.models import OrganisationCount
from core.scheduler import JobContext, register_job

log = logging.getLogger(__name__)
SEND_MAIL_JOB = "core.notifications.accounts"  # a job, never a log entry type
EVERY_SECONDS = 30
COUNT_JOB = "core.organisations.count"
COUNT_EVERY_SECONDS = 60


@register_job(SEND_MAIL_JOB)
def send_mail(context: JobContext) -> None:
    """Send the accounts' outbox: by SMTP when configured, otherwise into <data>/outbox."""
    with Session(context.engine) as session:
        sent = outbox.deliver_pending(session, settings=context.settings, now=context.clock())
    if sent:
        log.info("sent %d account e-mails", sent)


@register_job(COUNT_JOB)
def count_organisations(context: JobContext) -> None:
    """Count the organisations by kind and status for the public pages (the home page, the
    supplier directory), so no request counts a country's hundreds of thousands itself."""
    with Session(context.engine) as session:
        counted = queries.organisation_counts(session, kept=False)
        now = context.clock()
        for row in session.exec(select(OrganisationCount)):
            if (row.kind, row.status) not in counted:
                session.delete(row)
        for (kind, status), n in counted.items():
            session.merge(OrganisationCount(kind=kind, status=status, n=n, counted_at=now))
        session.commit()
