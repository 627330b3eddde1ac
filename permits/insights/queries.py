"""Public reads of permit performance: department rankings, processing-time figures.

Processing time is counted in business days (the department's calendar: national holidays
and local closures), less the days the clock was stopped waiting for the applicant, as on
the /departments page. A period is a calendar year: of the stage's end for rankings, of the
decision for the charts; no year means every record. Read from the running totals the
refresh job keeps (permits.insights.aggregates), never from every application.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any, Literal

from sqlmodel import Session, select

from core.auth.models import Organisation, OrganisationKind
from core.db import stored_id
from permits.insights import totals
from permits.insights.schemas import DaysBucket, DepartmentRanking, MonthMedian, PermitCharts
from permits.models import ApplicationStatus
from permits.rules import histogram_percentile

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
    now: datetime,
    year: int | None = None,
    rank_by: RankBy = "on_time",
) -> list[DepartmentRanking]:
    """Every permit department ranked by on-time share, median processing days or backlog."""
    departments = session.exec(
        select(Organisation).where(Organisation.kind == OrganisationKind.DEPARTMENT)
    ).all()
    days: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    on_time: dict[int, int] = defaultdict(int)
    period = "" if year is None else str(year)
    for department_id, _key, _period, took, n, in_time in totals.totals(
        session, "done", key="", period=period
    ):
        days[department_id][took] += n
        on_time[department_id] += in_time
    backlog: dict[int, int] = defaultdict(int)
    for department_id, _key, _period, _days, n, _on_time in totals.totals(session, "backlog"):
        backlog[department_id] += n
    overdue: dict[int, int] = defaultdict(int)
    for (department_id, _type), n in totals.overdue(session, now=now).items():
        overdue[department_id] += n
    ranked: list[dict[str, Any]] = []
    for department in departments:
        key = stored_id(department)
        done = sum(days[key].values())
        ranked.append(
            {
                "slug": department.slug,
                "name": department.name,
                "name_th": department.name_th,
                "completed": done,
                "on_time": on_time[key],
                "on_time_share": round(on_time[key] / done, 4) if done else None,
                "median_days": histogram_percentile(days[key], 0.5),
                "backlog": backlog[key],
                "overdue": overdue[key],
            }
        )
    ranked.sort(key=_sort_key(rank_by))
    return [DepartmentRanking(rank=i, **row) for i, row in enumerate(ranked, start=1)]


def _bucket(days: int) -> str:
    for low, high in DAY_BUCKETS:
        if low <= days <= high:
            return f"{low}–{high}"
    return f"{DAY_BUCKETS[-1][1] + 1}+"


def charts(session: Session, *, year: int | None = None) -> PermitCharts:
    """How long decided applications took: a distribution, and the median month by month."""
    counts = {_bucket(low): 0 for low, _ in DAY_BUCKETS} | {_bucket(10**6): 0}
    by_month: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for _department, _key, month, days, n, _on_time in totals.totals(
        session, "decided", months_of=year
    ):
        counts[_bucket(days)] += n
        by_month[month][days] += n
    trend = []
    for m, histogram in sorted(by_month.items()):
        median = histogram_percentile(histogram, 0.5)
        assert median is not None  # each month listed has a decided application
        trend.append(MonthMedian(month=m, decided=sum(histogram.values()), median_days=median))
    return PermitCharts(
        processing_days=[DaysBucket(days=k, applications=v) for k, v in counts.items()],
        processing_trend=trend,
    )


def years(session: Session) -> list[int]:
    """Years in which applications were submitted, newest first."""
    return sorted({int(row[2]) for row in totals.totals(session, "submitted")}, reverse=True)
