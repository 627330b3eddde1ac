"""Scheduled work of permits: marking stages overdue as their due instant passes."""

from __future__ import annotations

from sqlmodel import Session

from core.scheduler import JobContext, register_job
from permits import service

MARK_OVERDUE_JOB = "permits.stage.mark_overdue"
MARK_OVERDUE_EVERY_SECONDS = 60


@register_job(MARK_OVERDUE_JOB)
def mark_overdue(context: JobContext) -> int:
    """Mark every stage past its due instant overdue (runs every minute)."""
    with Session(context.engine) as session:
        return service.mark_overdue(session, now=context.clock(), settings=context.settings)
