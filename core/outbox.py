"""The email outbox of every domain: each pending row sent, then marked sent, one at a time."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from email.message import EmailMessage
from typing import Any

from sqlalchemy import ColumnElement
from sqlmodel import Session, col, select

from core import mail
from core.settings import Settings

BATCH = 200


def deliver_pending(
    session: Session,
    *,
    table: type[Any],
    prefix: str,
    compose: Callable[[Any], EmailMessage],
    settings: Settings,
    now: datetime,
    where: Iterable[ColumnElement[bool]] = (),
    batch: int = BATCH,
) -> int:
    """Send up to `batch` unsent rows of `table`, oldest first; returns how many went out.

    Each row's `sent_at` commits right after its message is sent, so a failure at message k
    leaves 1…k−1 marked sent and k… pending: a rerun never sends a message twice."""
    conditions = [col(table.sent_at).is_(None), *where]
    sent = 0
    while sent < batch:
        # One locked row per transaction: another runner skips it, and the commit that marks
        # it sent is the one that releases it.
        row = session.exec(
            select(table)
            .where(*conditions)
            .order_by(table.id)
            .limit(1)
            .with_for_update(skip_locked=True)
        ).first()
        if row is None:
            break
        mail.deliver(compose(row), settings=settings, name=f"{prefix}-{row.id:08d}")
        row.sent_at = now
        session.add(row)
        session.commit()
        sent += 1
    return sent
