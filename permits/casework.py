"""Reads for the signed-in applicant and officer: the queue, the work page, one's own files.

Unlike permits.queries these may show personal data, to the one person entitled to it."""

from __future__ import annotations

import json
from datetime import datetime

from sqlmodel import Session, col, func, select

from core.auth.models import Role, User
from core.db import stored_id
from core.errors import InvalidInput, PermissionDenied
from core.i18n import gettext
from core.settings import Settings
from permits import catalogue, queries, service
from permits.forms import thai_description
from permits.models import Application, DataAccess, Document, Notification, Pause, Stage
from permits.record import current_stage, inbox_subject, officer_label, open_pause
from permits.rules import Action, allowed_actions
from permits.schemas import (
    AccessPublic,
    AnswerPrivate,
    Colleague,
    DocumentPublic,
    InboxMessage,
    MyApplication,
    MyApplications,
    OfficerQueue,
    PageOf,
    PermitSummary,
    QueueRow,
    WorkPage,
)

PER_PAGE = 25


def _page_of(number: int, total: int, per_page: int) -> PageOf:
    """The page asked for; a page past the last is a mistake to say, not an empty page."""
    page = PageOf(number=number, per_page=per_page, total=total)
    if number > page.pages:
        raise InvalidInput(
            gettext("There is no page %(number)s: the last page is %(last)s.")
            % {"number": number, "last": page.pages},
            field="page",
        )
    return page


def officer_queue(
    session: Session, *, officer: User, now: datetime, page: int = 1, per_page: int = PER_PAGE
) -> OfficerQueue:
    """A page of the officer's department's running stages, what falls due first on top, and
    their inbox."""
    running = (
        col(Stage.department_id) == officer.organisation_id,
        col(Stage.ended_at).is_(None),
    )
    total = session.exec(select(func.count()).select_from(Stage).where(*running)).one()
    at = _page_of(page, total, per_page)
    rows = session.exec(
        select(Stage, Application)
        .join(Application, col(Application.id) == Stage.application_id)
        .where(*running)
        .order_by(col(Stage.due_at), col(Stage.id))
        .offset((at.number - 1) * per_page)
        .limit(per_page)
    ).all()
    names = {
        u.id: u.display_name
        for u in session.exec(select(User).where(User.organisation_id == officer.organisation_id))
    }
    inbox = session.exec(
        select(Notification)
        .where(Notification.user_id == officer.id)
        .order_by(col(Notification.created_at).desc())
        .limit(20)
    ).all()
    definitions = catalogue.definitions_by_id(session)
    return OfficerQueue(
        rows=[
            QueueRow(
                tracking_number=a.tracking_number,
                description=a.description,
                description_th=thai_description(definitions[a.type_id], a.description),
                status=str(a.status),
                stage_code=s.code,
                due_at=s.due_at,
                overdue=s.due_at <= now and a.status == "in_progress",
                officer=names.get(s.officer_id) or gettext("not yet assigned"),
                reason_needed=bool(s.overdue_at and not s.delay_reason),
            )
            for s, a in rows
        ],
        inbox=[InboxMessage(created_at=n.created_at, subject=inbox_subject(n)) for n in inbox],
        page=at,
    )


def my_applications_page(
    session: Session, *, applicant: User, page: int = 1, per_page: int = PER_PAGE
) -> MyApplications:
    """A page of an applicant's own applications, newest first, and the tracking numbers of
    every one waiting for their answer (whatever its page)."""
    mine = col(Application.applicant_id) == applicant.id
    total = session.exec(select(func.count()).select_from(Application).where(mine)).one()
    at = _page_of(page, total, per_page)
    waiting = session.exec(
        select(Application.tracking_number)
        .where(mine, col(Application.status) == "paused")
        .order_by(col(Application.submitted_at).desc())
    ).all()
    return MyApplications(
        applications=my_applications(
            session, applicant=applicant, offset=(at.number - 1) * per_page, limit=per_page
        ),
        waiting=list(waiting),
        page=at,
    )


def my_applications(
    session: Session, *, applicant: User, offset: int = 0, limit: int | None = None
) -> list[PermitSummary]:
    """An applicant's own applications, newest first (all of them, or `limit` from `offset`)."""
    rows = session.exec(
        select(Application)
        .where(Application.applicant_id == applicant.id)
        .order_by(col(Application.submitted_at).desc(), col(Application.id).desc())
        .offset(offset)
        .limit(limit)
    )
    definitions = catalogue.definitions_by_id(session)
    return [
        PermitSummary(
            tracking_number=a.tracking_number,
            type_code=a.type_code,
            description=a.description,
            description_th=thai_description(definitions[a.type_id], a.description),
            status=str(a.status),
            current_stage=None,
            department=None,
            due_at=None,
            overdue=False,
            submitted_at=a.submitted_at,
            link=f"/permits/mine/{a.tracking_number}",
        )
        for a in rows
    ]


def _documents(session: Session, application: Application) -> list[DocumentPublic]:
    return [
        DocumentPublic.model_validate(d, from_attributes=True)
        for d in session.exec(select(Document).where(Document.application_id == application.id))
    ]


def _answers(session: Session, application: Application) -> list[AnswerPrivate]:
    """The applicant's written answers to requests for information, oldest first."""
    rows = session.exec(
        select(Pause)
        .join(Stage, col(Stage.id) == col(Pause.stage_id))
        .where(Stage.application_id == application.id, col(Pause.answer).is_not(None))
        .order_by(col(Pause.answered_at))
    )
    return [
        AnswerPrivate(asked_for=p.asked_for, answer=p.answer or "", answered_at=p.answered_at)
        for p in rows
        if p.answered_at is not None
    ]


def _own(session: Session, number: str, applicant: User) -> Application:
    application = service.get_application(session, number=number)
    if application.applicant_id != applicant.id:
        raise PermissionDenied(gettext("This is not your application."))
    return application


def my_application(
    session: Session, *, number: str, applicant: User, settings: Settings, now: datetime
) -> MyApplication:
    """The applicant's own application in full, with every officer who opened their data."""
    application = _own(session, number, applicant)
    accesses = session.exec(
        select(DataAccess)
        .where(DataAccess.application_id == application.id)
        .order_by(col(DataAccess.accessed_at).desc())
    ).all()
    return MyApplication(
        permit=queries.public_view(session, application, settings=settings, now=now),
        values=json.loads(application.form_data),
        definition=catalogue.definition_of(service.application_type(session, application)),
        documents=_documents(session, application),
        answers=_answers(session, application),
        accesses=[
            AccessPublic(
                accessed_at=a.accessed_at,
                officer=officer_label(session, a.officer_id, settings),
                reason=a.reason,
            )
            for a in accesses
        ],
    )


def work_page(
    session: Session,
    *,
    number: str,
    officer: User,
    settings: Settings,
    now: datetime,
    personal: bool = False,
) -> WorkPage:
    """One application as an officer sees it: the public record and the actions allowed.

    `personal` adds the applicant's data: only after personal_data.open_personal_data logged why."""
    application = service.get_application(session, number=number)
    stage = current_stage(session, application)
    definition = catalogue.definition_of(service.application_type(session, application))
    mine = stage is not None and stage.department_id == officer.organisation_id
    allowed: list[Action] = []
    if mine and stage is not None:
        allowed = allowed_actions(
            definition.stage(stage.position).transitions,
            paused=open_pause(session, stage) is not None,
            extended=stage.extended_at is not None,
            is_last=stage.position == len(definition.stages) - 1,
        )
    colleagues = session.exec(
        select(User).where(
            User.organisation_id == officer.organisation_id, User.role == Role.PERMIT_OFFICER
        )
    ).all()
    data = None
    if personal:
        applicant = session.get_one(User, application.applicant_id)
        data = {
            "values": json.loads(application.form_data),
            "account": applicant.email,
            "name": applicant.display_name,
        }
    return WorkPage(
        permit=queries.public_view(session, application, settings=settings, now=now),
        stage_code=stage.code if stage is not None else None,
        mine=mine,
        allowed=[a for a in allowed if a is not Action.WITHDRAW],
        colleagues=[Colleague(id=stored_id(c), display_name=c.display_name) for c in colleagues],
        personal=data,
        definition=definition,
        overdue=stage is not None and stage.due_at <= now,
        documents=_documents(session, application),
        # The applicant's own words: shown with the personal data, once its opening is logged.
        answers=_answers(session, application) if personal else [],
    )
