"""Use cases of permits: apply, act on a stage, answer, withdraw, claim, explain, subscribe.

Each function is one transaction: the change, its transparency-log entry, its public event
and its notifications commit together or not at all. Uploaded files are written only after
every check has passed, and removed again if the transaction does not commit.
"""

from __future__ import annotations

import secrets
from datetime import date, datetime
from pathlib import Path

import sqlalchemy as sa
from sqlmodel import Session, col, select

from core.auth.models import Role, User
from core.errors import InvalidInput, PermissionDenied
from core.ledger.service import format_time
from core.settings import Settings
from permits import catalogue, certificates, forms, uploads
from permits.exceptions import ApplicationNotFound, NotYourDepartment, TransitionNotAllowed
from permits.models import (
    Application,
    ApplicationStatus,
    DataAccess,
    Document,
    Pause,
    PermitType,
    Stage,
    Subscription,
)
from permits.record import current_stage, open_pause, record, start_stage
from permits.rules import (
    ENDING,
    NOTE_REQUIRED,
    Action,
    TrackingNumberError,
    allowed_actions,
    parse_tracking_number,
    tracking_number,
)
from permits.uploads import Upload


def uploads_root(settings: Settings) -> Path:
    """The folder of stored documents."""
    return settings.data_dir / "uploads"


def get_application(session: Session, *, number: str) -> Application:
    """The application with that tracking number; a 404 that says if it was mistyped."""
    try:
        prefix, year, sequence = parse_tracking_number(number)
    except TrackingNumberError as error:
        raise ApplicationNotFound(str(error)) from None
    application = session.exec(
        select(Application).where(
            Application.type_code == prefix,
            Application.year == year,
            Application.sequence == sequence,
        )
    ).first()
    if application is None:
        raise ApplicationNotFound(f"There is no application {number.upper()}.")
    return application


def apply(
    session: Session,
    *,
    applicant: User,
    type_code: str,
    values: dict[str, str],
    files: list[Upload],
    now: datetime,
    settings: Settings,
) -> Application:
    """File an application: check the form and documents, number it, start its first stage."""
    if applicant.role != Role.APPLICANT:
        raise PermissionDenied("Only applicant accounts file permit applications.")
    permit_type = catalogue.latest_type(session, code=type_code)
    definition = catalogue.definition_of(permit_type)
    clean = forms.check_values(definition, values)
    checked = forms.check_documents(definition, files, max_bytes=settings.permits_upload_max_bytes)
    year = now.astimezone(settings.zone).year
    # Numbers are handed out under the type's row lock, so two applicants filing at the same
    # moment (on PostgreSQL) never draw the same sequence.
    session.exec(select(PermitType.id).where(PermitType.id == permit_type.id).with_for_update())
    sequence = 1 + (
        session.exec(
            select(sa.func.max(Application.sequence)).where(
                Application.type_code == definition.code, Application.year == year
            )
        ).one()
        or 0
    )
    application = Application(
        tracking_number=tracking_number(definition.code, year, sequence),
        type_id=permit_type.id,
        type_code=definition.code,
        year=year,
        sequence=sequence,
        applicant_id=applicant.id,
        status=ApplicationStatus.IN_PROGRESS,
        description=forms.public_description(definition, clean),
        form_data=catalogue.canonical(clean),
        submitted_at=now,
        updated_at=now,
    )
    session.add(application)
    session.flush()
    _add_documents(session, application, checked, now)
    calendar = catalogue.calendar(session, settings=settings, around=now)
    stage = start_stage(session, application, definition, 0, at=now, calendar=calendar)
    record(
        session,
        application,
        stage,
        action="submitted",
        actor=applicant,
        note=None,
        effective_at=now,
        now=now,
        settings=settings,
        entry_type="permits.application.received",
        extra={"type": definition.code, "type_version": definition.version},
    )
    return _commit_with_files(session, application, checked, settings)


def _add_documents(session: Session, application: Application, checked, now: datetime) -> None:
    for upload in checked:
        session.add(
            Document(
                application_id=application.id,
                requirement=upload.requirement,
                sha256=upload.sha256,
                content_type=upload.content_type,
                size_bytes=len(upload.content),
                uploaded_at=now,
            )
        )


def _commit_with_files(
    session: Session, application: Application, checked, settings: Settings
) -> Application:
    written = uploads.store(uploads_root(settings), checked)
    try:
        session.commit()
    except BaseException:
        session.rollback()
        uploads.discard(written)
        raise
    session.refresh(application)
    return application


def check_officer(session: Session, *, officer: User, stage: Stage) -> None:
    """An officer acts only on stages of their own department."""
    if officer.role != Role.PERMIT_OFFICER:
        raise PermissionDenied("Only permit officers act on applications.")
    if officer.organisation_id != stage.department_id:
        raise NotYourDepartment(
            "This application's current stage is handled by another department."
        )


def act(
    session: Session,
    *,
    number: str,
    action: Action,
    actor: User,
    now: datetime,
    settings: Settings,
    note: str | None = None,
    effective_at: datetime | None = None,
    expected_date: date | None = None,
) -> Application:
    """Take one transition on an application's current stage (officer, or applicant's own)."""
    application = get_application(session, number=number)
    _transition(
        session,
        application,
        action=action,
        actor=actor,
        now=now,
        settings=settings,
        note=note,
        effective_at=effective_at,
        expected_date=expected_date,
    )
    session.commit()
    session.refresh(application)
    return application


def _transition(
    session: Session,
    application: Application,
    *,
    action: Action,
    actor: User,
    now: datetime,
    settings: Settings,
    note: str | None,
    effective_at: datetime | None,
    expected_date: date | None,
) -> None:
    definition = catalogue.definition_of(application_type(session, application))
    stage = current_stage(session, application)
    if stage is None:
        raise TransitionNotAllowed(
            f"{application.tracking_number} is {application.status}: no transition is allowed.",
            allowed=[],
        )
    _check_actor(session, application, stage, action, actor)
    pause = open_pause(session, stage)
    stage_definition = definition.stage(stage.position)
    allowed = allowed_actions(
        stage_definition.transitions,
        paused=pause is not None,
        extended=stage.extended_at is not None,
        is_last=stage.position == len(definition.stages) - 1,
    )
    if action not in allowed:
        names = ", ".join(allowed) or "none"
        raise TransitionNotAllowed(
            f"{action} is not allowed now from stage {stage_definition.name} "
            f"({stage.code}{', paused' if pause else ''}). Allowed: {names}.",
            allowed=[str(a) for a in allowed],
        )
    note = (note or "").strip() or None
    if action in NOTE_REQUIRED and not note:
        raise InvalidInput(f"A note is required to {action.replace('_', ' ')}.", field="note")
    effective = _effective(effective_at, stage, now)
    calendar = catalogue.calendar(session, settings=settings, around=now)
    extra: dict[str, object] = {}
    if action is Action.REQUEST_INFORMATION:
        session.add(Pause(stage_id=stage.id, reason=note, started_at=effective))
        application.status = ApplicationStatus.PAUSED
    elif action is Action.RESUME:
        _resume(stage, pause, effective, definition, calendar)
        application.status = ApplicationStatus.IN_PROGRESS
        session.add(pause)
    elif action is Action.EXTEND:
        extra["expected_date"] = _extend(stage, note, expected_date, effective, calendar)
    elif action is Action.ADVANCE:
        _end(stage, effective, "advanced")
        session.add(stage)
        session.flush()
        stage = start_stage(
            session, application, definition, stage.position + 1, at=effective, calendar=calendar
        )
    else:  # approve, reject, withdraw: the application ends
        if pause is not None:
            pause.ended_at = effective
            pause.units = 0
            session.add(pause)
        _end(stage, effective, ENDING[action])
        application.status = ApplicationStatus(ENDING[action])
        application.decided_at = effective
    application.updated_at = now
    session.add_all([application, stage])
    session.flush()
    transition = record(
        session,
        application,
        stage,
        action=str(action),
        actor=actor,
        note=None if action is Action.WITHDRAW else note,  # the applicant's words stay private
        effective_at=effective,
        now=now,
        settings=settings,
        extra=extra,
    )
    if action is Action.APPROVE:
        certificates.issue(
            session,
            application=application,
            definition=definition,
            now=now,
            settings=settings,
            decided_by=actor,
            transition=transition,
        )


def application_type(session: Session, application: Application):
    """The type version the application started on (never a newer one)."""
    return session.get(PermitType, application.type_id)


def _check_actor(session, application, stage, action: Action, actor: User) -> None:
    if actor.role == Role.APPLICANT:
        if actor.id != application.applicant_id:
            raise PermissionDenied("This is not your application.")
        if action not in (Action.WITHDRAW, Action.RESUME):
            raise PermissionDenied(f"An applicant may not {action.replace('_', ' ')}.")
        return
    if action is Action.WITHDRAW:
        raise PermissionDenied("Only the applicant may withdraw an application.")
    check_officer(session, officer=actor, stage=stage)


def _effective(effective_at: datetime | None, stage: Stage, now: datetime) -> datetime:
    if effective_at is None:
        return now
    if effective_at.tzinfo is None:
        raise InvalidInput("The effective time must carry a time zone.", field="effective_at")
    if effective_at > now:
        raise InvalidInput("A transition cannot take effect in the future.", field="effective_at")
    if effective_at < stage.started_at:
        raise InvalidInput(
            "A transition cannot take effect before its stage began.", field="effective_at"
        )
    return effective_at


def _end(stage: Stage, at: datetime, outcome: str) -> None:
    stage.ended_at = at
    stage.outcome = outcome


def _resume(stage: Stage, pause: Pause, at: datetime, definition, calendar) -> None:
    unit = definition.stage(stage.position).unit
    pause.ended_at = at
    pause.units = calendar.elapsed(pause.started_at, at, unit)
    stage.paused_units += pause.units
    duration = definition.stage(stage.position).duration
    statutory = calendar.due(stage.started_at, duration + stage.paused_units, unit)
    follows = stage.expected_at == stage.due_at
    stage.original_due_at = statutory
    stage.due_at = max(statutory, stage.due_at) if stage.extended_at else statutory
    if follows or stage.expected_at < stage.due_at:
        stage.expected_at = stage.due_at


def _extend(stage: Stage, note, expected_date: date | None, at: datetime, calendar) -> str:
    if expected_date is None:
        raise InvalidInput("An extension needs the new expected date.", field="expected_date")
    new_due = calendar.end_of(expected_date)
    if new_due <= stage.due_at:
        raise InvalidInput(
            "The new expected date must be after the current due date.",
            field="expected_date",
        )
    stage.extension_reason = note
    stage.extended_at = at
    stage.due_at = stage.expected_at = new_due
    return expected_date.isoformat()


def respond(
    session: Session,
    *,
    number: str,
    applicant: User,
    files: list[Upload],
    now: datetime,
    settings: Settings,
) -> Application:
    """The applicant answers a request for information with documents; the clock resumes."""
    application = get_application(session, number=number)
    if applicant.id != application.applicant_id:
        raise PermissionDenied("This is not your application.")
    definition = catalogue.definition_of(application_type(session, application))
    if not files:
        raise InvalidInput("Attach at least one document to answer the request.", field="files")
    checked = forms.check_documents(
        definition, files, max_bytes=settings.permits_upload_max_bytes, all_required=False
    )
    stage = current_stage(session, application)
    if stage is None or open_pause(session, stage) is None:
        raise TransitionNotAllowed(
            f"{application.tracking_number} is not waiting for information.", allowed=[]
        )
    _add_documents(session, application, checked, now)
    _transition(
        session,
        application,
        action=Action.RESUME,
        actor=applicant,
        now=now,
        settings=settings,
        note=None,
        effective_at=None,
        expected_date=None,
    )
    return _commit_with_files(session, application, checked, settings)


def claim(
    session: Session,
    *,
    number: str,
    officer: User,
    now: datetime,
    settings: Settings,
    assignee_id: int | None = None,
) -> Application:
    """Take charge of the current stage, or give it to another officer of the department."""
    application = get_application(session, number=number)
    stage = current_stage(session, application)
    if stage is None:
        raise TransitionNotAllowed("This application is closed.", allowed=[])
    check_officer(session, officer=officer, stage=stage)
    assignee = officer if assignee_id is None else session.get(User, assignee_id)
    if assignee is None or assignee.role != Role.PERMIT_OFFICER:
        raise InvalidInput("Assign the stage to a permit officer.", field="assignee_id")
    if assignee.organisation_id != stage.department_id:
        raise NotYourDepartment("That officer works in another department.")
    stage.officer_id = assignee.id
    session.add(stage)
    session.flush()
    record(
        session,
        application,
        stage,
        action="assigned",
        actor=officer,
        note=None,
        effective_at=now,
        now=now,
        settings=settings,
        entry_type="permits.stage.assigned",
    )
    session.commit()
    session.refresh(application)
    return application


def explain_delay(
    session: Session,
    *,
    number: str,
    officer: User,
    reason: str,
    now: datetime,
    settings: Settings,
) -> Application:
    """Give the public reason why the current stage is late."""
    application = get_application(session, number=number)
    stage = current_stage(session, application)
    if stage is None or stage.due_at > now:
        raise TransitionNotAllowed("The current stage is not overdue.", allowed=[])
    check_officer(session, officer=officer, stage=stage)
    if not reason.strip():
        raise InvalidInput("A reason is required.", field="reason")
    stage.delay_reason, stage.delay_reason_at = reason.strip(), now
    session.add(stage)
    session.flush()
    record(
        session,
        application,
        stage,
        action="delay_explained",
        actor=officer,
        note=stage.delay_reason,
        effective_at=now,
        now=now,
        settings=settings,
        entry_type="permits.stage.delay_explained",
    )
    session.commit()
    session.refresh(application)
    return application


def open_personal_data(
    session: Session, *, number: str, officer: User, reason: str, now: datetime
) -> Application:
    """An officer opens the applicant's personal data, giving a reason the applicant will see."""
    application = get_application(session, number=number)
    if officer.role != Role.PERMIT_OFFICER:
        raise PermissionDenied("Only permit officers open applicants' data.")
    departments = set(
        session.exec(select(Stage.department_id).where(Stage.application_id == application.id))
    )
    if officer.organisation_id not in departments:
        raise NotYourDepartment("Your department has no stage of this application.")
    if len(reason.strip()) < 5:
        raise InvalidInput("Say why you open this applicant's data.", field="reason")
    session.add(
        DataAccess(
            application_id=application.id,
            officer_id=officer.id,
            reason=reason.strip()[:500],
            accessed_at=now,
        )
    )
    session.commit()
    return application


def subscribe(session: Session, *, number: str, email: str, now: datetime) -> Subscription:
    """Anyone may follow an application's public changes by email (re-subscribing is a no-op)."""
    application = get_application(session, number=number)
    email = email.strip().lower()
    if not forms.EMAIL.match(email) or len(email) > 254:
        raise InvalidInput("Give a valid email address.", field="email")
    existing = session.exec(
        select(Subscription).where(
            Subscription.application_id == application.id, Subscription.email == email
        )
    ).first()
    if existing is not None:
        return existing
    subscription = Subscription(
        application_id=application.id,
        email=email,
        token=secrets.token_urlsafe(32),
        created_at=now,
    )
    session.add(subscription)
    session.commit()
    return subscription


def unsubscribe(session: Session, *, token: str) -> bool:
    """Stop the emails of one subscription; False if the link was already used."""
    subscription = session.exec(select(Subscription).where(Subscription.token == token)).first()
    if subscription is None:
        return False
    session.delete(subscription)
    session.commit()
    return True


def applications_of(session: Session, *, applicant: User) -> list[Application]:
    """An applicant's own applications, newest first."""
    return list(
        session.exec(
            select(Application)
            .where(Application.applicant_id == applicant.id)
            .order_by(col(Application.submitted_at).desc())
        )
    )


def mark_overdue(session: Session, *, now: datetime, settings: Settings) -> int:
    """Mark running stages whose due instant has passed; ask for a reason; tell supervisors."""
    from permits.record import notify_user, supervisor_of

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
