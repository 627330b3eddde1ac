"""Keeps the search index fresh: reads each domain's public change feed and upserts documents.

A scheduled job runs refresh() every few seconds. Each source's cursor is stored, but never
ahead of `now - LAG`: a transaction that stamped its change a little earlier may commit after
a later one, so the most recent changes are read again on the next runs (upserts are
idempotent, and unchanged documents are not rewritten).
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

import permits.queries as permits_queries
import procurement.public.public_index as procurement_index
from core.scheduler import JobContext, register_job
from public_site.search.models import SearchCursor, SearchDocument

log = logging.getLogger(__name__)

REFRESH_JOB = "public_site.search.refresh"
EVERY_SECONDS = 5
LAG = timedelta(seconds=60)
BATCH = 500

# name -> (change feed, its cursor class)
SOURCES: dict[str, tuple[Callable[..., Any], type]] = {
    "procurement.tenders": (
        procurement_index.tenders_changed_since,
        procurement_index.ChangeCursor,
    ),
    "procurement.organisations": (
        procurement_index.organisations_since,
        procurement_index.ChangeCursor,
    ),
    "permits.applications": (
        permits_queries.applications_changed_since,
        permits_queries.ChangeCursor,
    ),
}
_DOCUMENT = SearchDocument.__table__  # type: ignore[attr-defined]  # set by SQLAlchemy; SQLModel declares no __table__
_UPDATABLE = [c.name for c in _DOCUMENT.columns if c.name not in {"id", "kind", "key"}]


def document_row(record: Any, *, now: datetime) -> dict[str, Any]:
    """The document columns of one public record (any source's PublicRecord)."""
    data = record.model_dump(mode="json")
    digest = hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:32]
    return {
        "kind": record.kind,
        "key": record.key,
        "title": record.title[:400],
        "body": record.body,
        "url": record.url,
        "status": record.status,
        "buyer": record.buyer,
        "buyer_name": record.buyer_name,
        "department": record.department,
        "department_name": record.department_name,
        "category": record.category,
        "year": record.sort_at.astimezone(UTC).year,  # the year filter is a range of sort_at
        "value": record.value,
        "currency": record.currency,
        "sort_value": record.value if record.value is not None else -1,
        "overdue": record.overdue,
        "sort_at": record.sort_at,
        "digest": digest,
        "indexed_at": now,
    }


def upsert(session: Session, records: Iterable[Any], *, now: datetime) -> int:
    """Insert or update the documents of these records; returns how many were given."""
    rows = {(r.kind, r.key): document_row(r, now=now) for r in records}  # last one wins
    if not rows:
        return 0
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(_DOCUMENT)
    statement = statement.on_conflict_do_update(
        index_elements=["kind", "key"],
        set_={name: statement.excluded[name] for name in _UPDATABLE},
        where=_DOCUMENT.c.digest != statement.excluded.digest,
    )
    session.execute(statement, list(rows.values()))
    return len(rows)


def _load_cursor(session: Session, source: str, cursor_class: type) -> Any:
    row = session.get(SearchCursor, source)
    if row is None or row.changed_at is None:
        return None
    return cursor_class(changed_at=row.changed_at, id=row.last_id)


def _save_cursor(session: Session, source: str, cursor: Any, *, now: datetime) -> None:
    if cursor is None:
        return
    changed_at, last_id = cursor.changed_at, cursor.id
    if changed_at >= now - LAG:  # keep re-reading what may still be joined by late commits
        changed_at, last_id = now - LAG, 0
    row = session.get(SearchCursor, source) or SearchCursor(source=source, updated_at=now)
    if row.changed_at is not None and (row.changed_at, row.last_id) >= (changed_at, last_id):
        return
    row.changed_at, row.last_id, row.updated_at = changed_at, last_id, now
    session.add(row)


def refresh(session: Session, *, now: datetime, batch: int = BATCH) -> int:
    """Read every source's changes since its cursor into the index; documents written."""
    written = 0
    for source, (read, cursor_class) in SOURCES.items():
        cursor = _load_cursor(session, source, cursor_class)
        while True:
            changes = read(session, cursor=cursor, limit=batch)
            written += upsert(session, changes.records, now=now)
            cursor = changes.next_cursor
            _save_cursor(session, source, cursor, now=now)
            session.commit()  # one batch at a time: a first build of millions can resume
            if changes.changes_read < batch:
                break
    return written


def rebuild(session: Session, *, now: datetime, batch: int = BATCH) -> int:
    """Forget every cursor and read every source from the start (documents are upserted)."""
    session.execute(sa.delete(SearchCursor))
    session.commit()
    return refresh(session, now=now, batch=batch)


@register_job(REFRESH_JOB)
def refresh_job(context: JobContext) -> int:
    """Bring the search index up to date (runs every few seconds)."""
    with Session(context.engine) as session:
        written = refresh(session, now=context.clock())
    if written:
        log.debug("search index: %d documents refreshed", written)
    return written
