"""Public reads of permits, returning schemas with no personal data of any applicant."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from core.auth.models import Organisation
from core.db import stored_id
from core.events import Event
from core.settings import Settings
from permits import catalogue, certificates
from permits.forms import thai_description
from permits.models import Application, Pause, PermitType, Stage, Transition
from permits.public_index import (  # noqa: F401 -- read by the public site's search index
    SEARCH_STATUSES,
    ChangeCursor,
    applications_changed_since,
    search_categories,
)
from permits.record import officer_label, supervisor_of
from permits.rules import BLDS_STATUS, Asks, Calendar
from permits.schemas import PausePublic, PermitPublic, StagePublic, TransitionPublic
from permits.service import get_application

_TICK = timedelta(microseconds=1)  # a stage due at midnight is due on the day before


def permit_link(settings: Settings, number: str) -> str:
    """The public page of an application."""
    return f"{str(settings.public_base_url).rstrip('/')}/permits/{number}"


def permit(session: Session, *, number: str, settings: Settings, now: datetime) -> PermitPublic:
    """One application as the public sees it: stages, pauses, delays, decision."""
    application = get_application(session, number=number)
    return public_view(session, application, settings=settings, now=now)


def public_view(
    session: Session, application: Application, *, settings: Settings, now: datetime
) -> PermitPublic:
    """The public view of a loaded application."""
    permit_type = session.get_one(PermitType, application.type_id)
    definition = catalogue.definition_of(permit_type)
    calendar = catalogue.calendar(session, settings=settings, around=now)
    stages = list(
        session.exec(
            select(Stage)
            .where(Stage.application_id == application.id)
            .order_by(col(Stage.position))
        )
    )
    pauses: dict[int, list[Pause]] = {}
    for pause in session.exec(
        select(Pause)
        .where(col(Pause.stage_id).in_([s.id for s in stages]))
        .order_by(col(Pause.started_at))
    ):
        pauses.setdefault(pause.stage_id, []).append(pause)
    departments = {
        o.id: o
        for o in session.exec(
            select(Organisation).where(col(Organisation.id).in_({s.department_id for s in stages}))
        )
    }
    slugs = {
        o.slug: o
        for o in session.exec(
            select(Organisation).where(
                col(Organisation.slug).in_({s.department for s in definition.stages})
            )
        )
    }
    public_stages = []
    for position, declared in enumerate(definition.stages):
        stage = stages[position] if position < len(stages) else None
        department = departments[stage.department_id] if stage else slugs.get(declared.department)
        public_stages.append(
            _stage(
                session,
                declared,
                position,
                stage,
                pauses.get(stored_id(stage), []) if stage else [],
                department,
                calendar,
                settings,
                now,
            )
        )
    current = next((s for s in public_stages if s.started_at and not s.ended_at), None)
    transitions = [
        TransitionPublic(
            action=t.action,
            stage=next((s.code for s in stages if s.id == t.stage_id), None),
            note=t.note,
            effective_at=t.effective_at,
            entered_at=t.entered_at,
            late_entry=t.late_entry,
            ledger_index=t.ledger_index,
        )
        for t in session.exec(
            select(Transition)
            .where(Transition.application_id == application.id)
            .order_by(col(Transition.entered_at), col(Transition.id))
        )
    ]
    certificate = certificates.of_application(session, application)
    decision = application.status if application.decided_at else None
    return PermitPublic(
        tracking_number=application.tracking_number,
        type_code=definition.code,
        type_name=definition.name,
        type_name_th=definition.name_th,
        type_version=definition.version,
        description=application.description,
        description_th=thai_description(definition, application.description),
        status=application.status,
        status_blds=BLDS_STATUS[application.status],
        submitted_at=application.submitted_at,
        decided_at=application.decided_at,
        decision=decision,
        current_stage=current.code if current else None,
        department=current.department_name if current else None,
        department_name_th=current.department_name_th if current else None,
        department_slug=current.department if current else None,
        officer=current.officer if current else None,
        supervisor=current.supervisor if current else None,
        overdue=bool(current and current.overdue),
        late_entries=sum(t.late_entry for t in transitions),
        stages=public_stages,
        transitions=transitions,
        certificate_url=(
            certificates.verification_url(settings, certificate.digest) if certificate else None
        ),
        link=permit_link(settings, application.tracking_number),
    )


def _stage(
    session,
    declared,
    position,
    stage: Stage | None,
    pauses: list[Pause],
    department,
    calendar: Calendar,
    settings: Settings,
    now: datetime,
) -> StagePublic:
    paused = any(p.ended_at is None for p in pauses)
    running = stage is not None and stage.ended_at is None
    reference = (stage.ended_at or now) if stage else now
    late_against = stage.original_due_at if stage else None
    delay = (
        calendar.business_days_between(late_against, reference)
        if late_against is not None and reference > late_against and not paused
        else 0
    )
    if late_against is not None and reference > late_against and delay == 0 and not paused:
        delay = 1  # late within the day after the due date
    return StagePublic(
        position=position,
        code=declared.code,
        name=declared.name,
        name_th=declared.name_th,
        department=department.slug if department else declared.department,
        department_name=department.name if department else declared.department,
        department_name_th=department.name_th if department else None,
        unit=declared.unit,
        duration=declared.duration,
        officer=officer_label(session, stage.officer_id, settings) if stage else None,
        supervisor=(
            officer_label(session, supervisor_of(session, stage.officer_id), settings)
            if stage
            else None
        ),
        started_at=stage.started_at if stage else None,
        due_at=stage.due_at if stage else None,
        due_date=calendar.local_date(stage.due_at - _TICK) if stage else None,
        original_due_at=stage.original_due_at if stage else None,
        expected_at=stage.expected_at if stage else None,
        ended_at=stage.ended_at if stage else None,
        outcome=stage.outcome if stage else None,
        paused=paused,
        pauses=[
            PausePublic(
                started_at=p.started_at,
                ended_at=p.ended_at,
                reason=p.reason,
                days=p.units,
                asks=Asks(p.asks) if p.asks else None,
                asked_for=p.asked_for,
            )
            for p in pauses
        ],
        extension_reason=stage.extension_reason if stage else None,
        overdue=bool(running and not paused and stage is not None and stage.due_at <= now),
        delay_days=delay,
        delay_reason=stage.delay_reason if stage else None,
    )


def activity():
    """What is happening now (recent changes, overdue stages, figures): permits.activity."""
    from permits import activity as module  # late: the public site imports queries only

    return module


def event_of_entry(session: Session, tracking: str, ledger_index: int) -> int | None:
    """The id of the event that recorded this application's log entry `ledger_index`."""
    rows = session.exec(
        select(Event.id, Event.payload)
        .where(Event.subject == tracking, col(Event.name).startswith("permits."))
        .order_by(col(Event.id).desc())
        .limit(500)
    )
    return next((i for i, p in rows if json.loads(p).get("ledger_index") == ledger_index), None)
