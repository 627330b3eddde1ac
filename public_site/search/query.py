"""The search itself: one keyset page of hits with bounded counts, or every hit for a download."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql import visitors
from sqlalchemy.sql.util import ClauseAdapter
from sqlmodel import Session

import permits.queries as permits_queries
import procurement.public.public_index as procurement_index
from core.auth.models import OrganisationKind
from core.auth.queries import organisation_choices
from core.db import UTCDateTime
from public_site.search.backends import (
    DOC,
    fts_count,
    fts_query,
    in_titles,
    text_conditions,
    title_has_every_word,
)
from public_site.search.budget import QueryTooSlow
from public_site.search.budget import time_budget as _time_budget
from public_site.search.cursor import after_cursor, decode_cursor, encode_cursor
from public_site.search.schemas import SearchHit, SearchPage, SearchParams

COUNT_CAP = 1_000
COUNT_BUDGET_MS = 250  # counts stop here: the page says "results" without a number
WALK_BUDGET_MS = 500  # a walk through the sort order this slow falls back to the match list
# A word matching at least this many records is "common" (SQLite: FTS5 counts them): instead of
# collecting every match from the full-text index, the database walks the sort order and tests
# each row, which stops as soon as a page is full.
COMMON_MATCHES = 2_000
# PostgreSQL's trigram index cannot count a word's matches cheaply, nor its planner guess them:
# there a page is first looked for among the first WALK_ROWS records its filters select in its
# order (a bounded walk), and from the trigram index's list of matches if it is not filled.
WALK_ROWS = 5_000
COUNT_ROWS = 30_000  # and its counts among the first COUNT_ROWS, if they settle them


def _is_common(session: Session, search: SearchParams) -> bool:
    """Is this a common word to find by walking the sort order (counted lazily)?"""
    terms = search.terms
    if not terms:
        return False
    if session.get_bind().dialect.name == "postgresql":
        return True  # the bounded walk is tried first
    if not fts_query(terms):
        return False
    return fts_count(session, fts_query(terms), COMMON_MATCHES) >= COMMON_MATCHES


def _conditions(session: Session, search: SearchParams, *, walk: bool = False) -> list[Any]:
    conditions = text_conditions(session, search.terms, walk=walk)
    if search.q and not search.terms:  # only one-letter words: nothing to look for
        conditions.append(sa.false())
    for name in ("kind", "status", "buyer", "department", "category", "year", "overdue"):
        value = getattr(search, name)
        if value is not None:
            conditions.append(DOC.c[name] == value)
    if search.year is not None:  # the same rows (year is sort_at's year), as a range of an index
        start = datetime(search.year, 1, 1, tzinfo=UTC)
        conditions.append(DOC.c.sort_at >= sa.literal(start, UTCDateTime()))
        conditions.append(
            DOC.c.sort_at < sa.literal(start.replace(year=search.year + 1), UTCDateTime())
        )
    # On sort_value (the value, or -1 when there is none), which is indexed.
    if search.value_min is not None or search.value_max is not None:
        conditions.append(DOC.c.sort_value >= int((search.value_min or 0) * 100))
    if search.value_max is not None:
        conditions.append(DOC.c.sort_value <= int(search.value_max * 100))
    if search.date_from is not None:
        start = datetime.combine(search.date_from, datetime.min.time(), UTC)
        conditions.append(DOC.c.sort_at >= sa.literal(start, UTCDateTime()))
    if search.date_to is not None:
        end = datetime.combine(search.date_to, datetime.max.time(), UTC)
        conditions.append(DOC.c.sort_at <= sa.literal(end, UTCDateTime()))
    return conditions


def _sort_keys(search: SearchParams) -> list[tuple[Any, str]]:
    sort = search.effective_sort
    if sort == "value":
        return [(DOC.c.sort_value, "int"), (DOC.c.id, "int")]
    if sort == "relevance":  # the level (1: every word in the title, 0: not), then newest
        return [(sa.literal(1), "int"), (DOC.c.sort_at, "time"), (DOC.c.id, "int")]
    return [(DOC.c.sort_at, "time"), (DOC.c.id, "int")]


def _columns() -> list[Any]:
    return [
        DOC.c[n]
        for n in (
            "id",
            "kind",
            "title",
            "body",
            "url",
            "status",
            "buyer",
            "buyer_name",
            "department",
            "department_name",
            "category",
            "year",
            "value",
            "currency",
            "overdue",
            "sort_at",
        )
    ]


def _snippet(body: str, terms: Sequence[str], width: int = 160) -> str:
    lower = body.lower()
    at = min((i for i in (lower.find(t.lower()) for t in terms) if i >= 0), default=0)
    start = max(0, at - width // 3)
    text = body[start : start + width]
    return ("…" if start else "") + text + ("…" if start + width < len(body) else "")


def _hit(row: Any, terms: Sequence[str]) -> SearchHit:
    return SearchHit(
        kind=row.kind,
        title=row.title,
        url=row.url,
        status=row.status,
        buyer=row.buyer,
        buyer_name=row.buyer_name,
        department=row.department,
        department_name=row.department_name,
        category=row.category,
        year=row.year,
        value=row.value,
        currency=row.currency,
        overdue=row.overdue,
        date=row.sort_at,
        snippet=_snippet(row.body, terms),
    )


def _page_rows(
    session: Session, search: SearchParams, size: int, *, common: bool | None = None
) -> tuple[list[Any], Any]:
    keys = _sort_keys(search)
    if common is None:
        common = _is_common(session, search)
    conditions = _conditions(session, search, walk=common)
    after = decode_cursor(search.cursor, search.effective_sort) if search.cursor else None
    if search.effective_sort == "relevance":
        rows = _relevance_rows(session, search, conditions, after, size + 1, walk=common)
    else:
        if after is not None:
            conditions.append(after_cursor(keys, after))
        rows = _select(
            session,
            [*_columns(), *(expr.label(f"k{i}") for i, (expr, _) in enumerate(keys))],
            conditions,
            [expr.desc() for expr, _ in keys],
            size + 1,
            bounded=common and _on_postgres(session),
        )
    more = len(rows) > size
    rows = rows[:size]
    next_cursor = None
    if more and rows:
        last = rows[-1]
        next_cursor = encode_cursor(
            search.effective_sort, [getattr(last, f"k{i}") for i in range(len(keys))]
        )
    return rows, next_cursor


def _walk_or_list(
    session: Session, search: SearchParams, size: int, common: bool
) -> tuple[list[Any], Any, bool]:
    """A page by walking the sort order (a common word), or, if other filters make that walk
    long, from the full-text index's list of matches; and whether the walk gave it."""
    if common:
        try:
            with _time_budget(session, WALK_BUDGET_MS):
                return (*_page_rows(session, search, size, common=True), True)
        except (QueryTooSlow, NotFilled):
            pass
    return (*_page_rows(session, search, size, common=False), False)


class NotFilled(Exception):
    """A bounded walk found fewer rows than a page before its bound."""


def _on_postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _split(where: list[Any]) -> tuple[list[Any], list[Any]]:
    """The conditions on the text, and the others."""
    text = [
        c for c in where if any(e is DOC.c.title or e is DOC.c.body for e in visitors.iterate(c))
    ]
    return text, [c for c in where if not any(c is t for t in text)]


def _select(
    session: Session,
    columns: list[Any],
    where: list[Any],
    order: list[Any],
    limit: int,
    *,
    bounded: bool,
) -> list[Any]:
    """Up to `limit` rows in `order`; `bounded` (PostgreSQL): tested among the first WALK_ROWS
    records that the conditions without text select in that order (NotFilled if too few)."""
    if not bounded:
        statement = sa.select(*columns).where(*where).order_by(*order).limit(limit)
        return list(session.execute(statement).all())
    text, others = _split(where)
    first = sa.select(DOC).where(*others).order_by(*order).limit(WALK_ROWS).subquery()
    inner = ClauseAdapter(first)
    rows = session.execute(
        sa.select(*(inner.traverse(c) for c in columns))
        .where(*(inner.traverse(c) for c in text))
        .order_by(*(inner.traverse(o) for o in order))
        .limit(limit)
    ).all()
    if len(rows) < limit:
        seen = sa.select(sa.func.count()).select_from(first)
        if session.execute(seen).scalar_one() >= WALK_ROWS:  # more beyond the bound
            raise NotFilled
    return list(rows)


def _relevance_rows(
    session: Session,
    search: SearchParams,
    conditions: list[Any],
    after: list[Any] | None,
    limit: int,
    *,
    walk: bool,
) -> list[Any]:
    """Records with every word in their title first, then the others; newest first in each.

    Two keyset walks instead of one ranking of every match: a common word stays fast.
    """
    titled = in_titles(session, search, COMMON_MATCHES)
    rows: list[Any] = []
    for level in (1, 0):
        if after is not None and level > after[0]:
            continue
        where = [
            *conditions,
            titled if level else sa.not_(title_has_every_word(session, search.terms)),
        ]
        if after is not None and level == after[0]:
            where.append(after_cursor([(DOC.c.sort_at, "time"), (DOC.c.id, "int")], after[1:]))
        rows += _select(
            session,
            [
                *_columns(),
                sa.literal(level).label("k0"),
                DOC.c.sort_at.label("k1"),
                DOC.c.id.label("k2"),
            ],
            where,
            [DOC.c.sort_at.desc(), DOC.c.id.desc()],
            limit - len(rows),
            bounded=walk and _on_postgres(session),
        )
        if len(rows) >= limit:
            break
    return rows


def _counts(
    session: Session, search: SearchParams, *, common: bool
) -> tuple[int | None, bool, dict[str, dict]]:
    bounded = common and _on_postgres(session)
    conditions = _conditions(session, search, walk=common and not bounded)
    try:
        # One pass for the total and both facets. On PostgreSQL, when the first records do not
        # settle a common word's counts, its trigram index does (a word this rare is listed
        # quickly), never a scan of the table in its physical order.
        planner = {"enable_seqscan": "off"} if bounded else None
        with _time_budget(session, COUNT_BUDGET_MS, planner=planner):
            groups = _bounded_groups(session, search, conditions) if bounded else None
            if groups is None:
                groups = _groups(session, DOC, conditions)
    except QueryTooSlow:
        return None, True, {}  # too many rows to count quickly: the page says "results"
    total = sum(n for _, _, n in groups)
    if total > COUNT_CAP:
        return COUNT_CAP, True, {}
    facets: dict[str, dict[str, int]] = {}
    for position, name in enumerate(("kind", "status")):
        tally: dict[str, int] = {}
        for row in groups:
            if row[position] is not None:
                tally[row[position]] = tally.get(row[position], 0) + row[2]
        facets[name] = dict(sorted(tally.items(), key=lambda item: (-item[1], item[0])))
    return total, False, facets


def _groups(session: Session, source: Any, where: list[Any]) -> list[Any]:
    """(kind, status, how many) of the first COUNT_CAP + 1 rows of `source` meeting `where`."""
    matching = (
        sa.select(source.c.kind, source.c.status).where(*where).limit(COUNT_CAP + 1).subquery()
    )
    return list(
        session.execute(
            sa.select(matching.c.kind, matching.c.status, sa.func.count()).group_by(
                matching.c.kind, matching.c.status
            )
        ).all()
    )


def _bounded_groups(session: Session, search: SearchParams, where: list[Any]) -> list[Any] | None:
    """PostgreSQL, a common word: its counts among the first COUNT_ROWS records the filters
    select in the page's order, if they settle them (the cap reached, or every such record
    read); the trigram index would list every match of the word first."""
    text, others = _split(where)
    order = [expr.desc() for expr, _ in _sort_keys(search)[-2:]]
    first = sa.select(DOC).where(*others).order_by(*order).limit(COUNT_ROWS).subquery()
    groups = _groups(session, first, [ClauseAdapter(first).traverse(c) for c in text])
    if sum(n for _, _, n in groups) > COUNT_CAP:
        return groups
    seen = sa.select(DOC.c.id).where(*others).order_by(*order).limit(COUNT_ROWS).subquery()
    if session.execute(sa.select(sa.func.count()).select_from(seen)).scalar_one() < COUNT_ROWS:
        return groups
    return None


def search_page(session: Session, search: SearchParams, *, counts: bool = True) -> SearchPage:
    """One page of results for a search, with counts bounded at COUNT_CAP."""
    common = _is_common(session, search)
    rows, next_cursor, walked = _walk_or_list(session, search, search.per_page, common)
    if _on_postgres(session):  # the word is common there if its walk found the page
        common = walked
    total, lower_bound, facets = (
        _counts(session, search, common=common) if counts else (len(rows), True, {})
    )
    return SearchPage(
        hits=[_hit(r, search.terms) for r in rows],
        next_cursor=next_cursor,
        total=total,
        total_is_lower_bound=lower_bound,
        facets=facets,
    )


def iterate(session: Session, search: SearchParams, *, batch: int = 500) -> Iterator[SearchHit]:
    """Every result of a search, fetched a keyset page at a time (for downloads)."""
    page = search.with_cursor(search.cursor)
    common = _is_common(session, search)
    while True:
        rows, next_cursor, _ = _walk_or_list(session, page, batch, common)
        for row in rows:
            yield _hit(row, search.terms)
        if next_cursor is None:
            return
        page = page.with_cursor(next_cursor)


def major_units(value: int | None) -> str:
    """An amount in minor units as a plain decimal string (for CSV and JSON)."""
    return "" if value is None else f"{Decimal(value) / 100:.2f}"


def filter_options(session: Session) -> dict[str, list[tuple[str, str]] | None]:
    """The choices the search form offers per filter, as (value, label) pairs."""
    buyers = organisation_choices(session, kind=OrganisationKind.BUYING_ENTITY)
    departments = organisation_choices(session, kind=OrganisationKind.DEPARTMENT)
    statuses = sorted(set(procurement_index.SEARCH_STATUSES) | set(permits_queries.SEARCH_STATUSES))
    categories = [(c, c) for c in procurement_index.SEARCH_CATEGORIES]
    categories += sorted(permits_queries.search_categories(session).items())
    return {
        # None: too many to list, the form asks for the identifier
        "buyer": None if buyers is None else [(o.slug, o.name) for o in buyers],
        "department": None if departments is None else [(o.slug, o.name) for o in departments],
        "status": [(s, s) for s in statuses],
        "category": categories,
    }
