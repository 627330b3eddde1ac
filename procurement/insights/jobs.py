"""Scheduled work of the insights: the aggregates brought up to date every few seconds."""

from __future__ import annotations

import logging

from sqlmodel import Session

from core.scheduler import JobContext, register_job
from procurement.insights import aggregates

log = logging.getLogger(__name__)
REFRESH_JOB = "procurement.insights.refresh"
EVERY_SECONDS = 5


@register_job(REFRESH_JOB)
def refresh_job(context: JobContext) -> int:
    """Read the tenders changed since the last run into the aggregates (the first run builds
    them for the whole archive, a batch per transaction, resuming where it stopped)."""
    with Session(context.engine) as session:
        tenders = aggregates.refresh(session, now=context.clock())
    if tenders:
        log.debug("insights: %d tenders refreshed", tenders)
    return tenders
