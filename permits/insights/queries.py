"""Public reads of permit performance: department rankings, processing-time figures.

Processing time is counted in business days (the department's calendar: national holidays
and local closures), less the days the clock was stopped waiting for the applicant, as on
the /departments page. A period is a calendar year: of the stage's end for rankings, of the
decision for the charts; no year means every record.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any, Literal

import sqlalchemy as sa
from sqlmodel import Session, col, select

from core.auth.models import Organisation, OrganisationKind
from core.settings import Settings
from permits import catalogue
from permits.insights.schemas import DaysBucket, DepartmentRanking, MonthMedian, PermitCharts
from permits.models import Application, ApplicationStatus, Stage
from permits.rules import percentile

COMPLETED_OUTCOMES = ("advanced", "approved", "rejected")
DECIDED = (ApplicationStatus.APPROVED, ApplicationStatus.REJECTED)
DAY_BUCKETS = ((0, 5), (6, 10), (11, 20), (21, 30), (31, 60))  # then 61+
RankBy = Literal["on_time", "median", "backlog"]


def _sort_key(rank_by: RankBy):
    def key(row: dict):
        share = row["on_time_share"]
        median = row["median_days"]
        no_share = (share is None, -(share or 0))
        no_median = (median is None, median or 0)
        if rank_by == "median":
            return (*no_median, *no_share, row["backlog"], row["name"])
        if rank_by == "backlog":
            return (row["backlog"], *no_share, *no_median, row["name"])
        return (*no_share, *no_median, row["backlog"], row["name"])

    return key


def department_rankings(
    session: Session,
    *,
    settings: Settings,
    now: datetime,
    year: int | None = None,
    rank_by: RankBy = "on_time",
) -> list[DepartmentRanking]:
    """Every permit department ranked by on-time share, median processing days or backlog."""
    calendar = catalogue.calendar(session, settings=settings, around=now)
    departments = session.exec(
        select(Organisation).where(Organisation.kind == OrganisationKind.DEPARTMENT)
    ).all()
    groups: dict[int | None, dict[str, Any]] = {
        d.id: {
            "slug": d.slug,
            "name": d.name,
            "name_th": d.name_th,
            "days": [],
            "on_time": 0,
            "backlog": 0,
            "overdue": 0,
        }
        for d in departments
    }
    rows = session.execute(  # columns, not entities: this reads every stage there is
        sa.select(
            col(Stage.department_id),
            col(Stage.started_at),
            col(Stage.ended_at),
            col(Stage.due_at),
            col(Stage.outcome),
            col(Stage.paused_units),
            col(Application.status),
        ).join(Application, col(Application.id) == Stage.application_id)
    ).all()
    for department_id, started_at, ended_at, due_at, outcome, paused_units, status in rows:
        group = groups.get(department_id)
        if group is None:
            continue
        if ended_at is None:
            group["backlog"] += 1
            if status == ApplicationStatus.IN_PROGRESS and due_at <= now:
                group["overdue"] += 1
        elif outcome in COMPLETED_OUTCOMES and (
            year is None or calendar.local_date(ended_at).year == year
        ):
            days = calendar.business_days_between(started_at, ended_at)
            group["days"].append(max(0, days - paused_units))
            group["on_time"] += ended_at <= due_at
    ranked = []
    for group in groups.values():
        done = len(group["days"])
        ranked.append(
            {
                "slug": group["slug"],
                "name": group["name"],
                "name_th": group["name_th"],
                "completed": done,
                "on_time": group["on_time"],
                "on_time_share": round(group["on_time"] / done, 4) if done else None,
                "median_days": percentile(group["days"], 0.5),
                "backlog": group["backlog"],
                "overdue": group["overdue"],
            }
        )
    ranked.sort(key=_sort_key(rank_by))
    return [DepartmentRanking(rank=i, **row) for i, row in enumerate(ranked, start=1)]


def _bucket(days: int) -> str:
    for low, high in DAY_BUCKETS:
        if low <= days <= high:
            return f"{low}–{high}"
    return f"{DAY_BUCKETS[-1][1] + 1}+"


def charts(
    session: Session, *, settings: Settings, now: datetime, year: int | None = None
) -> PermitCharts:
    """How long decided applications took: a distribution, and the median month by month."""
    calendar = catalogue.calendar(session, settings=settings, around=now)
    paused: dict[int, int] = defaultdict(int)
    for application_id, units in session.exec(select(Stage.application_id, Stage.paused_units)):
        paused[application_id] += units
    counts = {_bucket(low): 0 for low, _ in DAY_BUCKETS} | {_bucket(10**6): 0}
    by_month: dict[str, list[int]] = defaultdict(list)
    decided = session.exec(
        select(Application.id, Application.submitted_at, Application.decided_at).where(
            col(Application.status).in_(DECIDED), col(Application.decided_at).is_not(None)
        )
    ).all()
    for decided_id, submitted_at, decided_at in decided:
        assert decided_id is not None  # a primary key
        assert decided_at is not None  # the query reads decided applications
        local = calendar.local_date(decided_at)
        if year is not None and local.year != year:
            continue
        days = calendar.business_days_between(submitted_at, decided_at)
        days = max(0, days - paused[decided_id])
        counts[_bucket(days)] += 1
        by_month[local.strftime("%Y-%m")].append(days)
    trend = []
    for m, v in sorted(by_month.items()):
        median = percentile(v, 0.5)
        assert median is not None  # each month listed has a decided application
        trend.append(MonthMedian(month=m, decided=len(v), median_days=median))
    return PermitCharts(
        processing_days=[DaysBucket(days=k, applications=v) for k, v in counts.items()],
        processing_trend=trend,
    )


def years(session: Session) -> list[int]:
    """Years in which applications were submitted, newest first."""
    dates = session.exec(select(Application.submitted_at))
    return sorted({d.year for d in dates}, reverse=True)
