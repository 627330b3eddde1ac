"""Public lists of permits: filtered pages, BLDS exports and the figures the site charts."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, func, select

from core.auth.models import Organisation
from core.settings import Settings
from permits import catalogue, queries
from permits.forms import thai_description
from permits.models import Application, Stage, Transition
from permits.rules import BLDS_STATUS, percentile
from permits.schemas import PermitPage, PermitSummary, StatisticsRow

MAX_PER_PAGE = 200


def _filtered(type_code, department, status, overdue, since, now):
    current = (
        select(Stage.application_id, Stage.code, Stage.department_id, Stage.due_at)
        .where(col(Stage.ended_at).is_(None))
        .subquery()
    )
    statement = (
        select(Application, current.c.code, Organisation.slug, current.c.due_at)
        .outerjoin(current, current.c.application_id == Application.id)
        .outerjoin(Organisation, col(Organisation.id) == current.c.department_id)
    )
    if type_code:
        statement = statement.where(Application.type_code == type_code.upper())
    if department:
        statement = statement.where(Organisation.slug == department)
    if status:
        statement = statement.where(Application.status == status)
    if overdue is not None:
        late = (current.c.due_at <= now) & (Application.status == "in_progress")
        statement = statement.where(late if overdue else ~late | current.c.due_at.is_(None))
    if since:
        statement = statement.where(col(Application.updated_at) >= since)
    return statement


def page(
    session: Session,
    *,
    settings: Settings,
    now: datetime,
    type_code: str | None = None,
    department: str | None = None,
    status: str | None = None,
    overdue: bool | None = None,
    since: datetime | None = None,
    number: int = 1,
    per_page: int = 50,
) -> PermitPage:
    """One page of applications, newest first, with the filters of the public list."""
    per_page = max(1, min(per_page, MAX_PER_PAGE))
    statement = _filtered(type_code, department, status, overdue, since, now)
    total = session.exec(select(func.count()).select_from(statement.subquery())).one()
    rows = session.exec(
        statement.order_by(col(Application.submitted_at).desc(), col(Application.id).desc())
        .offset((number - 1) * per_page)
        .limit(per_page)
    ).all()
    definitions = catalogue.definitions_by_id(session)
    items = [
        PermitSummary(
            tracking_number=a.tracking_number,
            type_code=a.type_code,
            description=a.description,
            description_th=thai_description(definitions[a.type_id], a.description),
            status=a.status,
            current_stage=code,
            department=slug,
            due_at=due,
            overdue=bool(due and due <= now and a.status == "in_progress"),
            submitted_at=a.submitted_at,
            link=queries.permit_link(settings, a.tracking_number),
        )
        for a, code, slug, due in rows
    ]
    more = number * per_page < total
    return PermitPage(
        items=items,
        page=number,
        per_page=per_page,
        total=total,
        next=f"page={number + 1}&per_page={per_page}" if more else None,
    )


BLDS_COLUMNS = [
    "PermitNum",
    "Description",
    "AppliedDate",
    "IssuedDate",
    "CompletedDate",
    "StatusCurrent",
    "OriginalStatus",
    "StatusDate",
    "PermitType",
    "PermitTypeDesc",
    "Link",
    "StageHistory",
]


def export_rows(session: Session, *, settings: Settings, now: datetime) -> list[dict]:
    """Every application in BLDS fields where they fit, with its stage history."""
    rows = []
    for application in session.exec(select(Application).order_by(col(Application.id))):
        view = queries.public_view(session, application, settings=settings, now=now)
        issued = view.decided_at if view.status == "approved" else None
        rows.append(
            {
                "PermitNum": view.tracking_number,
                "Description": view.description,
                "AppliedDate": view.submitted_at.date().isoformat(),
                "IssuedDate": issued.date().isoformat() if issued else None,
                "CompletedDate": view.decided_at.date().isoformat() if view.decided_at else None,
                "StatusCurrent": BLDS_STATUS[view.status],
                "OriginalStatus": view.status,
                "StatusDate": application.updated_at.date().isoformat(),
                "PermitType": view.type_code,
                "PermitTypeDesc": view.type_name,
                "Link": view.link,
                "StageHistory": [
                    {
                        "stage": s.code,
                        "department": s.department,
                        "officer": s.officer,
                        "started_at": s.started_at,
                        "due_at": s.due_at,
                        "ended_at": s.ended_at,
                        "outcome": s.outcome,
                        "delay_days": s.delay_days,
                        "delay_reason": s.delay_reason,
                    }
                    for s in view.stages
                    if s.started_at
                ],
            }
        )
    return rows


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


def type_names(session: Session) -> dict[str, str]:
    """Permit type code → name (newest version)."""
    return {t.code: t.name for t in catalogue.latest_types(session)}
