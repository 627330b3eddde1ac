"""The search itself: one keyset page of hits with bounded counts, or every hit for a download."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

import permits.queries as permits_queries
import procurement.public.public_index as procurement_index
from core.auth.models import Organisation, OrganisationKind
from core.db import UTCDateTime
from public_site.search.backends import (
    DOC,
    capped_count,
    common_among_newest,
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
FILTER_COUNT_BUDGET_MS = 50  # how long to count the records the filters alone select
# A word matching at least this many records is "common": instead of collecting every match
# from the full-text index, the database walks the sort order and tests each row, which stops
# as soon as a page is full (SQLite; PostgreSQL's planner makes this choice by itself).
COMMON_MATCHES = 2_000
# PostgreSQL's trigram index cannot count a word's matches cheaply: a word is common there when
# at least 4 of the 2,000 newest records have it (a walk then fills a page within ~10,000 rows).
NEWEST_PROBE = (2_000, 4)


def _is_common(session: Session, search: SearchParams) -> bool:
    """Is this a common word to find by walking the sort order (counted lazily)?"""
    terms = search.terms
    if not terms:
        return False
    if session.get_bind().dialect.name == "postgresql":
        found = text_conditions(session, terms, walk=True)
        return common_among_newest(session, found, *NEWEST_PROBE)
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
        statement = (
            sa.select(*_columns(), *(expr.label(f"k{i}") for i, (expr, _) in enumerate(keys)))
            .where(*conditions)
            .order_by(*(expr.desc() for expr, _ in keys))
            .limit(size + 1)
        )
        rows = list(session.execute(statement).all())
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
) -> tuple[list[Any], Any]:
    """A page by walking the sort order (a common word), or, if other filters make that walk
    long, from the full-text index's list of matches."""
    if not common:
        return _page_rows(session, search, size, common=False)
    ordered = _walk_in_sort_order(session, search)
    try:
        with _time_budget(session, WALK_BUDGET_MS, in_sort_order=ordered):
            return _page_rows(session, search, size, common=True)
    except QueryTooSlow:
        return _page_rows(session, search, size, common=False)


def _walk_in_sort_order(session: Session, search: SearchParams) -> bool:
    """PostgreSQL: must the walk of a common word follow the sort order's index? Its planner
    cannot know how often the word occurs and would read and sort every row that passes the
    filters; only if the filters alone select few records (counted, briefly) is that better."""
    if session.get_bind().dialect.name != "postgresql":
        return False  # SQLite's planner walks the sort order of itself, or a filter's index
    filters = _conditions(session, replace(search, q="", terms=()))
    if not filters:
        return True
    try:
        with _time_budget(session, FILTER_COUNT_BUDGET_MS):
            return capped_count(session, filters, COMMON_MATCHES) >= COMMON_MATCHES
    except QueryTooSlow:
        return True


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
    titled = in_titles(session, search, COMMON_MATCHES, walk=walk, probe=NEWEST_PROBE)
    rows: list[Any] = []
    for level in (1, 0):
        if after is not None and level > after[0]:
            continue
        where = [
            *conditions,
            titled if level else sa.not_(title_has_every_word(session, search.terms, walk=walk)),
        ]
        if after is not None and level == after[0]:
            where.append(after_cursor([(DOC.c.sort_at, "time"), (DOC.c.id, "int")], after[1:]))
        rows += session.execute(
            sa.select(
                *_columns(),
                sa.literal(level).label("k0"),
                DOC.c.sort_at.label("k1"),
                DOC.c.id.label("k2"),
            )
            .where(*where)
            .order_by(DOC.c.sort_at.desc(), DOC.c.id.desc())
            .limit(limit - len(rows))
        ).all()
        if len(rows) >= limit:
            break
    return rows


def _counts(
    session: Session, search: SearchParams, *, common: bool
) -> tuple[int | None, bool, dict[str, dict]]:
    # PostgreSQL's planner chooses well between the trigram index and the filters' for a count.
    walk = common and session.get_bind().dialect.name != "postgresql"
    matching = (
        sa.select(DOC.c.kind, DOC.c.status)
        .where(*_conditions(session, search, walk=walk))
        .limit(COUNT_CAP + 1)
        .subquery()
    )
    try:
        with _time_budget(session, COUNT_BUDGET_MS):  # one pass: the total and both facets
            groups = session.execute(
                sa.select(matching.c.kind, matching.c.status, sa.func.count()).group_by(
                    matching.c.kind, matching.c.status
                )
            ).all()
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


def search_page(session: Session, search: SearchParams, *, counts: bool = True) -> SearchPage:
    """One page of results for a search, with counts bounded at COUNT_CAP."""
    common = _is_common(session, search)
    rows, next_cursor = _walk_or_list(session, search, search.per_page, common)
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
        rows, next_cursor = _walk_or_list(session, page, batch, common)
        for row in rows:
            yield _hit(row, search.terms)
        if next_cursor is None:
            return
        page = page.with_cursor(next_cursor)


def major_units(value: int | None) -> str:
    """An amount in minor units as a plain decimal string (for CSV and JSON)."""
    return "" if value is None else f"{Decimal(value) / 100:.2f}"


def filter_options(session: Session) -> dict[str, list[tuple[str, str]]]:
    """The choices the search form offers per filter, as (value, label) pairs."""
    organisations = session.exec(
        select(Organisation.slug, Organisation.name, Organisation.kind)
        .where(
            col(Organisation.kind).in_(
                [OrganisationKind.BUYING_ENTITY, OrganisationKind.DEPARTMENT]
            )
        )
        .order_by(col(Organisation.name))
    ).all()
    statuses = sorted(set(procurement_index.SEARCH_STATUSES) | set(permits_queries.SEARCH_STATUSES))
    categories = [(c, c) for c in procurement_index.SEARCH_CATEGORIES]
    categories += sorted(permits_queries.search_categories(session).items())
    return {
        "buyer": [(s, n) for s, n, k in organisations if k == OrganisationKind.BUYING_ENTITY],
        "department": [(s, n) for s, n, k in organisations if k == OrganisationKind.DEPARTMENT],
        "status": [(s, s) for s in statuses],
        "category": categories,
    }
