"""The shape in which each domain hands its public records to the public site's search index:
one record type and one change-feed cursor, shared so that every source reads the same way."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel


class ChangeCursor(BaseModel):
    """A keyset position in a change feed: the change time, then the row id."""

    changed_at: datetime
    id: int


class PublicRecord(BaseModel):
    """One public record, in the shape every search source shares."""

    kind: str
    key: str
    title: str
    body: str
    url: str
    status: str | None = None
    buyer: str | None = None
    buyer_name: str | None = None
    department: str | None = None
    department_name: str | None = None
    category: str | None = None
    value: int | None = None
    currency: str | None = None
    overdue: bool = False
    sort_at: datetime


class ChangeBatch(BaseModel):
    """Records changed after a cursor, and the cursor after the last change read."""

    records: list[PublicRecord]
    next_cursor: ChangeCursor | None
    changes_read: int
