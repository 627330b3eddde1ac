"""Every permit application in BLDS fields, with its stage history: the public downloads.

A national archive has a million applications, so the export is read as it is written out:
the applications a thousand at a time (keyset by id), their stages in one query a batch, the
open pauses of the batch's stages in another, and what rows only name (the types, the
departments' slugs, the officers' public labels) looked up once and kept. The downloads run on
a session of their own and are sent 64 kB at a time. Public fields only: no applicant, no form
data, no private note; the fields, their order and their serialisation are those of the full
pass this replaced (tests/permits/export_reference.py).
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col

from core import spreadsheet
from core.auth.models import Organisation, User
from core.settings import Settings
from permits import catalogue, queries
from permits.models import Application, OfficerProfile, Pause, Stage
from permits.rules import BLDS_STATUS, Calendar

BATCH = 1_000  # applications read at a time
CHUNK = 64_000  # characters sent at a time: each chunk is a hop to a thread

BLDS_COLUMNS = [
    "PermitNum",
    "Description",
    "AppliedDate",
    "IssuedDate",
    "CompletedDate",
    "StatusCurrent",
    "OriginalStatus",
    "StatusDate",
    "PermitType",
    "PermitTypeDesc",
    "Link",
    "StageHistory",
]


def _iso(value: Any) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"not JSON: {type(value).__name__}")


def _time(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


class _Names:
    """What rows only name, read once: departments' slugs and officers' public labels (a
    deployment has a few hundred of each, not one per application)."""

    def __init__(self, session: Session, settings: Settings) -> None:
        self.session = session
        self.badge = settings.permits_officer_display == "badge"
        self.slugs: dict[int, str] = {}
        self.officers: dict[int, str | None] = {}

    def learn(self, department_ids: set[int], officer_ids: set[int]) -> None:
        if missing := department_ids - self.slugs.keys():
            self.slugs.update(
                self.session.execute(
                    sa.select(col(Organisation.id), col(Organisation.slug)).where(
                        col(Organisation.id).in_(missing)
                    )
                ).all()
            )
        if missing := officer_ids - self.officers.keys():
            self.officers.update(self._labels(missing))

    def _labels(self, ids: set[int]) -> dict[int, str | None]:
        """As permits.record.officer_label gives each: by name, or by badge number."""
        if self.badge:
            badges = dict(
                self.session.execute(
                    sa.select(col(OfficerProfile.user_id), col(OfficerProfile.badge_number)).where(
                        col(OfficerProfile.user_id).in_(ids)
                    )
                ).all()
            )
            return {i: f"Badge {badges[i]}" if i in badges else f"Officer #{i}" for i in ids}
        names = dict(
            self.session.execute(
                sa.select(col(User.id), col(User.display_name)).where(col(User.id).in_(ids))
            ).all()
        )
        return {i: names.get(i) for i in ids}


def _delay_days(
    calendar: Calendar, due: datetime, ended: datetime | None, now: datetime, paused: bool
) -> int:
    """Business days a stage is late against its original due date, as its public page says."""
    reference = ended or now
    if paused or reference <= due:
        return 0
    return calendar.business_days_between(due, reference) or 1  # late within the day after


def rows(session: Session, *, settings: Settings, now: datetime) -> Iterator[dict[str, Any]]:
    """Every application in BLDS fields, oldest first, with its started stages; its times as
    ISO 8601 text, as the downloads write them."""
    calendar = catalogue.calendar(session, settings=settings, around=now)
    types = catalogue.definitions_by_id(session)
    names = _Names(session, settings)
    last = 0
    while True:
        batch = session.execute(
            sa.select(
                col(Application.id),
                col(Application.tracking_number),
                col(Application.type_id),
                col(Application.status),
                col(Application.description),
                col(Application.submitted_at),
                col(Application.decided_at),
                col(Application.updated_at),
            )
            .where(col(Application.id) > last)
            .order_by(col(Application.id))
            .limit(BATCH)
        ).all()
        if not batch:
            return
        first, last = last, batch[-1][0]
        stages: dict[int, list] = {}
        for stage in session.execute(
            sa.select(
                col(Stage.application_id),
                col(Stage.id),
                col(Stage.department_id),
                col(Stage.officer_id),
                col(Stage.started_at),
                col(Stage.original_due_at),
                col(Stage.due_at),
                col(Stage.ended_at),
                col(Stage.outcome),
                col(Stage.delay_reason),
            )
            .where(col(Stage.application_id) > first, col(Stage.application_id) <= last)
            .order_by(col(Stage.application_id), col(Stage.position))
        ):
            stages.setdefault(stage[0], []).append(stage)
        ids = [s[1] for found in stages.values() for s in found]
        paused = set(  # stages whose clock is stopped: a stage of theirs is late by 0 days
            session.execute(
                sa.select(col(Pause.stage_id))
                .where(col(Pause.stage_id).in_(ids), col(Pause.ended_at).is_(None))
                .distinct()
            ).scalars()
            if ids
            else ()
        )
        names.learn(
            {s[2] for found in stages.values() for s in found},
            {s[3] for found in stages.values() for s in found if s[3] is not None},
        )
        for id_, number, type_id, status, description, submitted, decided, updated in batch:
            definition = types[type_id]
            history = [
                {
                    "stage": declared.code,
                    "department": names.slugs[department_id],
                    "officer": names.officers[officer_id] if officer_id is not None else None,
                    "started_at": started.isoformat(),
                    "due_at": due.isoformat(),
                    "ended_at": _time(ended),
                    "outcome": outcome,
                    "delay_days": _delay_days(
                        calendar, original_due, ended, now, stage_id in paused
                    ),
                    "delay_reason": reason,
                }
                for declared, (
                    _,
                    stage_id,
                    department_id,
                    officer_id,
                    started,
                    original_due,
                    due,
                    ended,
                    outcome,
                    reason,
                ) in zip(definition.stages, stages.get(id_, ()), strict=False)
            ]
            completed = decided.date().isoformat() if decided else None
            yield {
                "PermitNum": number,
                "Description": description,
                "AppliedDate": submitted.date().isoformat(),
                "IssuedDate": completed if status == "approved" else None,
                "CompletedDate": completed,
                "StatusCurrent": BLDS_STATUS[status],
                "OriginalStatus": status,
                "StatusDate": updated.date().isoformat(),
                "PermitType": definition.code,
                "PermitTypeDesc": definition.name,
                "Link": queries.permit_link(settings, number),
                "StageHistory": history,
            }


Rows = Callable[[], Iterable[dict[str, Any]]]


def streamed_rows(
    open_session: Callable[[], Session], *, settings: Settings, now: datetime
) -> Rows:
    """The rows, read when the download is sent, from a session of the download's own."""

    def read() -> Iterator[dict[str, Any]]:
        with open_session() as session:
            yield from rows(session, settings=settings, now=now)

    return read


def json_chunks(rows: Iterable[dict[str, Any]]) -> Iterator[str]:
    """`{"permits": [...]}`, as json.dumps writes it whole, 64 kB at a time."""
    out = io.StringIO()
    out.write('{"permits": [')
    separator = ""
    for row in rows:
        out.write(separator + json.dumps(row, default=_iso, ensure_ascii=False))
        separator = ", "
        if out.tell() > CHUNK:
            yield out.getvalue()
            out.seek(0)
            out.truncate()
    out.write("]}")
    yield out.getvalue()


def csv_chunks(rows: Iterable[dict[str, Any]]) -> Iterator[str]:
    """One application a row, the stage history a JSON column, 64 kB at a time."""
    out = io.StringIO()
    writer = spreadsheet.dict_writer(out, BLDS_COLUMNS)
    writer.writeheader()
    for row in rows:
        history = json.dumps(row["StageHistory"], default=_iso, ensure_ascii=False)
        writer.writerow({**row, "StageHistory": history})
        if out.tell() > CHUNK:
            yield out.getvalue()
            out.seek(0)
            out.truncate()
    yield out.getvalue()
