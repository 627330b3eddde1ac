"""Search over the public records: parsing a search from its URL, and running it.

Full text: on SQLite an FTS5 trigram index (substrings of three characters or more, so a Thai
word is found inside an unspaced sentence), on PostgreSQL ILIKE served by pg_trgm GIN
indexes. Every search term is passed as a bound parameter; terms are quoted for FTS5, so its
syntax characters in user input are just characters. Pages are keyset pages (no OFFSET).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import time
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import sqlalchemy as sa
from pydantic import BaseModel
from sqlmodel import Session

from core.db import UTCDateTime
from core.errors import DomainError
from public_site.models import SearchDocument

KINDS = ("tender", "award", "contract", "buyer", "supplier", "permit")
SORTS = ("relevance", "newest", "value")
FILTERS = (
    "q",
    "kind",
    "status",
    "buyer",
    "department",
    "category",
    "year",
    "value_min",
    "value_max",
    "overdue",
    "date_from",
    "date_to",
    "sort",
)
PARAMETERS = frozenset({*FILTERS, "cursor", "per_page", "format", "lang"})
MAX_QUERY = 200
MAX_TERMS = 8
PER_PAGE = 20
MAX_PER_PAGE = 100
COUNT_CAP = 1_000
COUNT_BUDGET_MS = 250  # counts stop here: the page says "results" without a number
WALK_BUDGET_MS = 500  # a walk through the sort order this slow falls back to the match list
# A word matching at least this many records is "common": instead of collecting every match
# from the full-text index, the database walks the sort order and tests each row, which stops
# as soon as a page is full (SQLite; PostgreSQL's planner makes this choice by itself).
COMMON_MATCHES = 2_000
MAX_VALUE = Decimal(10) ** 13  # major units: ten trillion
_SLUG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
_TRUE, _FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off"}
_DOC = SearchDocument.__table__


class SearchError(DomainError):
    """A malformed search parameter; the message names the field."""

    status_code = 400

    def __init__(self, name: str, message: str) -> None:
        super().__init__(f"{name}: {message}", field=name)
        self.field = name


@dataclass(frozen=True)
class SearchParams:
    """A validated search: what the URL asked for."""

    q: str = ""
    kind: str | None = None
    status: str | None = None
    buyer: str | None = None
    department: str | None = None
    category: str | None = None
    year: int | None = None
    value_min: Decimal | None = None
    value_max: Decimal | None = None
    overdue: bool | None = None
    date_from: date | None = None
    date_to: date | None = None
    sort: str | None = None
    cursor: str | None = None
    per_page: int = PER_PAGE
    query_truncated: bool = False
    terms: tuple[str, ...] = field(default=())

    @property
    def effective_sort(self) -> str:
        """The sort in force: relevance needs words; without them the newest come first."""
        sort = self.sort or ("relevance" if self.terms else "newest")
        return "newest" if sort == "relevance" and not self.terms else sort

    def filters(self) -> list[tuple[str, str]]:
        """The filters as URL parameters (without cursor or page size), for links."""
        pairs = []
        for name in FILTERS:
            value = getattr(self, name)
            if value is None or value == "":
                continue
            if isinstance(value, bool):
                value = "true" if value else "false"
            pairs.append((name, str(value)))
        return pairs

    def with_cursor(self, cursor: str | None) -> SearchParams:
        """The same search at another page."""
        return replace(self, cursor=cursor)


class SearchHit(BaseModel):
    """One search result, with only public fields."""

    kind: str
    title: str
    url: str
    status: str | None
    buyer: str | None
    buyer_name: str | None
    department: str | None
    department_name: str | None
    category: str | None
    year: int | None
    value: int | None
    currency: str | None
    overdue: bool
    date: datetime
    snippet: str


class SearchPage(BaseModel):
    """One page of results, the cursor of the next, and (bounded) counts."""

    hits: list[SearchHit]
    next_cursor: str | None
    total: int | None  # None: more than could be counted within the time budget
    total_is_lower_bound: bool
    facets: dict[str, dict[str, int]]


def _one(params: Mapping[str, Sequence[str]], name: str) -> str | None:
    values = params.get(name) or []
    if len(values) > 1:
        raise SearchError(name, "give it once.")
    value = values[0].strip() if values else ""
    return value or None


def _clean_query(raw: str) -> tuple[str, bool]:
    text = "".join(" " if unicodedata.category(c) in {"Cc", "Cs", "Zl", "Zp"} else c for c in raw)
    text = " ".join(text.split())
    if len(text) > MAX_QUERY:
        return text[:MAX_QUERY].rstrip(), True
    return text, False


def _slug(params, name: str) -> str | None:
    value = _one(params, name)
    if value is not None and not _SLUG.match(value):
        raise SearchError(name, "use the identifier shown in the list (letters, digits, '-').")
    return value


def _money(params, name: str) -> Decimal | None:
    value = _one(params, name)
    if value is None:
        return None
    try:
        amount = Decimal(value.replace(",", ""))
    except InvalidOperation:
        raise SearchError(name, f"{value[:40]!r} is not an amount (e.g. 1500000).") from None
    if not amount.is_finite() or amount < 0 or amount > MAX_VALUE:
        raise SearchError(name, f"give an amount between 0 and {MAX_VALUE:,}.")
    return amount


def _date(params, name: str) -> date | None:
    value = _one(params, name)
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise SearchError(name, f"{value[:40]!r} is not a date (YYYY-MM-DD).") from None


def parse(params: Mapping[str, Sequence[str]]) -> SearchParams:
    """Validate a search's URL parameters; SearchError names the first wrong one."""
    for name in params:
        if name not in PARAMETERS:
            raise SearchError(
                name[:40], f"unknown filter; use {', '.join(sorted(PARAMETERS - {'lang'}))}."
            )
    q, truncated = _clean_query(_one(params, "q") or "")
    terms = tuple(dict.fromkeys(t for t in q.split() if len(t) >= 2))[:MAX_TERMS]
    kind = _one(params, "kind")
    if kind is not None and kind not in KINDS:
        raise SearchError("kind", f"{kind[:40]!r} is not one of {', '.join(KINDS)}.")
    sort = _one(params, "sort")
    if sort is not None and sort not in SORTS:
        raise SearchError("sort", f"{sort[:40]!r} is not one of {', '.join(SORTS)}.")
    year = _one(params, "year")
    if year is not None:
        if not year.isdigit() or not 1900 <= int(year) <= 2200:
            raise SearchError("year", f"{year[:40]!r} is not a year (e.g. 2026).")
        year = int(year)
    overdue = _one(params, "overdue")
    if overdue is not None:
        if overdue.lower() not in _TRUE | _FALSE:
            raise SearchError("overdue", "use true or false.")
        overdue = overdue.lower() in _TRUE
    per_page = _one(params, "per_page")
    if per_page is not None:
        if not per_page.isdigit() or not 1 <= int(per_page) <= MAX_PER_PAGE:
            raise SearchError("per_page", f"give a number from 1 to {MAX_PER_PAGE}.")
        per_page = int(per_page)
    value_min, value_max = _money(params, "value_min"), _money(params, "value_max")
    if value_min is not None and value_max is not None and value_min > value_max:
        raise SearchError("value_min", "the minimum is above the maximum.")
    date_from, date_to = _date(params, "date_from"), _date(params, "date_to")
    if date_from and date_to and date_from > date_to:
        raise SearchError("date_from", "the start date is after the end date.")
    search = SearchParams(
        q=q,
        kind=kind,
        status=_slug(params, "status"),
        buyer=_slug(params, "buyer"),
        department=_slug(params, "department"),
        category=_slug(params, "category"),
        year=year,
        value_min=value_min,
        value_max=value_max,
        overdue=overdue,
        date_from=date_from,
        date_to=date_to,
        sort=sort,
        cursor=_one(params, "cursor"),
        per_page=per_page or PER_PAGE,
        query_truncated=truncated,
        terms=terms,
    )
    if search.cursor is not None:
        decode_cursor(search.cursor, search.effective_sort)  # reject a bad one now, as a 400
    return search


# --- SQL -------------------------------------------------------------------------------


def _pattern(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _fts_phrase(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'  # a quoted FTS5 string: no operators inside


def _like_conditions(terms: Sequence[str]) -> list[Any]:
    return [
        sa.or_(
            _DOC.c.title.like(_pattern(t), escape="\\"), _DOC.c.body.like(_pattern(t), escape="\\")
        )
        for t in terms
    ]


def _fts_query(terms: Sequence[str]) -> str:
    return " ".join(_fts_phrase(t) for t in terms if len(t) >= 3)


def _is_common(session: Session, search: SearchParams) -> bool:
    """Is this a common word to find by walking the sort order (SQLite; counted lazily)?"""
    terms = search.terms
    if not terms or session.get_bind().dialect.name == "postgresql" or not _fts_query(terms):
        return False
    count = session.execute(
        sa.text(
            "SELECT count(*) FROM (SELECT rowid FROM public_search_fts "
            "WHERE public_search_fts MATCH :fts_query LIMIT :cap)"
        ),
        {"fts_query": _fts_query(terms), "cap": COMMON_MATCHES},
    ).scalar_one()
    return count >= COMMON_MATCHES


def _text_conditions(session: Session, terms: Sequence[str], *, walk: bool = False) -> list[Any]:
    if not terms:
        return []
    if walk:  # a common word: test rows one by one as the sort order is walked
        return _like_conditions(terms)
    if session.get_bind().dialect.name == "postgresql":
        return [
            sa.or_(
                _DOC.c.title.ilike(_pattern(t), escape="\\"),
                _DOC.c.body.ilike(_pattern(t), escape="\\"),
            )
            for t in terms
        ]
    conditions = []
    if _fts_query(terms):
        matching = sa.text(
            "SELECT rowid FROM public_search_fts WHERE public_search_fts MATCH :fts_query"
        ).bindparams(fts_query=_fts_query(terms))
        conditions.append(_DOC.c.id.in_(matching.columns(sa.column("rowid", sa.Integer))))
    # Two-character terms are below the trigram index's reach: matched by LIKE.
    conditions += _like_conditions([t for t in terms if len(t) < 3])
    return conditions


def _conditions(session: Session, search: SearchParams, *, walk: bool = False) -> list[Any]:
    conditions = _text_conditions(session, search.terms, walk=walk)
    if search.q and not search.terms:  # only one-letter words: nothing to look for
        conditions.append(sa.false())
    for name in ("kind", "status", "buyer", "department", "category", "year", "overdue"):
        value = getattr(search, name)
        if value is not None:
            conditions.append(_DOC.c[name] == value)
    # On sort_value (the value, or -1 when there is none), which is indexed.
    if search.value_min is not None or search.value_max is not None:
        conditions.append(_DOC.c.sort_value >= int((search.value_min or 0) * 100))
    if search.value_max is not None:
        conditions.append(_DOC.c.sort_value <= int(search.value_max * 100))
    if search.date_from is not None:
        start = datetime.combine(search.date_from, datetime.min.time(), UTC)
        conditions.append(_DOC.c.sort_at >= sa.literal(start, UTCDateTime()))
    if search.date_to is not None:
        end = datetime.combine(search.date_to, datetime.max.time(), UTC)
        conditions.append(_DOC.c.sort_at <= sa.literal(end, UTCDateTime()))
    return conditions


def _title_has_every_word(session: Session, terms: Sequence[str]) -> Any:
    like = "ilike" if session.get_bind().dialect.name == "postgresql" else "like"
    return sa.and_(*(getattr(_DOC.c.title, like)(_pattern(t), escape="\\") for t in terms))


def _in_titles(session: Session, search: SearchParams) -> Any:
    """Records whose title holds every word, found the cheaper way for how common they are."""
    terms = search.terms
    titled = [t for t in terms if len(t) >= 3]
    fts = " ".join(f"title : {_fts_phrase(t)}" for t in titled)
    if session.get_bind().dialect.name == "postgresql" or len(titled) < len(terms):
        return _title_has_every_word(session, terms)
    common = (
        session.execute(
            sa.text(
                "SELECT count(*) FROM (SELECT rowid FROM public_search_fts "
                "WHERE public_search_fts MATCH :fts_title LIMIT :cap)"
            ),
            {"fts_title": fts, "cap": COMMON_MATCHES},
        ).scalar_one()
        >= COMMON_MATCHES
    )
    if common:
        return _title_has_every_word(session, terms)
    matching = sa.text(
        "SELECT rowid FROM public_search_fts WHERE public_search_fts MATCH :fts_title"
    ).bindparams(fts_title=fts)
    return _DOC.c.id.in_(matching.columns(sa.column("rowid", sa.Integer)))


def _sort_keys(session: Session, search: SearchParams) -> list[tuple[Any, str]]:
    sort = search.effective_sort
    if sort == "value":
        return [(_DOC.c.sort_value, "int"), (_DOC.c.id, "int")]
    if sort == "relevance":  # the level (1: every word in the title, 0: not), then newest
        return [(sa.literal(1), "int"), (_DOC.c.sort_at, "time"), (_DOC.c.id, "int")]
    return [(_DOC.c.sort_at, "time"), (_DOC.c.id, "int")]


def encode_cursor(sort: str, values: Sequence[Any]) -> str:
    """An opaque cursor: the sort and the last row's sort key."""
    keys = [v.isoformat() if isinstance(v, datetime) else v for v in values]
    raw = json.dumps({"s": sort, "k": keys}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, sort: str) -> list[Any]:
    """The sort key in a cursor made by encode_cursor; SearchError if it is not one."""
    kinds = {
        "newest": ["time", "int"],
        "value": ["int", "int"],
        "relevance": ["int", "time", "int"],
    }[sort]
    try:
        if len(cursor) > 400:
            raise ValueError
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if not isinstance(data, dict) or data.get("s") != sort:
            raise SearchError(
                "cursor",
                "this cursor belongs to a search with another sort; "
                "start again from the first page.",
            )
        keys = data["k"]
        if not isinstance(keys, list) or len(keys) != len(kinds):
            raise ValueError
        values: list[Any] = []
        for kind, key in zip(kinds, keys, strict=True):
            if kind == "int":
                if not isinstance(key, int) or isinstance(key, bool) or abs(key) > 2**62:
                    raise ValueError
                values.append(key)
            else:
                moment = datetime.fromisoformat(key)
                values.append(moment if moment.tzinfo else moment.replace(tzinfo=UTC))
        return values
    except SearchError:
        raise
    except (ValueError, TypeError, KeyError, binascii.Error, UnicodeDecodeError):
        raise SearchError(
            "cursor", "this is not a page cursor from this site; start from the first page."
        ) from None


def _after(keys: list[tuple[Any, str]], values: list[Any]) -> Any:
    """Rows after the cursor in descending order of every key (a row-value comparison)."""
    literals = [
        sa.literal(v, UTCDateTime()) if kind == "time" else sa.literal(v, sa.BigInteger())
        for (_, kind), v in zip(keys, values, strict=True)
    ]
    return sa.tuple_(*(expr for expr, _ in keys)) < sa.tuple_(*literals)


def _columns() -> list[Any]:
    return [
        _DOC.c[n]
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
    keys = _sort_keys(session, search)
    if common is None:
        common = _is_common(session, search)
    conditions = _conditions(session, search, walk=common)
    after = decode_cursor(search.cursor, search.effective_sort) if search.cursor else None
    if search.effective_sort == "relevance":
        rows = _relevance_rows(session, search, conditions, after, size + 1)
    else:
        if after is not None:
            conditions.append(_after(keys, after))
        statement = (
            sa.select(*_columns(), *(expr.label(f"k{i}") for i, (expr, _) in enumerate(keys)))
            .where(*conditions)
            .order_by(*(expr.desc() for expr, _ in keys))
            .limit(size + 1)
        )
        rows = session.execute(statement).all()
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
    try:
        with _time_budget(session, WALK_BUDGET_MS):
            return _page_rows(session, search, size, common=True)
    except QueryTooSlow:
        return _page_rows(session, search, size, common=False)


def _relevance_rows(
    session: Session,
    search: SearchParams,
    conditions: list[Any],
    after: list[Any] | None,
    limit: int,
) -> list[Any]:
    """Records with every word in their title first, then the others; newest first in each.

    Two keyset walks instead of one ranking of every match: a common word stays fast.
    """
    in_titles = _in_titles(session, search)
    rows: list[Any] = []
    for level in (1, 0):
        if after is not None and level > after[0]:
            continue
        where = [
            *conditions,
            in_titles if level else sa.not_(_title_has_every_word(session, search.terms)),
        ]
        if after is not None and level == after[0]:
            where.append(_after([(_DOC.c.sort_at, "time"), (_DOC.c.id, "int")], after[1:]))
        rows += session.execute(
            sa.select(
                *_columns(),
                sa.literal(level).label("k0"),
                _DOC.c.sort_at.label("k1"),
                _DOC.c.id.label("k2"),
            )
            .where(*where)
            .order_by(_DOC.c.sort_at.desc(), _DOC.c.id.desc())
            .limit(limit - len(rows))
        ).all()
        if len(rows) >= limit:
            break
    return rows


@contextmanager
def _time_budget(session: Session, milliseconds: int) -> Iterator[None]:
    """Abort the statements run inside after `milliseconds` (QueryTooSlow): counts are a
    courtesy, and a page has a faster way to be found, so neither may hold the site up."""
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        nested = connection.begin_nested()
        try:
            connection.execute(
                sa.text("SELECT set_config('statement_timeout', :ms, true)"),
                {"ms": str(milliseconds)},
            )
            yield
        except sa.exc.OperationalError as error:
            nested.rollback()  # also undoes the timeout setting
            raise QueryTooSlow from error
        else:
            connection.execute(sa.text("SELECT set_config('statement_timeout', '0', true)"))
            nested.commit()
        return
    raw = connection.connection.driver_connection
    deadline = time.monotonic() + milliseconds / 1000
    raw.set_progress_handler(lambda: int(time.monotonic() > deadline), 10_000)
    try:
        yield
    except sa.exc.OperationalError as error:
        raise QueryTooSlow from error
    finally:
        raw.set_progress_handler(None, 0)


class QueryTooSlow(Exception):
    """A statement ran past its time budget and was stopped."""


def _counts(
    session: Session, search: SearchParams, *, common: bool
) -> tuple[int | None, bool, dict[str, dict]]:
    matching = (
        sa.select(_DOC.c.kind, _DOC.c.status)
        .where(*_conditions(session, search, walk=common))
        .limit(COUNT_CAP + 1)
        .subquery()
    )
    try:
        with _time_budget(session, COUNT_BUDGET_MS):
            total = session.execute(sa.select(sa.func.count()).select_from(matching)).scalar_one()
            if total > COUNT_CAP:
                return COUNT_CAP, True, {}
            facets: dict[str, dict[str, int]] = {}
            for name in ("kind", "status"):
                column = matching.c[name]
                rows = session.execute(
                    sa.select(column, sa.func.count()).where(column.is_not(None)).group_by(column)
                ).all()
                facets[name] = dict(sorted(rows, key=lambda r: -r[1]))
    except QueryTooSlow:
        return None, True, {}  # too many rows to count quickly: the page says "results"
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


def money(value: int | None, currency: str | None) -> str:
    """An amount in minor units as major units with thousands separators."""
    if value is None:
        return ""
    return f"{Decimal(value) / 100:,.2f} {currency or ''}".strip()


def major_units(value: int | None) -> str:
    """An amount in minor units as a plain decimal string (for CSV and JSON)."""
    return "" if value is None else f"{Decimal(value) / 100:.2f}"
