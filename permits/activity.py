"""What is happening now in permits, for the home page and the Atom feeds.

Public reads only: tracking numbers, types, stages, departments, public notes; never the
applicant's name, address, phone, email or form data.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from pydantic import BaseModel
from sqlmodel import Session, col, select

from core.auth.models import Organisation, OrganisationKind
from permits.insights import totals
from permits.models import Application, ApplicationStatus, PermitType, Stage, Transition

_DECIDED = {ApplicationStatus.APPROVED, ApplicationStatus.REJECTED}


class PermitChange(BaseModel):
    """One public change of an application: a transition of one of its stages."""

    id: int
    tracking_number: str
    type_code: str
    type_name: str
    action: str
    stage: str | None
    department_slug: str | None
    department_name: str | None
    type_name_th: str | None = None
    department_name_th: str | None = None
    status: str
    note: str | None
    effective_at: datetime
    entered_at: datetime
    ledger_index: int | None


class OverdueStage(BaseModel):
    """An application whose running stage is past its statutory due date."""

    tracking_number: str
    type_name: str
    stage: str
    department_name: str
    type_name_th: str | None = None
    department_name_th: str | None = None
    due_at: datetime
    overdue_at: datetime
    delay_reason: str | None


class PermitFigures(BaseModel):
    """Headline counts over every application."""

    received: int
    in_progress: int
    decided: int
    overdue: int


class DepartmentRef(BaseModel):
    slug: str
    name: str


def recent_changes(
    session: Session,
    *,
    limit: int = 20,
    department_slug: str | None = None,
    tracking_number: str | None = None,
) -> list[PermitChange]:
    """Public changes, newest first; of one department or one application when asked."""
    query = (
        sa.select(Transition, Application, PermitType, Stage, Organisation)
        .join(Application, col(Application.id) == Transition.application_id)
        .join(PermitType, col(PermitType.id) == Application.type_id)
        .outerjoin(Stage, col(Stage.id) == Transition.stage_id)
        .outerjoin(Organisation, col(Organisation.id) == Stage.department_id)
    )
    if department_slug is not None:
        query = query.where(col(Organisation.slug) == department_slug)
    if tracking_number is not None:
        query = query.where(col(Application.tracking_number) == tracking_number)
    query = query.order_by(col(Transition.entered_at).desc(), col(Transition.id).desc())
    return [
        PermitChange(
            id=t.id,
            tracking_number=a.tracking_number,
            type_code=a.type_code,
            type_name=p.name,
            action=t.action,
            stage=s.code if s else None,
            department_slug=o.slug if o else None,
            department_name=o.name if o else None,
            type_name_th=p.name_th,
            department_name_th=o.name_th if o else None,
            status=str(a.status),
            note=t.note,
            effective_at=t.effective_at,
            entered_at=t.entered_at,
            ledger_index=t.ledger_index,
        )
        for t, a, p, s, o in session.execute(query.limit(limit))
    ]


def _fell_overdue(session: Session, *, limit: int) -> list:
    # The newest open overdue stages first, from the end of their partial index; then those of
    # applications in progress among them (nearly all: a paused one is the exception). Joined
    # in one query, SQLite read every application in progress instead.
    candidates = limit * 4
    while True:
        ids = list(
            session.exec(
                select(Stage.id)
                .where(col(Stage.overdue_at).is_not(None), col(Stage.ended_at).is_(None))
                .order_by(col(Stage.overdue_at).desc(), col(Stage.id).desc())
                .limit(candidates)
            )
        )
        rows = session.exec(
            select(Stage, Application, PermitType, Organisation)
            .join(Application, col(Application.id) == Stage.application_id)
            .join(PermitType, col(PermitType.id) == Application.type_id)
            .join(Organisation, col(Organisation.id) == Stage.department_id)
            .where(col(Stage.id).in_(ids))
            .where(Application.status == ApplicationStatus.IN_PROGRESS)
            .order_by(col(Stage.overdue_at).desc(), col(Stage.id).desc())
            .limit(limit)
        ).all()
        if len(rows) >= limit or len(ids) < candidates:
            return list(rows)
        candidates *= 4


def fell_overdue(session: Session, *, limit: int = 10) -> list[OverdueStage]:
    """Running stages that went past their due date, most recently overdue first."""
    overdue = []
    for s, a, p, o in _fell_overdue(session, limit=limit):
        assert s.overdue_at is not None  # the query reads overdue stages only
        overdue.append(
            OverdueStage(
                tracking_number=a.tracking_number,
                type_name=p.name,
                stage=s.code,
                department_name=o.name,
                type_name_th=p.name_th,
                department_name_th=o.name_th,
                due_at=s.due_at,
                overdue_at=s.overdue_at,
                delay_reason=s.delay_reason,
            )
        )
    return overdue


def figures(session: Session, *, now: datetime) -> PermitFigures:
    """How many applications were received, are in progress, decided, and overdue now."""
    by_status: dict[str, int] = {}
    for _department, status, _period, _days, n, _on_time in totals.totals(session, "app"):
        by_status[status] = by_status.get(status, 0) + n
    in_progress = by_status.get(ApplicationStatus.IN_PROGRESS, 0)
    return PermitFigures(
        received=sum(by_status.values()),
        in_progress=in_progress,
        decided=sum(n for status, n in by_status.items() if status in _DECIDED),
        overdue=totals.overdue_applications(session, now=now),
    )


def department(session: Session, *, slug: str) -> DepartmentRef | None:
    """A permit department by slug, or None."""
    found = session.exec(
        select(Organisation).where(
            Organisation.kind == OrganisationKind.DEPARTMENT, Organisation.slug == slug
        )
    ).first()
    return DepartmentRef(slug=found.slug, name=found.name) if found else None
