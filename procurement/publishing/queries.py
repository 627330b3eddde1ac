"""Reads of the published OCDS releases, as the JSON each was published with."""

from __future__ import annotations

import json
from collections.abc import Iterator

from sqlmodel import Session, col, select

from procurement.publishing.models import Release


def releases_after(session: Session, *, since: int, limit: int) -> tuple[list[dict], int | None]:
    """Up to `limit` releases after the cursor `since`, oldest first, and the next page's
    cursor: None on the last page, so a harvester following it stops."""
    rows = session.exec(
        select(Release).where(col(Release.id) > since).order_by(col(Release.id)).limit(limit + 1)
    ).all()
    more = len(rows) > limit
    rows = rows[:limit]
    return [json.loads(r.body) for r in rows], (rows[-1].id if more else None)


def release(session: Session, *, release_id: str) -> dict | None:
    """One release by its OCDS id, or None."""
    row = session.exec(select(Release).where(Release.release_id == release_id)).first()
    return json.loads(row.body) if row is not None else None


def process_releases(session: Session, *, ocid: str) -> list[dict]:
    """Every release of one contracting process, oldest first."""
    rows = session.exec(select(Release).where(Release.ocid == ocid).order_by(col(Release.id))).all()
    return [json.loads(r.body) for r in rows]


def release_pages(session: Session, *, page_size: int = 500) -> Iterator[str]:
    """Every release as its stored JSON text, oldest first, read a page at a time."""
    after = 0
    while True:
        rows = session.exec(
            select(Release.id, Release.body)
            .where(col(Release.id) > after)
            .order_by(col(Release.id))
            .limit(page_size)
        ).all()
        if not rows:
            return
        yield "".join(body + "\n" for _, body in rows)
        last_id = rows[-1][0]
        assert last_id is not None  # a primary key
        after = last_id
