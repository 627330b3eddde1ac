"""The shared steps of every use case: stages, officers as the public sees them, the record.

record() is how a change becomes public: a transition row, a transparency-log entry, an event
for the live page and an email to each subscriber, all in the caller's transaction, and none
of them holding the applicant's personal data.
"""

from __future__ import annotations

import json
from datetime import datetime

from sqlmodel import Session, col, select

from core import events
from core.auth.models import Organisation, Role, User
from core.db import stored_id
from core.i18n import bilingual, gettext, speaking
from core.ledger import service as ledger_service
from core.settings import Settings
from permits import labels as permit_labels
from permits.models import (
    Application,
    Notification,
    OfficerProfile,
    Pause,
    Stage,
    Subscription,
    Transition,
)
from permits.rules import Calendar, is_late_entry
from permits.schemas import TypeDefinition

ENTRY_TYPES = {
    "submitted": "permits.application.received",
    "advance": "permits.stage.advanced",
    "request_information": "permits.stage.paused",
    "resume": "permits.stage.resumed",
    "extend": "permits.stage.extended",
    "approve": "permits.application.approved",
    "reject": "permits.application.rejected",
    "withdraw": "permits.application.withdrawn",
    "assigned": "permits.stage.assigned",
    "overdue": "permits.stage.overdue",
    "delay_explained": "permits.stage.delay_explained",
}


def current_stage(session: Session, application: Application) -> Stage | None:
    """The stage in progress, or None once the application is decided or withdrawn."""
    return session.exec(
        select(Stage)
        .where(Stage.application_id == application.id, col(Stage.ended_at).is_(None))
        .order_by(col(Stage.position).desc())
    ).first()


def open_pause(session: Session, stage: Stage) -> Pause | None:
    """The stage's clock stop still waiting for the applicant, if any."""
    return session.exec(
        select(Pause).where(Pause.stage_id == stage.id, col(Pause.ended_at).is_(None))
    ).first()


def start_stage(
    session: Session,
    application: Application,
    definition: TypeDefinition,
    position: int,
    *,
    at: datetime,
    calendar: Calendar,
) -> Stage:
    """Begin a stage at an instant; its legal due date follows from the business calendar."""
    declared = definition.stage(position)
    department = session.exec(
        select(Organisation).where(Organisation.slug == declared.department)
    ).one()
    due = calendar.due(at, declared.duration, declared.unit)
    stage = Stage(
        application_id=stored_id(application),
        position=position,
        code=declared.code,
        department_id=stored_id(department),
        started_at=at,
        original_due_at=due,
        due_at=due,
        expected_at=due,
    )
    session.add(stage)
    session.flush()
    follow_stage(application, stage)
    return stage


def follow_stage(application: Application, stage: Stage) -> None:
    """Copy the stage in progress onto its application (its code, department and due instant),
    or clear the copy once the stage has ended, for the public list's filters and order."""
    running = stage.ended_at is None
    application.current_stage = stage.code if running else None
    application.current_department_id = stage.department_id if running else None
    application.current_due_at = stage.due_at if running else None


def officer_label(session: Session, user_id: int | None, settings: Settings) -> str | None:
    """An officer as the public sees them: by name or by badge number (a deployment setting)."""
    if user_id is None:
        return None
    profile = session.get(OfficerProfile, user_id)
    if settings.permits_officer_display == "badge":
        return f"Badge {profile.badge_number}" if profile else f"Officer #{user_id}"
    user = session.get(User, user_id)
    return user.display_name if user else None


def supervisor_of(session: Session, user_id: int | None) -> int | None:
    """The supervising officer of an officer, if one is recorded."""
    if user_id is None:
        return None
    profile = session.get(OfficerProfile, user_id)
    return profile.supervisor_id if profile else None


def record(
    session: Session,
    application: Application,
    stage: Stage | None,
    *,
    action: str,
    actor: User | None,
    note: str | None,
    effective_at: datetime,
    now: datetime,
    settings: Settings,
    entry_type: str | None = None,
    extra: dict[str, object] | None = None,
) -> Transition:
    """Make a change public: transition row, log entry, live event, subscribers' emails."""
    late = actor is not None and is_late_entry(  # the system's own marks are never late
        effective_at=effective_at, entered_at=now, threshold_days=settings.permits_late_entry_days
    )
    by: str | None
    if actor is None:
        by = "system"
    elif actor.role == Role.PERMIT_OFFICER:
        by = officer_label(session, actor.id, settings)
    else:
        by = "applicant"
    payload: dict[str, object] = {
        "tracking_number": application.tracking_number,
        "action": action,
        "stage": stage.code if stage else None,
        "status": str(application.status),
        "effective_at": ledger_service.format_time(effective_at),
        "late_entry": late,
        "by": by,
        **({"note": note} if note else {}),
        **(extra or {}),
    }
    entry_type = entry_type or ENTRY_TYPES[action]
    entry = ledger_service.append(
        session,
        entry_type=entry_type,
        payload=payload,
        now=now,
        subject=application.tracking_number,
    )
    transition = Transition(
        application_id=stored_id(application),
        stage_id=stage.id if stage else None,
        action=action,
        note=note,
        actor_id=actor.id if actor else None,
        effective_at=effective_at,
        entered_at=now,
        late_entry=late,
        ledger_index=entry.index,
    )
    session.add(transition)
    session.flush()
    events.publish(
        session,
        name=entry_type,
        payload={**payload, "ledger_index": entry.index},
        now=now,
        subject=application.tracking_number,
    )
    _email_subscribers(session, application, payload, settings, now)
    return transition


def _email_subscribers(
    session: Session, application: Application, payload: dict, settings: Settings, now: datetime
) -> None:
    link = f"{str(settings.public_base_url).rstrip('/')}/permits/{application.tracking_number}"
    number, note = application.tracking_number, payload.get("note") or ""
    stage = f"{application.type_code}:{payload['stage']}" if payload["stage"] else None
    for subscription in session.exec(
        select(Subscription).where(
            Subscription.application_id == application.id,
            col(Subscription.confirmed_at).is_not(None),
        )
    ):
        stop = f"{link}/unsubscribe?token={subscription.token}"

        def render(stop: str = stop) -> tuple[str, str]:
            # Codes as words, in the language being written (each half of the e-mail).
            labels = permit_labels.book()
            values = {
                "action": labels.label(payload["action"], "action"),
                "stage": labels.label(stage, "stage") if stage else "—",
                "status": labels.label(payload["status"], "status"),
                "link": link,
                "stop": stop,
            }
            return f"{number}: {values['action']}", (
                f"{number} — "
                + gettext("%(action)s (stage %(stage)s, status %(status)s).") % values
                + f"\n{note}\n\n"
                + gettext("Follow it live: %(link)s\nStop these emails: %(stop)s") % values
            )

        subject, body = bilingual(settings.default_locale, render)
        session.add(
            Notification(
                application_id=stored_id(application),
                email=subscription.email,
                subject=subject,
                body=body,
                created_at=now,
            )
        )


def notify_user(
    session: Session,
    application: Application,
    *,
    user_id: int,
    subject: str,
    body: str,
    values: dict[str, str],
    now: datetime,
    settings: Settings,
) -> None:
    """Put a note in an officer's inbox (shown on their work queue, never e-mailed): `subject`
    and `body` are catalogue messages (marked N_) and `values` what fills them (a stage as
    `TYPE:stage`), kept in the body so each reader sees the note in the page's language
    (inbox_subject); the subject column has it in the deployment's language."""
    with speaking(settings.default_locale):
        said = _note_text(subject, values)
    session.add(
        Notification(
            application_id=stored_id(application),
            user_id=user_id,
            subject=said,
            body=json.dumps({"subject": subject, "body": body, "values": values}),
            created_at=now,
        )
    )


def _note_text(message: str, values: dict[str, str]) -> str:
    stage = values.get("stage")
    named = {**values, "stage": permit_labels.book().label(stage, "stage") if stage else ""}
    return gettext(message) % named


def inbox_subject(note: Notification) -> str:
    """An inbox note's subject in the current language (a note stored before its messages
    were kept, as it was stored)."""
    try:
        kept = json.loads(note.body)
        return _note_text(kept["subject"], kept["values"])
    except (ValueError, KeyError, TypeError):
        return note.subject
