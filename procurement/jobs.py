"""Scheduled work of procurement: openings on time, awards final after standstill."""

from __future__ import annotations

import logging

from sqlmodel import Session

from core.db import read_only
from core.errors import DomainError
from core.scheduler import JobContext, register_job
from procurement.awards import service as awarding
from procurement.bids import opening
from procurement.publishing import notifications

log = logging.getLogger(__name__)
OPEN_DUE_JOB = "procurement.tenders.open_due"
FINALISE_DUE_JOB = "procurement.awards.finalise_due"
SEND_NOTIFICATIONS_JOB = "procurement.notifications.send"
EVERY_SECONDS = 10


@register_job(OPEN_DUE_JOB)
def open_due_tenders(context: JobContext) -> None:
    """Open, with no one present, every tender whose opening time has come."""
    now = context.clock()
    with Session(read_only(context.engine)) as session:
        due = opening.due_openings(session, now=now)
    for tender_id in due:  # the earliest opening first
        # One transaction per tender: a crash leaves it unopened, and the next run
        # (at start-up, or ten seconds later) opens it, once: open_tender is idempotent.
        # A tender that fails is logged and left for the next run; the others still open.
        with Session(context.engine) as session:
            try:
                opening.open_tender(
                    session, tender_id=tender_id, now=now, settings=context.settings
                )
            except Exception:
                session.rollback()
                log.exception("tender %d could not be opened; the next run retries", tender_id)
                continue
        log.info("opened the bids of tender %d", tender_id)


@register_job(FINALISE_DUE_JOB)
def finalise_due_awards(context: JobContext) -> None:
    """Make awards final when their standstill is over and every complaint is answered."""
    now = context.clock()
    with Session(read_only(context.engine)) as session:
        due = awarding.due_finalisations(session, now=now)
    for award_id in due:
        with Session(context.engine) as session:
            try:
                awarding.finalise_award(
                    session, award_id=award_id, now=now, settings=context.settings
                )
            except DomainError as error:  # a complaint awaits its answer: try again later
                log.info("award %d not final yet: %s", award_id, error.message)
            except Exception:  # one award's fault never holds back the others
                session.rollback()
                log.exception("award %d could not be made final; the next run retries", award_id)


@register_job(SEND_NOTIFICATIONS_JOB)
def send_notifications(context: JobContext) -> None:
    """Send the outbox: by SMTP when configured, otherwise into <data>/outbox."""
    with Session(context.engine) as session:
        sent = notifications.deliver_pending(
            session, settings=context.settings, now=context.clock()
        )
    if sent:
        log.info("sent %d notifications", sent)
