"""Public lists of permits: filtered pages, BLDS exports and the figures the site charts."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, func, select

from core.auth.models import Organisation
from core.errors import InvalidInput
from core.i18n import gettext
from core.settings import Settings
from permits import catalogue, queries
from permits.forms import thai_description
from permits.insights import totals
from permits.models import Application, ApplicationStatus
from permits.rules import histogram_percentile
from permits.schemas import PermitPage, PermitSummary, StatisticsRow

MAX_PER_PAGE = 200
DEPTH = 10_000  # the rows page numbers reach; past them the `next` cursor goes on
COUNT_CAP = 10_000  # a filtered list counts this far, then says "more than"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
_CURSOR = re.compile(r"([sdu])(\d{1,16})-(\d{1,18})")


@dataclass(frozen=True)
class _Order:
    """How a list is ordered: a letter its cursors carry, a column, newest or oldest first."""

    letter: str
    column: Any
    descending: bool

    def by(self) -> tuple:
        direction = (lambda c: c.desc()) if self.descending else (lambda c: c)
        return direction(self.column), direction(col(Application.id))

    def key(self, application: Application) -> str:
        at = getattr(application, self.column.key)
        return f"{self.letter}{(at - _EPOCH) // _MICROSECOND}-{application.id}"

    def after(self, cursor: str):
        found = _CURSOR.fullmatch(cursor)
        if found is None or found[1] != self.letter:
            raise InvalidInput(
                gettext(
                    "This page cursor is not one this list gave (or the filters changed): "
                    "follow the list's own next link, or start again from the first page."
                ),
                field="after",
            )
        at, last = _EPOCH + int(found[2]) * _MICROSECOND, int(found[3])
        ahead = sa.tuple_(self.column, col(Application.id))
        return ahead < sa.tuple_(at, last) if self.descending else ahead > sa.tuple_(at, last)


NEWEST = _Order("s", col(Application.submitted_at), descending=True)
LONGEST_OVERDUE = _Order("d", col(Application.current_due_at), descending=False)
CHANGED = _Order("u", col(Application.updated_at), descending=False)


def order_of(overdue: bool | None, since: datetime | None) -> _Order:
    """Newest first; with `since`, oldest change first (a mirror's order); overdue ones, the
    longest overdue first."""
    if since is not None:
        return CHANGED
    return LONGEST_OVERDUE if overdue else NEWEST


def _filters(session, type_code, department, status, overdue, since, now) -> list | None:
    """The list's conditions, each served by an index; None when no application can match."""
    conditions: list = []
    if type_code:
        conditions.append(Application.type_code == type_code.upper())
    if department:
        department_id = session.exec(
            select(Organisation.id).where(Organisation.slug == department)
        ).first()
        if department_id is None:
            return None
        conditions.append(Application.current_department_id == department_id)
    if status:
        conditions.append(Application.status == status)
    if overdue is not None:
        late = (col(Application.current_due_at) <= now) & (
            Application.status == ApplicationStatus.IN_PROGRESS
        )
        conditions.append(late if overdue else ~late | col(Application.current_due_at).is_(None))
    if since:
        conditions.append(col(Application.updated_at) >= since)
    return conditions


def page(
    session: Session,
    *,
    settings: Settings,
    now: datetime,
    type_code: str | None = None,
    department: str | None = None,
    status: str | None = None,
    overdue: bool | None = None,
    since: datetime | None = None,
    number: int = 1,
    after: str | None = None,
    per_page: int = 50,
) -> PermitPage:
    """One page of applications with the filters of the public list, in the order of
    `order_of`: by page number for the first DEPTH rows, by cursor (`after`) at any depth.
    Every step reads through an index, so its cost does not grow with the archive."""
    per_page = max(1, min(per_page, MAX_PER_PAGE))
    if after is None and (number - 1) * per_page >= DEPTH:
        raise InvalidInput(
            gettext(
                "Page numbers reach the first %(depth)s applications of a list. Follow the "
                "next link from there, narrow the filters, or download the whole list."
            )
            % {"depth": f"{DEPTH:,}"},
            field="page",
        )
    order = order_of(overdue, since)
    conditions = _filters(session, type_code, department, status, overdue, since, now)
    if conditions is None:
        return PermitPage(items=[], page=number, per_page=per_page, total=0, next=None)
    statement = (
        select(Application, Organisation.slug)
        .outerjoin(Organisation, col(Organisation.id) == Application.current_department_id)
        .where(*conditions)
    )
    if after is not None:
        statement = statement.where(order.after(after))
    else:
        statement = statement.offset((number - 1) * per_page)
    rows = session.exec(statement.order_by(*order.by()).limit(per_page + 1)).all()
    if type_code or department or overdue is not None or since:
        counted = session.exec(
            select(func.count()).select_from(
                select(Application.id).where(*conditions).limit(COUNT_CAP + 1).subquery()
            )
        ).one()
        total, exact = min(counted, COUNT_CAP), counted <= COUNT_CAP
    else:  # the running totals by status (the refresh job's, a few seconds behind at most)
        total = totals.count(session, "app", key=status) if status else totals.count(session, "app")
        exact = True
    definitions = catalogue.definitions_by_id(session)
    items = [
        PermitSummary(
            tracking_number=a.tracking_number,
            type_code=a.type_code,
            description=a.description,
            description_th=thai_description(definitions[a.type_id], a.description),
            status=a.status,
            current_stage=a.current_stage,
            department=slug,
            due_at=a.current_due_at,
            overdue=bool(
                a.current_due_at and a.current_due_at <= now and a.status == "in_progress"
            ),
            submitted_at=a.submitted_at,
            link=queries.permit_link(settings, a.tracking_number),
        )
        for a, slug in rows[:per_page]
    ]
    more = len(rows) > per_page
    return PermitPage(
        items=items,
        page=number if after is None else None,
        per_page=per_page,
        total=total,
        total_exact=exact,
        order=order.letter,
        next=f"after={order.key(rows[per_page - 1][0])}&per_page={per_page}" if more else None,
    )


def statistics(session: Session, *, now: datetime) -> list[StatisticsRow]:
    """Per type and department: processing days (median, p90), on time, backlog, overdue."""
    slugs = dict(session.exec(select(Organisation.id, Organisation.slug)).all())
    groups: dict[tuple[int, str], dict] = defaultdict(
        lambda: {"days": defaultdict(int), "on_time": 0, "backlog": 0, "late": 0}
    )
    for department_id, type_code, _period, _days, _n, _on_time in totals.totals(session, "stages"):
        groups[(department_id, type_code)]
    for department_id, type_code, period, days, n, on_time in totals.totals(session, "done"):
        if type_code and not period:
            group = groups[(department_id, type_code)]
            group["days"][days] += n
            group["on_time"] += on_time
    for kind in ("backlog", "late"):
        for department_id, type_code, _period, _days, n, _on_time in totals.totals(session, kind):
            groups[(department_id, type_code)][kind] += n
    overdue = totals.overdue(session, now=now)
    result = []
    for (department_id, type_code), g in sorted(
        groups.items(), key=lambda item: (item[0][1], slugs[item[0][0]])
    ):
        done = sum(g["days"].values())
        median, p90 = histogram_percentile(g["days"], 0.5), histogram_percentile(g["days"], 0.9)
        result.append(
            StatisticsRow(
                type_code=type_code,
                department=slugs[department_id],
                completed=done,
                median_days=median,
                p90_days=p90,
                on_time_share=round(g["on_time"] / done, 3) if done else None,
                backlog=g["backlog"],
                overdue=overdue.get((department_id, type_code), 0),
                late_entries=g["late"],
            )
        )
    return result


def type_names(session: Session) -> dict[str, str]:
    """Permit type code → name (newest version)."""
    return {t.code: t.name for t in catalogue.latest_types(session)}
