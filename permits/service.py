"""Use cases of permits: apply, act on a stage, answer, withdraw, claim, explain, subscribe.

Each function is one transaction: the change, its transparency-log entry, its public event
and its notifications commit together or not at all. Uploaded files are written only after
every check has passed, and removed again if the transaction does not commit.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import sqlalchemy as sa
from sqlmodel import Session, select

from core.auth.models import Role, User
from core.db import stored_id
from core.errors import InvalidInput, PermissionDenied
from core.i18n import current_locale, gettext, localized
from core.settings import Settings
from permits import catalogue, certificates, forms, stages, uploads
from permits.exceptions import ApplicationNotFound, NotYourDepartment, TransitionNotAllowed
from permits.models import (
    Application,
    ApplicationStatus,
    Pause,
    PermitType,
)
from permits.record import current_stage, follow_stage, open_pause, record, start_stage
from permits.rules import (
    ENDING,
    NOTE_REQUIRED,
    Action,
    InformationRequest,
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
        raise ApplicationNotFound(localized(error.args[0])) from None
    application = session.exec(
        select(Application).where(
            Application.type_code == prefix,
            Application.year == year,
            Application.sequence == sequence,
        )
    ).first()
    if application is None:
        raise ApplicationNotFound(
            gettext("There is no application %(number)s.") % {"number": number.upper()}
        )
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
        raise PermissionDenied(gettext("Only applicant accounts file permit applications."))
    permit_type = catalogue.latest_type(session, code=type_code)
    definition = catalogue.definition_of(permit_type)
    clean, checked = forms.check_application(
        definition, values, files, max_bytes=settings.permits_upload_max_bytes
    )
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
        type_id=stored_id(permit_type),
        type_code=definition.code,
        year=year,
        sequence=sequence,
        applicant_id=stored_id(applicant),
        status=ApplicationStatus.IN_PROGRESS,
        description=forms.public_description(definition, clean),
        form_data=catalogue.canonical(clean),
        submitted_at=now,
        updated_at=now,
    )
    session.add(application)
    session.flush()
    uploads.add_documents(session, application, checked, now)
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
    return uploads.commit_with_files(session, application, checked, uploads_root(settings))


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
    asked: InformationRequest | None = None,
) -> Application:
    """Take one transition on an application's current stage (officer, or applicant's own);
    a request for information names what it asks for (`asked`)."""
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
        asked=asked,
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
    asked: InformationRequest | None = None,
) -> None:
    definition = catalogue.definition_of(application_type(session, application))
    stage = current_stage(session, application)
    if stage is None:
        raise TransitionNotAllowed(
            gettext("%(number)s is %(status)s: no transition is allowed.")
            % {"number": application.tracking_number, "status": application.status},
            allowed=[],
        )
    stages.check_actor(application, stage, action, actor)
    pause = open_pause(session, stage)
    stage_definition = definition.stage(stage.position)
    allowed = allowed_actions(
        stage_definition.transitions,
        paused=pause is not None,
        extended=stage.extended_at is not None,
        is_last=stage.position == len(definition.stages) - 1,
    )
    if action not in allowed:
        said = {
            "action": action,
            "stage": stage_definition.name_th
            if current_locale() == "th" and stage_definition.name_th
            else stage_definition.name,
            "code": stage.code,
            "allowed": ", ".join(allowed) or gettext("none"),
        }
        if pause:
            refusal = gettext(
                "%(action)s is not allowed now from stage %(stage)s (%(code)s, paused). "
                "Allowed: %(allowed)s."
            )
        else:
            refusal = gettext(
                "%(action)s is not allowed now from stage %(stage)s (%(code)s). "
                "Allowed: %(allowed)s."
            )
        raise TransitionNotAllowed(refusal % said, allowed=[str(a) for a in allowed])
    note = (note or "").strip() or None
    if action in NOTE_REQUIRED and not note:
        raise InvalidInput(
            gettext("A note is required to reject, request information or extend."),
            field="note",
        )
    effective = stages.effective(effective_at, stage, now)
    calendar = catalogue.calendar(session, settings=settings, around=now)
    extra: dict[str, object] = {}
    if action is Action.REQUEST_INFORMATION:
        assert note is not None  # NOTE_REQUIRED
        session.add(
            Pause(
                stage_id=stored_id(stage),
                reason=note,
                started_at=effective,
                asks=asked.asks.value if asked else None,
                asked_for=asked.asked_for.strip()[:300] if asked else None,
            )
        )
        application.status = ApplicationStatus.PAUSED
    elif action is Action.RESUME:
        assert pause is not None  # allowed_actions offers RESUME only while paused
        stages.resume(stage, pause, effective, definition, calendar)
        application.status = ApplicationStatus.IN_PROGRESS
        session.add(pause)
    elif action is Action.EXTEND:
        extra["expected_date"] = stages.extend(stage, note, expected_date, effective, calendar)
    elif action is Action.ADVANCE:
        stages.end(stage, effective, "advanced")
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
        stages.end(stage, effective, ENDING[action])
        application.status = ApplicationStatus(ENDING[action])
        application.decided_at = effective
    follow_stage(application, stage)
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
        raise TransitionNotAllowed(gettext("This application is closed."), allowed=[])
    stages.check_officer(officer=officer, stage=stage)
    assignee = officer if assignee_id is None else session.get(User, assignee_id)
    if assignee is None or assignee.role != Role.PERMIT_OFFICER:
        raise InvalidInput(gettext("Assign the stage to a permit officer."), field="assignee_id")
    if assignee.organisation_id != stage.department_id:
        raise NotYourDepartment(gettext("That officer works in another department."))
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
        raise TransitionNotAllowed(gettext("The current stage is not overdue."), allowed=[])
    stages.check_officer(officer=officer, stage=stage)
    if not reason.strip():
        raise InvalidInput(gettext("A reason is required."), field="reason")
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
