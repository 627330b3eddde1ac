"""Public permit applications changed since a cursor, for the public site's search index.

Every public change of an application (received, each stage change, marked overdue) writes a
transition, so the transitions are the change feed. Only public fields go out: tracking
number, type, status, the public description, departments; never the applicant or the form.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from core.auth.models import Organisation
from core.public_records import ChangeBatch, ChangeCursor, PublicRecord
from permits import catalogue
from permits.models import Application, ApplicationStatus, PermitType, Stage, Transition

SEARCH_STATUSES = [s.value for s in ApplicationStatus]  # the status facet's permit values

# The change feed reads transitions in (entered_at, id) order.
sa.Index(
    "ix_permits_transition_entered_at_id",
    col(Transition.entered_at),
    col(Transition.id),
)


def search_categories(session: Session) -> dict[str, str]:
    """Permit type code → name: the category facet's permit values."""
    return {t.code: t.name for t in catalogue.latest_types(session)}


def applications_changed_since(
    session: Session, *, cursor: ChangeCursor | None, limit: int = 500
) -> ChangeBatch:
    """Applications with a public change after the cursor, as public records."""
    query = select(Transition.id, Transition.entered_at, Transition.application_id)
    if cursor is not None:
        # The first condition alone can use the index (entered_at, id); the second breaks ties.
        query = query.where(
            col(Transition.entered_at) >= cursor.changed_at,
            (col(Transition.entered_at) > cursor.changed_at) | (col(Transition.id) > cursor.id),
        )
    changes = session.exec(
        query.order_by(col(Transition.entered_at), col(Transition.id)).limit(limit)
    ).all()
    if not changes:
        return ChangeBatch(records=[], next_cursor=cursor, changes_read=0)
    ids = sorted({application_id for _, _, application_id in changes})
    records = public_records(session, application_ids=ids)
    last_id, last_at, _ = changes[-1]
    assert last_id is not None  # a primary key
    return ChangeBatch(
        records=records,
        next_cursor=ChangeCursor(changed_at=last_at, id=last_id),
        changes_read=len(changes),
    )


def public_records(session: Session, *, application_ids: list[int]) -> list[PublicRecord]:
    """The public records of some applications."""
    # Columns, not table objects: a first build reads millions of rows.
    rows = session.execute(
        sa.select(
            col(Application.id),
            col(Application.tracking_number),
            col(Application.type_code),
            col(Application.status),
            col(Application.description),
            col(Application.submitted_at),
            col(PermitType.name),
            col(PermitType.name_th),
        )
        .join(PermitType, col(PermitType.id) == Application.type_id)
        .where(col(Application.id).in_(application_ids))
        .order_by(col(Application.id))
    ).all()
    stages: dict[int, list[Any]] = {}
    for stage in session.execute(
        select(Stage.application_id, Stage.department_id, Stage.ended_at, Stage.overdue_at)
        .where(col(Stage.application_id).in_(application_ids))
        .order_by(col(Stage.application_id), col(Stage.position))
    ):
        stages.setdefault(stage.application_id, []).append(stage)
    department_ids = {s.department_id for group in stages.values() for s in group}
    departments = {
        o.id: o
        for o in session.exec(select(Organisation).where(col(Organisation.id).in_(department_ids)))
    }
    records = []
    for application in rows:
        own = stages.get(application.id, [])
        running = next((s for s in own if s.ended_at is None), None)
        current = running or (own[-1] if own else None)
        department = departments.get(current.department_id) if current else None
        names = {
            n
            for s in own
            if (d := departments.get(s.department_id)) is not None
            for n in (d.name, d.name_th)
            if n
        }
        overdue = (
            running is not None
            and running.overdue_at is not None
            and application.status == ApplicationStatus.IN_PROGRESS
        )
        records.append(
            PublicRecord(
                kind="permit",
                key=application.tracking_number,
                title=f"{application.name} {application.tracking_number}",
                body=" ".join([application.description, application.name_th, *sorted(names)]),
                url=f"/permits/{application.tracking_number}",
                status=str(application.status),
                department=department.slug if department else None,
                department_name=department.name if department else None,
                category=application.type_code,
                overdue=overdue,
                sort_at=application.submitted_at,
            )
        )
    return records
