"""Stages past their due instant: marked overdue, their officers and supervisors told."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from core.auth.models import Role, User
from core.i18n import N_
from core.ledger.service import format_time
from core.settings import Settings
from permits.models import Application, ApplicationStatus, Stage
from permits.record import notify_user, record, supervisor_of

log = logging.getLogger(__name__)


def _due(query, now: datetime):
    return query.join(Application, col(Application.id) == Stage.application_id).where(
        col(Stage.ended_at).is_(None),
        col(Stage.overdue_at).is_(None),
        col(Stage.due_at) <= now,
        Application.status == ApplicationStatus.IN_PROGRESS,
    )


def mark_overdue(session: Session, *, now: datetime, settings: Settings) -> int:
    """Mark running stages whose due instant has passed, each in its own transaction.

    A stage that fails is logged and left for the next run; the others are still marked, and
    the log's lock is held for one stage at a time, never for the whole batch.
    """
    due = list(session.exec(_due(select(Stage.id), now).order_by(col(Stage.due_at))))
    marked = 0
    for stage_id in due:  # each stage a transaction of its own
        try:
            marked += mark_stage_overdue(session, stage_id=stage_id, now=now, settings=settings)
        except Exception:
            session.rollback()
            log.exception("stage %d could not be marked overdue; the next run retries", stage_id)
    return marked


def mark_stage_overdue(
    session: Session, *, stage_id: int, now: datetime, settings: Settings
) -> bool:
    """Mark one stage overdue (if it still is); ask for a reason; tell supervisors; commit."""
    row = session.exec(
        _due(select(Stage, Application), now).where(col(Stage.id) == stage_id).with_for_update()
    ).first()
    if row is None:  # ended, or marked by another run, since the list was read
        session.rollback()
        return False
    stage, application = row
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
    values = {"number": application.tracking_number, "link": link}
    values["stage"] = f"{application.type_code}:{stage.code}"  # named in the reader's language

    def say(subject: str, body: str) -> dict[str, Any]:  # both marked N_ where written
        return {"subject": subject, "body": body, "values": values, "settings": settings}

    if stage.officer_id is not None:
        notify_user(
            session,
            application,
            user_id=stage.officer_id,
            now=now,
            **say(
                N_("%(number)s is overdue: give a public reason"),
                N_("The stage %(stage)s passed its due date. Explain the delay at %(link)s."),
            ),
        )
    else:  # nobody in charge: every officer of the department hears of it
        for officer_id in session.exec(
            select(User.id).where(
                User.organisation_id == stage.department_id,
                User.role == Role.PERMIT_OFFICER,
            )
        ):
            assert officer_id is not None  # a primary key
            notify_user(
                session,
                application,
                user_id=officer_id,
                now=now,
                **say(
                    N_("%(number)s is overdue and unassigned"),
                    N_("Claim it and give a public reason for the delay at %(link)s."),
                ),
            )
    supervisor = supervisor_of(session, stage.officer_id)
    if supervisor is not None:
        notify_user(
            session,
            application,
            user_id=supervisor,
            now=now,
            **say(
                N_("%(number)s is overdue (stage %(stage)s)"),
                N_("A stage handled by your team passed its due date: %(link)s."),
            ),
        )
    session.commit()
    return True
