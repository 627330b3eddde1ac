"""Stages past their due instant: marked overdue, their officers and supervisors told."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from core.auth.models import Role, User
from core.ledger.service import format_time
from core.settings import Settings
from permits.models import Application, ApplicationStatus, Stage
from permits.record import notify_user, record, supervisor_of


def mark_overdue(session: Session, *, now: datetime, settings: Settings) -> int:
    """Mark running stages whose due instant has passed; ask for a reason; tell supervisors."""
    stages = session.exec(
        select(Stage, Application)
        .join(Application, col(Application.id) == Stage.application_id)
        .where(
            col(Stage.ended_at).is_(None),
            col(Stage.overdue_at).is_(None),
            col(Stage.due_at) <= now,
            Application.status == ApplicationStatus.IN_PROGRESS,
        )
        .order_by(col(Stage.due_at))
    ).all()
    for stage, application in stages:
        stage.overdue_at = now
        session.add(stage)
        record(
            session,
            application,
            stage,
            action="overdue",
            actor=None,
            note=None,
            effective_at=stage.due_at,
            now=now,
            settings=settings,
            extra={"due_at": format_time(stage.due_at)},
        )
        link = f"/permits/officer/applications/{application.tracking_number}"
        if stage.officer_id is not None:
            notify_user(
                session,
                application,
                user_id=stage.officer_id,
                now=now,
                subject=f"{application.tracking_number} is overdue: give a public reason",
                body=f"The stage {stage.code} passed its due date. Explain the delay at {link}.",
            )
        else:  # nobody in charge: every officer of the department hears of it
            for officer_id in session.exec(
                select(User.id).where(
                    User.organisation_id == stage.department_id,
                    User.role == Role.PERMIT_OFFICER,
                )
            ):
                notify_user(
                    session,
                    application,
                    user_id=officer_id,
                    now=now,
                    subject=f"{application.tracking_number} is overdue and unassigned",
                    body=f"Claim it and give a public reason for the delay at {link}.",
                )
        supervisor = supervisor_of(session, stage.officer_id)
        if supervisor is not None:
            notify_user(
                session,
                application,
                user_id=supervisor,
                now=now,
                subject=f"{application.tracking_number} is overdue (stage {stage.code})",
                body=f"A stage handled by your team passed its due date: {link}.",
            )
    session.commit()
    return len(stages)
