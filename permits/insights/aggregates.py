"""The permit aggregates, kept up to date from the applications changed since the last run.

Each application has one row in permits_insight_application holding what it adds to the
running totals of permits_insight_sum (its `kept` list). A refresh reads the applications
changed since its cursor (every change of an application or its stages stamps the
application's updated_at, in permits.service), takes each one's old contribution away and
adds the new one, in the same transaction as the application's row; its open stages, if it
is in progress, go to permits_insight_open, whose indexes count what is overdue now.

The kinds of total (department 0: none; key "" none; period "" every period; days -1 none),
n counting and on_time counting the stages that ended by their due instant:

- app (key status): applications.
- submitted (period UTC year of submission): applications.
- decided (period local month of decision, days): decided applications and the business days
  they took, clock stops excluded, as /charts counts them.
- dept_app (department, key status): applications with a stage at the department.
- started (department, period local month): stages started there.
- stages (department, key type): stages there, of every state.
- backlog (department, key type): stages open there.
- late (department, key type): late-entered transitions of stages there.
- done (department, key "" with period "", local year or month; or key type with period ""):
  completed stages (advanced, approved, rejected) by the business days they took.
- overdue (department, key type): open stages of applications in progress due by the
  watermark (the changed_at of the cursor row "permits.overdue"), which each run moves to its
  own now; a page adds the stages due between the watermark and its now (totals.overdue).

An application's `kept` list also names its rows of permits_insight_open (kind "open", the
stage id in place of the days), so they are found again by primary key.

Business days are counted with the calendar the pages use (catalogue.calendar: the country's
holidays around the current year and the local closures). The cursor keeps the closed days
they were counted with; when that set changes (a closure declared for a past day, a new
year's window of holidays), every application changed since the earliest day that changed is
read again, since no stage or decision could span that day without a later change stamp.
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, func

from core.db import analyze_after_build, claim_cursor
from core.settings import Settings
from permits import catalogue
from permits.insights.models import InsightApplication, InsightCursor, InsightOpen, InsightSum
from permits.models import Application, ApplicationStatus, Stage, Transition
from permits.rules import Calendar

SOURCE = "permits.applications"
OVERDUE = "permits.overdue"  # its changed_at: the overdue totals' watermark
LAG = timedelta(seconds=60)
BATCH = 2000
COMPLETED_OUTCOMES = ("advanced", "approved", "rejected")
DECIDED = (ApplicationStatus.APPROVED, ApplicationStatus.REJECTED)
Key = tuple[str, int, str, str, int]  # kind, department, key, period, days
_COLUMNS = ("kind", "department_id", "key", "period", "days", "n", "on_time")
_SUM = InsightSum.__table__  # type: ignore[attr-defined]  # set by SQLAlchemy
_APPLICATION = InsightApplication.__table__  # type: ignore[attr-defined]
_OPEN = InsightOpen.__table__  # type: ignore[attr-defined]


def _load(session: Session, ids: list[int]):
    applications = session.execute(
        sa.select(
            col(Application.id),
            col(Application.type_code),
            col(Application.status),
            col(Application.submitted_at),
            col(Application.decided_at),
        ).where(col(Application.id).in_(ids))
    ).all()
    stages: dict[int, list] = defaultdict(list)
    for row in session.execute(
        sa.select(
            col(Stage.application_id),
            col(Stage.id),
            col(Stage.department_id),
            col(Stage.started_at),
            col(Stage.ended_at),
            col(Stage.due_at),
            col(Stage.outcome),
            col(Stage.paused_units),
        ).where(col(Stage.application_id).in_(ids))
    ):
        stages[row[0]].append(row[1:])
    late = dict(
        session.execute(
            sa.select(col(Transition.stage_id), func.count())
            .where(col(Transition.application_id).in_(ids), col(Transition.late_entry).is_(True))
            .group_by(col(Transition.stage_id))
        ).all()
    )
    return applications, stages, late


def contributions(application, stages, late: dict, calendar: Calendar):
    """What one application adds to each running total, and its open stages if running."""
    app_id, type_code, status, submitted_at, decided_at = application
    status = str(status)
    out: dict[Key, list[int]] = defaultdict(lambda: [0, 0])
    out[("app", 0, status, "", -1)][0] += 1
    out[("submitted", 0, "", str(submitted_at.year), -1)][0] += 1
    if status in DECIDED and decided_at is not None:
        days = calendar.business_days_between(submitted_at, decided_at)
        days = max(0, days - sum(s[6] for s in stages))
        month = calendar.local_date(decided_at).strftime("%Y-%m")
        out[("decided", 0, "", month, days)][0] += 1
    for department in {s[1] for s in stages}:
        out[("dept_app", department, status, "", -1)][0] += 1
    opened = []
    for stage_id, department, started_at, ended_at, due_at, outcome, paused in stages:
        out[("started", department, "", calendar.local_date(started_at).strftime("%Y-%m"), -1)][
            0
        ] += 1
        out[("stages", department, type_code, "", -1)][0] += 1
        if late.get(stage_id):
            out[("late", department, type_code, "", -1)][0] += late[stage_id]
        if ended_at is None:
            out[("backlog", department, type_code, "", -1)][0] += 1
            if status == ApplicationStatus.IN_PROGRESS:
                opened.append(
                    {
                        "stage_id": stage_id,
                        "application_id": app_id,
                        "department_id": department,
                        "type_code": type_code,
                        "due_at": due_at,
                    }
                )
        elif outcome in COMPLETED_OUTCOMES:
            days = max(0, calendar.business_days_between(started_at, ended_at) - paused)
            on_time = int(ended_at <= due_at)
            local = calendar.local_date(ended_at)
            for key, period in (
                ("", ""),
                ("", str(local.year)),
                ("", local.strftime("%Y-%m")),
                (type_code, ""),
            ):
                row = out[("done", department, key, period, days)]
                row[0] += 1
                row[1] += on_time
    return out, opened


def _upsert_sums(session: Session, delta: dict[Key, list[int]]) -> None:
    # Sorted: concurrent writers take the rows' locks in one order.
    rows = [dict(zip(_COLUMNS, (*k, *v), strict=True)) for k, v in sorted(delta.items()) if any(v)]
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(_SUM)
    statement = statement.on_conflict_do_update(
        index_elements=["kind", "department_id", "key", "period", "days"],
        set_={n: _SUM.c[n] + statement.excluded[n] for n in ("n", "on_time")},
    )
    for start in range(0, len(rows), 5000):
        session.execute(statement, rows[start : start + 5000])


def watermark(session: Session) -> datetime | None:
    """The instant up to which the overdue totals count the open stages due (None: not yet)."""
    return session.execute(
        sa.select(col(InsightCursor.changed_at)).where(col(InsightCursor.source) == OVERDUE)
    ).scalar()


def _overdue_delta(delta, rows, sign: int, upto: datetime | None) -> None:
    for row in rows:
        if upto is not None and row["due_at"] <= upto:
            delta[("overdue", row["department_id"], row["type_code"], "", -1)][0] += sign


def apply(session: Session, changed: dict[int, datetime], calendar: Calendar) -> int:
    """Bring the rows of these applications (id -> updated_at) and the totals up to date."""
    ids = list(changed)
    applications, stages, late = _load(session, ids)
    upto = watermark(session)
    delta: dict[Key, list[int]] = defaultdict(lambda: [0, 0])
    was_open: list[int] = []
    for kept_text in session.execute(
        sa.select(_APPLICATION.c.kept).where(_APPLICATION.c.application_id.in_(ids))
    ).scalars():
        for *key, n, on_time in json.loads(kept_text):
            if key[0] == "open":  # an open stage of its, in permits_insight_open
                was_open.append(key[4])
                continue
            row = delta[tuple(key)]
            row[0] -= n
            row[1] -= on_time
    closed = [
        dict(row._mapping)
        for row in session.execute(
            sa.select(_OPEN.c.department_id, _OPEN.c.type_code, _OPEN.c.due_at).where(
                _OPEN.c.stage_id.in_(was_open)
            )
        )
    ]
    _overdue_delta(delta, closed, -1, upto)
    rows, opened = [], []
    for application in applications:
        out, open_stages = contributions(application, stages[application[0]], late, calendar)
        opened += open_stages
        for key, (n, on_time) in out.items():
            delta[key][0] += n
            delta[key][1] += on_time
        kept = [[*k, *v] for k, v in out.items()]
        kept += [
            ["open", s["department_id"], s["type_code"], "", s["stage_id"], 0, 0]
            for s in open_stages
        ]
        rows.append(
            {
                "application_id": application[0],
                "kept": json.dumps(kept, separators=(",", ":")),
                "updated_at": changed[application[0]],
            }
        )
    _overdue_delta(delta, opened, 1, upto)
    _upsert_sums(session, delta)
    session.execute(sa.delete(_APPLICATION).where(_APPLICATION.c.application_id.in_(ids)))
    if was_open:
        session.execute(sa.delete(_OPEN).where(_OPEN.c.stage_id.in_(was_open)))
    if rows:
        session.execute(sa.insert(_APPLICATION), rows)
    if opened:
        session.execute(sa.insert(_OPEN), opened)
    return len(applications)


def advance_overdue(session: Session, *, now: datetime) -> None:
    """Count into the overdue totals the open stages that fell due since the watermark.

    Pages add the few that fell due between the watermark and their own now (an index range),
    so the job keeps what is overdue current without a page counting every overdue stage.
    """
    upto = watermark(session)
    if upto is not None and upto >= now:
        return
    query = sa.select(_OPEN.c.department_id, _OPEN.c.type_code, func.count()).where(
        _OPEN.c.due_at <= now
    )
    if upto is not None:
        query = query.where(_OPEN.c.due_at > upto)
    delta: dict[Key, list[int]] = defaultdict(lambda: [0, 0])
    for department_id, type_code, n in session.execute(
        query.group_by(_OPEN.c.department_id, _OPEN.c.type_code)
    ):
        delta[("overdue", department_id, type_code, "", -1)][0] += n
    _upsert_sums(session, delta)
    row = session.get(InsightCursor, OVERDUE)
    if row is None:
        row = InsightCursor(source=OVERDUE, updated_at=now)
    row.changed_at, row.updated_at = now, now
    session.add(row)


def _batch(session: Session, position, batch: int):
    query = sa.select(
        col(Application.id), col(Application.updated_at), col(InsightApplication.updated_at)
    ).outerjoin(InsightApplication, col(InsightApplication.application_id) == Application.id)
    if position is not None:
        at, last_id = position
        query = query.where(
            col(Application.updated_at) >= at,
            (col(Application.updated_at) > at) | (col(Application.id) > last_id),
        )
    order = (col(Application.updated_at), col(Application.id))
    return session.execute(query.order_by(*order).limit(batch)).all()


def _recount(session: Session, calendar: Calendar, closed: list[int], *, now, batch) -> int:
    """Read again every application changed since the earliest closed day that changed."""
    cursor = claim_cursor(session, InsightCursor, SOURCE, now=now)
    kept = set(json.loads(cursor.calendar))
    first = min(kept.symmetric_difference(closed), default=None)
    if cursor.changed_at is None or first is None:
        cursor.calendar = json.dumps(closed)
        session.add(cursor)
        session.commit()
        return 0
    day = date.fromordinal(first) - timedelta(days=1)
    position: tuple[datetime, int] | None = (datetime.combine(day, time(), calendar.zone), 0)
    done = 0
    while True:
        claim_cursor(session, InsightCursor, SOURCE, now=now)
        rows = _batch(session, position, batch)
        if rows:
            done += apply(session, {i: at for i, at, _ in rows}, calendar)
            position = (rows[-1][1], rows[-1][0])
        if len(rows) < batch:
            break
        session.commit()
    cursor = claim_cursor(session, InsightCursor, SOURCE, now=now)
    cursor.calendar = json.dumps(closed)
    session.add(cursor)
    session.commit()
    return done


def refresh(session: Session, *, settings: Settings, now: datetime, batch: int = BATCH) -> int:
    """Read the applications changed since the cursor into the aggregates; how many changed."""
    calendar = catalogue.calendar(session, settings=settings, around=now)
    closed = sorted(d.toordinal() for d in calendar.closed)
    done = _recount(session, calendar, closed, now=now, batch=batch)
    position: tuple[datetime, int] | None = None
    first_build = False  # the first build: the planner learns the tables' sizes after it
    while True:
        cursor = claim_cursor(session, InsightCursor, SOURCE, now=now)
        if position is None and cursor.changed_at is not None:
            position = (cursor.changed_at, cursor.last_id)
        elif position is None:
            first_build = True
        rows = _batch(session, position, batch)
        if rows:
            # a row read again unchanged (the LAG window) costs a comparison, not a reload
            changed = {i: at for i, at, kept_at in rows if kept_at != at}
            if changed:
                done += apply(session, changed, calendar)
            position = (rows[-1][1], rows[-1][0])
            at, last_id = position
            if at >= now - LAG:  # keep re-reading what late commits may still join
                at, last_id = now - LAG, 0
            if cursor.changed_at is None or (cursor.changed_at, cursor.last_id) < (at, last_id):
                cursor.changed_at, cursor.last_id = at, last_id
                session.add(cursor)
        if len(rows) < batch:
            advance_overdue(session, now=now)
        session.commit()  # one batch at a time: a first build of a million can resume
        if len(rows) < batch:
            analyze_after_build(session, (_SUM, _APPLICATION, _OPEN), rows=done, first=first_build)
            return done


def rebuild(session: Session, *, settings: Settings, now: datetime, batch: int = BATCH) -> int:
    """Forget every aggregate and build them again from the whole record."""
    for table in (_SUM, _APPLICATION, _OPEN):
        session.execute(sa.delete(table))
    session.execute(sa.delete(InsightCursor.__table__))  # type: ignore[attr-defined]
    session.commit()
    return refresh(session, settings=settings, now=now, batch=batch)
