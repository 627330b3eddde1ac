"""Text matching per database: on SQLite an FTS5 trigram index (substrings of three characters
or more, so a Thai word is found inside an unspaced sentence), on PostgreSQL ILIKE served by
pg_trgm GIN indexes. Every term is a bound parameter; terms are quoted for FTS5, so its syntax
characters in user input are just characters."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from public_site.search.models import SearchDocument
from public_site.search.schemas import SearchParams

DOC = SearchDocument.__table__  # type: ignore[attr-defined]  # set by SQLAlchemy; SQLModel declares no __table__


def pattern(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def fts_phrase(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'  # a quoted FTS5 string: no operators inside


def _on_postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _matches(session: Session, name: str, term: str) -> Any:
    """ILIKE on PostgreSQL, LIKE on SQLite (which ignores ASCII case the same way). A term
    without upper or lower case (Thai, digits) is matched by LIKE on PostgreSQL too: the same
    rows, without lowering every text it is tested against (a third of the time)."""
    text = DOC.c[name]
    if _on_postgres(session) and term.lower() != term.upper():
        return text.ilike(pattern(term), escape="\\")
    return text.like(pattern(term), escape="\\")


def like_conditions(session: Session, terms: Sequence[str]) -> list[Any]:
    return [sa.or_(_matches(session, "title", t), _matches(session, "body", t)) for t in terms]


def fts_query(terms: Sequence[str]) -> str:
    return " ".join(fts_phrase(t) for t in terms if len(t) >= 3)


def fts_count(session: Session, match: str, cap: int) -> int:
    """How many records the FTS5 index matches for `match`, counting no further than `cap`."""
    return session.execute(
        sa.text(
            "SELECT count(*) FROM (SELECT rowid FROM public_search_fts "
            "WHERE public_search_fts MATCH :fts_query LIMIT :cap)"
        ),
        {"fts_query": match, "cap": cap},
    ).scalar_one()


def text_conditions(session: Session, terms: Sequence[str], *, walk: bool = False) -> list[Any]:
    if not terms:
        return []
    if walk or _on_postgres(session):  # LIKE: tested row by row, or served by pg_trgm
        return like_conditions(session, terms)
    conditions = []
    if fts_query(terms):
        matching = sa.text(
            "SELECT rowid FROM public_search_fts WHERE public_search_fts MATCH :fts_query"
        ).bindparams(fts_query=fts_query(terms))
        conditions.append(DOC.c.id.in_(matching.columns(sa.column("rowid", sa.Integer))))
    # Two-character terms are below the trigram index's reach: matched by LIKE.
    conditions += like_conditions(session, [t for t in terms if len(t) < 3])
    return conditions


def title_has_every_word(session: Session, terms: Sequence[str]) -> Any:
    return sa.and_(*(_matches(session, "title", t) for t in terms))


def in_titles(session: Session, search: SearchParams, cap: int) -> Any:
    """Records whose title holds every word, found the cheaper way for how common they are
    (at least `cap` title matches: common)."""
    terms = search.terms
    titled = [t for t in terms if len(t) >= 3]
    fts = " ".join(f"title : {fts_phrase(t)}" for t in titled)
    if _on_postgres(session):
        return title_has_every_word(session, terms)
    if len(titled) < len(terms):
        return title_has_every_word(session, terms)
    common = fts_count(session, fts, cap) >= cap
    if common:
        return title_has_every_word(session, terms)
    matching = sa.text(
        "SELECT rowid FROM public_search_fts WHERE public_search_fts MATCH :fts_title"
    ).bindparams(fts_title=fts)
    return DOC.c.id.in_(matching.columns(sa.column("rowid", sa.Integer)))
