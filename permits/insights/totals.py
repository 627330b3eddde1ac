"""Reads of the permit aggregates: running totals and the open stages that are overdue now.

Every read is bounded by the number of departments, types, months and distinct day counts,
never by the number of applications; what is overdue is counted through an index of the open
stages of applications in progress, as of `now`.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, func, select

from permits.insights.aggregates import OVERDUE
from permits.insights.models import InsightCursor, InsightOpen, InsightSum

Total = tuple[int, str, str, int, int, int]  # department, key, period, days, n, on_time


def totals(
    session: Session,
    kind: str,
    *,
    department_id: int | None = None,
    key: str | None = None,
    period: str | None = None,
    months_of: int | None = None,
) -> list[Total]:
    """The running totals of one kind, narrowed by department, key, period or a year's months."""
    query = sa.select(
        col(InsightSum.department_id),
        col(InsightSum.key),
        col(InsightSum.period),
        col(InsightSum.days),
        col(InsightSum.n),
        col(InsightSum.on_time),
    ).where(col(InsightSum.kind) == kind, col(InsightSum.n) != 0)
    if department_id is not None:
        query = query.where(col(InsightSum.department_id) == department_id)
    if key is not None:
        query = query.where(col(InsightSum.key) == key)
    if period is not None:
        query = query.where(col(InsightSum.period) == period)
    if months_of is not None:
        query = query.where(
            col(InsightSum.period).between(f"{months_of:04d}-01", f"{months_of:04d}-12")
        )
    return [tuple(row) for row in session.execute(query)]


def count(session: Session, kind: str, **narrowed) -> int:
    """How many the totals of a kind add up to."""
    return sum(row[4] for row in totals(session, kind, **narrowed))


def overdue(session: Session, *, now: datetime, department_id: int | None = None) -> dict:
    """(department, type) -> open stages of applications in progress due by `now`.

    The job's totals count them up to its watermark; the stages that fell due between the
    watermark and `now` (or, for a `now` before it, those not due yet) are a short range of
    an index. One statement, so one snapshot: a refresh committing meanwhile is seen whole.
    """
    mark = (
        sa.select(col(InsightCursor.changed_at))
        .where(col(InsightCursor.source) == OVERDUE)
        .scalar_subquery()
    )
    kept = sa.select(col(InsightSum.department_id), col(InsightSum.key), col(InsightSum.n)).where(
        col(InsightSum.kind) == "overdue"
    )
    since = sa.select(
        col(InsightOpen.department_id), col(InsightOpen.type_code), func.count()
    ).where(col(InsightOpen.due_at) > mark, col(InsightOpen.due_at) <= now)
    ahead = sa.select(
        col(InsightOpen.department_id), col(InsightOpen.type_code), -func.count()
    ).where(col(InsightOpen.due_at) > now, col(InsightOpen.due_at) <= mark)
    if department_id is not None:
        kept = kept.where(col(InsightSum.department_id) == department_id)
        since = since.where(col(InsightOpen.department_id) == department_id)
        ahead = ahead.where(col(InsightOpen.department_id) == department_id)
    group = (col(InsightOpen.department_id), col(InsightOpen.type_code))
    found: dict[tuple[int, str], int] = defaultdict(int)
    for department, type_code, n in session.execute(
        sa.union_all(kept, since.group_by(*group), ahead.group_by(*group))
    ):
        found[(department, type_code)] += n
    return {key: n for key, n in found.items() if n}


def overdue_applications(session: Session, *, now: datetime) -> int:
    """Applications in progress with an open stage due by `now` (an application has one open
    stage at a time: the next starts as the last ends)."""
    return sum(overdue(session, now=now).values())


def overdue_stage_ids(
    session: Session, *, department_id: int, now: datetime, offset: int = 0, limit: int = 100
) -> list[int]:
    """A page of the open stages of applications in progress at a department, due by `now`,
    the longest overdue first: a range of the (department, due) index, never all of them (a
    department of a national archive has tens of thousands)."""
    return list(
        session.exec(
            select(InsightOpen.stage_id)
            .where(col(InsightOpen.department_id) == department_id, col(InsightOpen.due_at) <= now)
            .order_by(col(InsightOpen.due_at), col(InsightOpen.stage_id))
            .offset(offset)
            .limit(limit)
        )
    )
