"""The permit figures as they were computed before the aggregates: one pass over every
application and stage per request. Kept as the reference the aggregates must equal."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, func, select

from core.auth.models import Organisation, OrganisationKind
from core.db import stored_id
from core.settings import Settings
from permits import catalogue
from permits import performance as performance_module
from permits.activity import PermitFigures
from permits.insights.queries import DAY_BUCKETS, RankBy, _bucket, _sort_key
from permits.insights.schemas import DaysBucket, DepartmentRanking, MonthMedian, PermitCharts
from permits.models import Application, ApplicationStatus, Stage, Transition
from permits.performance import (
    DepartmentPerformance,
    MonthFigures,
    OverdueApplication,
    StageHandled,
    TypeHandled,
)
from permits.performance import (
    department as department_named,
)
from permits.rules import percentile
from permits.schemas import StatisticsRow

COMPLETED_OUTCOMES = ("advanced", "approved", "rejected")
DECIDED = (ApplicationStatus.APPROVED, ApplicationStatus.REJECTED)
OPEN = (ApplicationStatus.IN_PROGRESS, ApplicationStatus.PAUSED)
_DECIDED = {ApplicationStatus.APPROVED, ApplicationStatus.REJECTED}


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


def statistics(session: Session, *, settings: Settings, now: datetime) -> list[StatisticsRow]:
    """Per type and department: processing days (median, p90), on time, backlog, overdue."""
    calendar = catalogue.calendar(session, settings=settings, around=now)
    slugs = dict(session.exec(select(Organisation.id, Organisation.slug)).all())
    late = dict(
        session.exec(
            select(Stage.id, func.count())
            .join(Transition, col(Transition.stage_id) == Stage.id)
            .where(col(Transition.late_entry).is_(True))
            .group_by(col(Stage.id))
        ).all()
    )
    groups: dict[tuple[str, str], dict] = defaultdict(
        lambda: {"days": [], "on_time": 0, "backlog": 0, "overdue": 0, "late": 0}
    )
    rows = session.execute(  # columns, not entities: this reads every stage there is
        sa.select(
            col(Stage.id),
            col(Stage.department_id),
            col(Stage.started_at),
            col(Stage.ended_at),
            col(Stage.due_at),
            col(Stage.outcome),
            col(Stage.paused_units),
            col(Application.type_code),
            col(Application.status),
        ).join(Application, col(Application.id) == Stage.application_id)
    ).all()
    for (
        stage_id,
        department_id,
        started_at,
        ended_at,
        due_at,
        outcome,
        paused_units,
        type_code,
        status,
    ) in rows:
        group = groups[(type_code, slugs[department_id])]
        group["late"] += late.get(stage_id, 0)
        if ended_at is None:
            group["backlog"] += 1
            if status == "in_progress" and due_at <= now:
                group["overdue"] += 1
        elif outcome in ("advanced", "approved", "rejected"):
            days = calendar.business_days_between(started_at, ended_at)
            group["days"].append(max(0, days - paused_units))
            group["on_time"] += ended_at <= due_at
    result = []
    for (type_code, department), g in sorted(groups.items()):
        done = len(g["days"])
        median, p90 = percentile(g["days"], 0.5), percentile(g["days"], 0.9)
        result.append(
            StatisticsRow(
                type_code=type_code,
                department=department,
                completed=done,
                median_days=median,
                p90_days=p90,
                on_time_share=round(g["on_time"] / done, 3) if done else None,
                backlog=g["backlog"],
                overdue=g["overdue"],
                late_entries=g["late"],
            )
        )
    return result


def _stages(session: Session, department_id: int):
    return session.execute(  # columns, not entities: a busy department has many stages
        sa.select(
            col(Stage.code),
            col(Stage.started_at),
            col(Stage.due_at),
            col(Stage.ended_at),
            col(Stage.outcome),
            col(Stage.paused_units),
            col(Stage.delay_reason),
            col(Application.tracking_number),
            col(Application.type_code),
            col(Application.status),
            col(Application.submitted_at),
            col(Application.decided_at),
        )
        .join(Application, col(Application.id) == Stage.application_id)
        .where(col(Stage.department_id) == department_id)
        .order_by(col(Application.submitted_at), col(Application.id), col(Stage.position))
    ).all()


def performance(
    session: Session, *, slug: str, settings: Settings, now: datetime
) -> DepartmentPerformance:
    """The department's figures now, month by month, and the first page of its overdue
    applications."""
    found = department_named(session, slug=slug)
    calendar = catalogue.calendar(session, settings=settings, around=now)
    types = []
    for permit_type in catalogue.latest_types(session):
        definition = catalogue.definition_of(permit_type)
        here = [s for s in definition.stages if s.department == found.slug]
        if here:
            types.append(
                TypeHandled(
                    code=definition.code,
                    name=definition.name,
                    name_th=definition.name_th,
                    stages=[
                        StageHandled(
                            code=s.code,
                            name=s.name,
                            name_th=s.name_th,
                            duration=s.duration,
                            unit=str(s.unit),
                        )
                        for s in here
                    ],
                )
            )
    stage_names = {(t.code, s.code): (s.name, s.name_th) for t in types for s in t.stages}
    type_names = {t.code: (t.name, t.name_th) for t in types}
    statuses: dict[str, str] = {}
    days: list[int] = []
    on_time = backlog = 0
    months: dict[str, dict] = defaultdict(lambda: {"started": 0, "days": [], "on_time": 0})
    overdue: list[OverdueApplication] = []
    for (
        code,
        started,
        due,
        ended,
        outcome,
        paused,
        reason,
        number,
        type_code,
        status,
        _submitted,
        _decided,
    ) in _stages(session, stored_id(found)):
        statuses[number] = status
        months[calendar.local_date(started).strftime("%Y-%m")]["started"] += 1
        if ended is None:
            backlog += 1
            if status == ApplicationStatus.IN_PROGRESS and due <= now:
                overdue.append(
                    performance_module.overdue_application(
                        number,
                        type_code,
                        code,
                        due,
                        reason,
                        names=(type_names, stage_names),
                        calendar=calendar,
                        now=now,
                    )
                )
        elif outcome in COMPLETED_OUTCOMES:
            took = max(0, calendar.business_days_between(started, ended) - paused)
            month = months[calendar.local_date(ended).strftime("%Y-%m")]
            days.append(took)
            month["days"].append(took)
            on_time += ended <= due
            month["on_time"] += ended <= due
    counts: dict[str, int] = defaultdict(int)
    for status in statuses.values():
        counts[str(status)] += 1
    # The longest overdue first, then by stage (an application has one open stage at a time),
    # and the first page of them, as the page lists them.
    open_stage = {
        (number, code): (due, stage_id)
        for number, code, due, stage_id in session.execute(
            sa.select(
                col(Application.tracking_number), col(Stage.code), col(Stage.due_at), col(Stage.id)
            )
            .join(Application, col(Application.id) == Stage.application_id)
            .where(col(Stage.department_id) == stored_id(found), col(Stage.ended_at).is_(None))
        )
    }
    overdue.sort(key=lambda o: open_stage[(o.tracking_number, o.stage)])
    size = performance_module.OVERDUE_PAGE
    return DepartmentPerformance(
        slug=found.slug,
        name=found.name,
        name_th=found.name_th,
        types=types,
        received=len(statuses),
        decided=sum(counts[s] for s in DECIDED),
        approved=counts[ApplicationStatus.APPROVED],
        rejected=counts[ApplicationStatus.REJECTED],
        in_progress=sum(counts[s] for s in OPEN),
        withdrawn=counts[ApplicationStatus.WITHDRAWN],
        completed=len(days),
        on_time=on_time,
        on_time_share=round(on_time / len(days), 4) if days else None,
        median_days=percentile(days, 0.5),
        backlog=backlog,
        overdue=len(overdue),
        overdue_applications=overdue[:size],
        overdue_page=1,
        overdue_pages=max(1, -(-len(overdue) // size)),
        overdue_page_size=size,
        months=[
            MonthFigures(
                month=key,
                started=m["started"],
                completed=len(m["days"]),
                on_time=m["on_time"],
                on_time_share=round(m["on_time"] / len(m["days"]), 4) if m["days"] else None,
                median_days=percentile(m["days"], 0.5),
            )
            for key, m in sorted(months.items())
        ],
    )


def figures(session: Session, *, now: datetime) -> PermitFigures:
    """How many applications were received, are in progress, decided, and overdue now."""
    by_status = dict(
        session.exec(select(Application.status, func.count()).group_by(Application.status)).all()
    )
    overdue = session.exec(
        select(func.count(func.distinct(Stage.application_id)))
        .join(Application, col(Application.id) == Stage.application_id)
        .where(Application.status == ApplicationStatus.IN_PROGRESS)
        .where(col(Stage.ended_at).is_(None), Stage.due_at <= now)
    ).one()
    in_progress = by_status.get(ApplicationStatus.IN_PROGRESS, 0)
    return PermitFigures(
        received=sum(by_status.values()),
        in_progress=in_progress,
        decided=sum(n for status, n in by_status.items() if status in _DECIDED),
        overdue=overdue,
    )
