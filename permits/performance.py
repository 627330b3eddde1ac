"""One permit department's public performance: its types, its applications, its figures.

The stage figures (completed, on time, median business days less clock stops, backlog,
overdue) are defined as on /departments and /rankings, so the three pages agree. An
application counts for a department once one of its stages reached it. Public fields only:
no applicant's name, address, phone, email or form data.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from pydantic import BaseModel
from sqlmodel import Session, col, select

from core.auth.models import Organisation, OrganisationKind
from core.db import stored_id
from core.errors import NotFound
from core.i18n import gettext
from core.settings import Settings
from permits import catalogue, queries
from permits.insights import totals
from permits.models import Application, ApplicationStatus, Stage
from permits.rules import Calendar, histogram_percentile

COMPLETED_OUTCOMES = ("advanced", "approved", "rejected")
DECIDED = (ApplicationStatus.APPROVED, ApplicationStatus.REJECTED)
OPEN = (ApplicationStatus.IN_PROGRESS, ApplicationStatus.PAUSED)
_TICK = timedelta(microseconds=1)  # a stage due at midnight is due on the day before
OVERDUE_PAGE = 100  # overdue applications listed a page (a department may have tens of thousands)


class StageHandled(BaseModel):
    code: str
    name: str
    name_th: str | None = None
    duration: int
    unit: str


class TypeHandled(BaseModel):
    code: str
    name: str
    name_th: str
    stages: list[StageHandled]


class MonthFigures(BaseModel):
    month: str  # YYYY-MM, local time: stages started, and stages completed, in that month
    started: int
    completed: int
    on_time: int
    on_time_share: float | None
    median_days: float | None


class OverdueApplication(BaseModel):
    tracking_number: str
    type_code: str
    type_name: str
    type_name_th: str | None
    stage: str
    stage_name: str
    stage_name_th: str | None
    due_date: date
    days_late: int  # business days past due, at least 1 (as the application's page counts)
    delay_reason: str | None
    link: str


class ApplicationRow(BaseModel):
    """One stage of an application at this department: a row of the downloads."""

    tracking_number: str
    type_code: str
    status: str
    submitted_at: datetime
    decided_at: datetime | None
    stage: str
    started_at: datetime
    due_at: datetime
    ended_at: datetime | None
    outcome: str | None
    business_days: int | None  # for a completed stage: clock stops excluded
    on_time: bool | None
    overdue_now: bool
    link: str


class DepartmentPerformance(BaseModel):
    slug: str
    name: str
    name_th: str | None
    types: list[TypeHandled]
    received: int
    decided: int
    approved: int
    rejected: int
    in_progress: int
    withdrawn: int
    completed: int
    on_time: int
    on_time_share: float | None
    median_days: float | None
    backlog: int
    overdue: int
    overdue_applications: list[OverdueApplication]  # one page of them, the longest overdue first
    overdue_page: int = 1
    overdue_pages: int = 1
    overdue_page_size: int
    months: list[MonthFigures]


def department(session: Session, *, slug: str) -> Organisation:
    """A permit department by slug; NotFound says where the list is."""
    found = session.exec(
        select(Organisation).where(
            Organisation.kind == OrganisationKind.DEPARTMENT, Organisation.slug == slug
        )
    ).first()
    if found is None:
        raise NotFound(
            gettext("No permit department is called “%(slug)s”. See the list at /departments.")
            % {"slug": slug}
        )
    return found


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
        .execution_options(yield_per=1000)  # read as it is used, a thousand rows at a time
    )


def _overdue(session: Session, department_id: int, now: datetime, page: int) -> list:
    """A page of the department's open stages of applications in progress, due by now, the
    longest overdue first (a range of an index)."""
    ids = totals.overdue_stage_ids(
        session,
        department_id=department_id,
        now=now,
        offset=(page - 1) * OVERDUE_PAGE,
        limit=OVERDUE_PAGE,
    )
    found = {
        row[0]: row[1:]
        for row in session.execute(
            sa.select(
                col(Stage.id),
                col(Stage.code),
                col(Stage.due_at),
                col(Stage.delay_reason),
                col(Application.tracking_number),
                col(Application.type_code),
            )
            .join(Application, col(Application.id) == Stage.application_id)
            .where(col(Stage.id).in_(ids))
        )
    }
    return [found[i] for i in ids if i in found]


def applications(
    session: Session, *, department_id: int, settings: Settings, now: datetime
) -> Iterator[ApplicationRow]:
    """Every stage of an application that reached this department, oldest application first,
    read as it is written out (a busy department of a national archive has hundreds of
    thousands): the downloads stream it from a session of their own."""
    calendar = catalogue.calendar(session, settings=settings, around=now)
    for (
        code,
        started,
        due,
        ended,
        outcome,
        paused,
        _reason,
        number,
        type_code,
        status,
        submitted,
        decided,
    ) in _stages(session, department_id):
        completed = ended is not None and outcome in COMPLETED_OUTCOMES
        yield ApplicationRow(
            tracking_number=number,
            type_code=type_code,
            status=str(status),
            submitted_at=submitted,
            decided_at=decided,
            stage=code,
            started_at=started,
            due_at=due,
            ended_at=ended,
            outcome=outcome,
            business_days=(
                max(0, calendar.business_days_between(started, ended) - paused)
                if completed
                else None
            ),
            on_time=ended <= due if completed else None,
            overdue_now=ended is None and status == ApplicationStatus.IN_PROGRESS and due <= now,
            link=queries.permit_link(settings, number),
        )


def overdue_application(
    number: str,
    type_code: str,
    code: str,
    due: datetime,
    reason: str | None,
    *,
    names: tuple[dict, dict],
    calendar: Calendar,
    now: datetime,
) -> OverdueApplication:
    """An overdue stage as a department's page lists it: names in both languages, the local
    due date, the business days it is late (one at least)."""
    type_names, stage_names = names
    return OverdueApplication(
        tracking_number=number,
        type_code=type_code,
        type_name=type_names.get(type_code, (type_code, None))[0],
        type_name_th=type_names.get(type_code, (type_code, None))[1],
        stage=code,
        stage_name=stage_names.get((type_code, code), (code, None))[0],
        stage_name_th=stage_names.get((type_code, code), (code, None))[1],
        due_date=calendar.local_date(due - _TICK),
        days_late=max(1, calendar.business_days_between(due, now)),
        delay_reason=reason,
        link=f"/permits/{number}",
    )


def performance(
    session: Session, *, slug: str, settings: Settings, now: datetime, page: int = 1
) -> DepartmentPerformance:
    """The department's figures now, month by month, and a page of its overdue applications."""
    found = department(session, slug=slug)
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
    department_id = stored_id(found)
    counts: dict[str, int] = defaultdict(int)
    for _department, status, _period, _days, n, _on_time in totals.totals(
        session, "dept_app", department_id=department_id
    ):
        counts[status] += n
    days: dict[int, int] = defaultdict(int)
    on_time = 0
    months: dict[str, dict] = defaultdict(
        lambda: {"started": 0, "days": defaultdict(int), "on_time": 0}
    )
    for _department, _key, month, _days, n, _on_time in totals.totals(
        session, "started", department_id=department_id
    ):
        months[month]["started"] += n
    for _department, _key, period, took, n, in_time in totals.totals(
        session, "done", department_id=department_id, key=""
    ):
        if not period:
            days[took] += n
            on_time += in_time
        elif len(period) == 7:
            months[period]["days"][took] += n
            months[period]["on_time"] += in_time
    backlog = totals.count(session, "backlog", department_id=department_id)
    overdue_count = sum(totals.overdue(session, now=now, department_id=department_id).values())
    overdue_pages = max(1, -(-overdue_count // OVERDUE_PAGE))
    listed = _overdue(session, department_id, now, page) if page <= overdue_pages else []
    overdue = [
        overdue_application(
            number,
            type_code,
            code,
            due,
            reason,
            names=(type_names, stage_names),
            calendar=calendar,
            now=now,
        )
        for code, due, reason, number, type_code in listed
    ]
    completed = sum(days.values())
    return DepartmentPerformance(
        slug=found.slug,
        name=found.name,
        name_th=found.name_th,
        types=types,
        received=sum(counts.values()),
        decided=sum(counts[s] for s in DECIDED),
        approved=counts[ApplicationStatus.APPROVED],
        rejected=counts[ApplicationStatus.REJECTED],
        in_progress=sum(counts[s] for s in OPEN),
        withdrawn=counts[ApplicationStatus.WITHDRAWN],
        completed=completed,
        on_time=on_time,
        on_time_share=round(on_time / completed, 4) if completed else None,
        median_days=histogram_percentile(days, 0.5),
        backlog=backlog,
        overdue=overdue_count,
        overdue_applications=overdue,
        overdue_page=page,
        overdue_pages=overdue_pages,
        overdue_page_size=OVERDUE_PAGE,
        months=[
            MonthFigures(
                month=key,
                started=m["started"],
                completed=sum(m["days"].values()),
                on_time=m["on_time"],
                on_time_share=(
                    round(m["on_time"] / sum(m["days"].values()), 4)
                    if sum(m["days"].values())
                    else None
                ),
                median_days=histogram_percentile(m["days"], 0.5),
            )
            for key, m in sorted(months.items())
        ],
    )
