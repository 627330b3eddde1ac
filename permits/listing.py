"""Public lists of permits: filtered pages, BLDS exports and the figures the site charts."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlmodel import Session, col, func, select

from core.auth.models import Organisation
from core.settings import Settings
from permits import catalogue, queries
from permits.forms import thai_description
from permits.insights import totals
from permits.models import Application, Stage
from permits.rules import BLDS_STATUS, histogram_percentile
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
    if type_code or department or overdue is not None or since:
        total = session.exec(select(func.count()).select_from(statement.subquery())).one()
    else:  # the running totals by status (the refresh job's, a few seconds behind at most)
        total = totals.count(session, "app", key=status) if status else totals.count(session, "app")
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


def statistics(session: Session, *, now: datetime) -> list[StatisticsRow]:
    """Per type and department: processing days (median, p90), on time, backlog, overdue."""
    slugs = dict(session.exec(select(Organisation.id, Organisation.slug)).all())
    groups: dict[tuple[int, str], dict] = defaultdict(
        lambda: {"days": defaultdict(int), "on_time": 0, "backlog": 0, "late": 0}
    )
    for department_id, type_code, _period, _days, _n, _on_time in totals.totals(session, "stages"):
        groups[(department_id, type_code)]
    for department_id, type_code, period, days, n, on_time in totals.totals(session, "done"):
        if type_code and not period:
            group = groups[(department_id, type_code)]
            group["days"][days] += n
            group["on_time"] += on_time
    for kind in ("backlog", "late"):
        for department_id, type_code, _period, _days, n, _on_time in totals.totals(session, kind):
            groups[(department_id, type_code)][kind] += n
    overdue = totals.overdue(session, now=now)
    result = []
    for (department_id, type_code), g in sorted(
        groups.items(), key=lambda item: (item[0][1], slugs[item[0][0]])
    ):
        done = sum(g["days"].values())
        median, p90 = histogram_percentile(g["days"], 0.5), histogram_percentile(g["days"], 0.9)
        result.append(
            StatisticsRow(
                type_code=type_code,
                department=slugs[department_id],
                completed=done,
                median_days=median,
                p90_days=p90,
                on_time_share=round(g["on_time"] / done, 3) if done else None,
                backlog=g["backlog"],
                overdue=overdue.get((department_id, type_code), 0),
                late_entries=g["late"],
            )
        )
    return result


def type_names(session: Session) -> dict[str, str]:
    """Permit type code → name (newest version)."""
    return {t.code: t.name for t in catalogue.latest_types(session)}
