"""How a stage's clock moves: who may act on it, pauses, extensions, endings."""

from __future__ import annotations

from datetime import date, datetime

from core.auth.models import Role, User
from core.errors import InvalidInput, PermissionDenied
from core.i18n import gettext
from permits.exceptions import NotYourDepartment
from permits.models import Pause, Stage
from permits.rules import Action


def check_officer(*, officer: User, stage: Stage) -> None:
    """An officer acts only on stages of their own department."""
    if officer.role != Role.PERMIT_OFFICER:
        raise PermissionDenied(gettext("Only permit officers act on applications."))
    if officer.organisation_id != stage.department_id:
        raise NotYourDepartment(
            gettext("This application's current stage is handled by another department.")
        )


def check_actor(application, stage, action: Action, actor: User) -> None:
    """An applicant withdraws or resumes their own application; officers do the rest."""
    if actor.role == Role.APPLICANT:
        if actor.id != application.applicant_id:
            raise PermissionDenied(gettext("This is not your application."))
        if action not in (Action.WITHDRAW, Action.RESUME):
            raise PermissionDenied(
                gettext("An applicant may not %(action)s.") % {"action": action.replace("_", " ")}
            )
        return
    if action is Action.WITHDRAW:
        raise PermissionDenied(gettext("Only the applicant may withdraw an application."))
    check_officer(officer=actor, stage=stage)


def effective(effective_at: datetime | None, stage: Stage, now: datetime) -> datetime:
    """When a transition takes effect: now, or an earlier moment within the stage."""
    if effective_at is None:
        return now
    if effective_at.tzinfo is None:
        raise InvalidInput(
            gettext("The effective time must carry a time zone."), field="effective_at"
        )
    if effective_at > now:
        raise InvalidInput(
            gettext("A transition cannot take effect in the future."), field="effective_at"
        )
    if effective_at < stage.started_at:
        raise InvalidInput(
            gettext("A transition cannot take effect before its stage began."),
            field="effective_at",
        )
    return effective_at


def end(stage: Stage, at: datetime, outcome: str) -> None:
    """Close the stage with its outcome."""
    stage.ended_at = at
    stage.outcome = outcome


def resume(stage: Stage, pause: Pause, at: datetime, definition, calendar) -> None:
    """End the pause; its working units push the statutory due date back."""
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


def extend(stage: Stage, note, expected_date: date | None, at: datetime, calendar) -> str:
    """Extend the stage to a later expected date, with a public reason."""
    if expected_date is None:
        raise InvalidInput(
            gettext("An extension needs the new expected date."), field="expected_date"
        )
    new_due = calendar.end_of(expected_date)
    if new_due <= stage.due_at:
        raise InvalidInput(
            gettext("The new expected date must be after the current due date."),
            field="expected_date",
        )
    stage.extension_reason = note
    stage.extended_at = at
    stage.due_at = stage.expected_at = new_due
    return expected_date.isoformat()
