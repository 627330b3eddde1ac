"""Scheduled work of the permit insights: the aggregates brought up to date every few seconds."""

from __future__ import annotations

import logging

from sqlmodel import Session

from core.scheduler import JobContext, register_job
from permits.insights import aggregates

log = logging.getLogger(__name__)
REFRESH_JOB = "permits.insights.refresh"
EVERY_SECONDS = 5


@register_job(REFRESH_JOB)
def refresh_job(context: JobContext) -> int:
    """Read the applications changed since the last run into the aggregates (the first run
    builds them for the whole archive, a batch per transaction, resuming where it stopped)."""
    with Session(context.engine) as session:
        applications = aggregates.refresh(session, settings=context.settings, now=context.clock())
    if applications:
        log.debug("permit insights: %d applications refreshed", applications)
    return applications
