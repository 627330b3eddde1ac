"""The seam to the transparency log and the outbox: every public change is recorded here."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session

from core import bulk, events
from core.auth.models import Organisation
from core.db import stored_id
from core.ledger import service as ledger
from core.settings import Settings
from procurement.publishing import ocds, releases
from procurement.publishing.models import Notification
from procurement.tenders.models import (
    Tender,
)


def record(
    session: Session,
    tender: Tender,
    *,
    entry_type: str,
    payload: dict[str, Any],
    tags: list[str],
    now: datetime,
    settings: Settings,
) -> dict[str, Any]:
    """Log the public fact, publish its OCDS release and event: all in the caller's transaction."""
    tender.updated_at = now
    session.add(tender)
    session.flush()
    the_ocid = ocds.ocid(settings.ocid_prefix, stored_id(tender))
    release = releases.build_release(
        session,
        tender,
        tags=tags,
        now=now,
        prefix=settings.ocid_prefix,
        base_url=str(settings.public_base_url).rstrip("/"),
    )
    releases.store_release(session, tender, release)
    entry = ledger.append(
        session,
        entry_type=entry_type,
        payload={"ocid": the_ocid, **payload},
        now=now,
        subject=the_ocid,
    )
    events.publish(
        session,
        name=entry_type,
        payload={"ocid": the_ocid, "tender_id": tender.id, "log_index": entry.index},
        now=now,
        subject=the_ocid,
    )
    return release


def notify(session: Session, *, organisation_id: int, subject: str, body: str, now: datetime):
    """Queue a notification to an organisation (sent by the outbox)."""
    session.add(
        Notification(organisation_id=organisation_id, subject=subject, body=body, created_at=now)
    )


def notify_each(session: Session, *, messages: list[tuple[int, str, str]], now: datetime) -> None:
    """Queue one notification per (organisation, subject, body), as one bulk INSERT (an
    opening notifies every bidder: thousands)."""
    created_at = bulk.stored(session, Notification.__table__.c.created_at, now)  # type: ignore[attr-defined]
    bulk.insert_rows(
        session,
        "procurement_notification",
        ("organisation_id", "subject", "body", "created_at"),
        [(o, subject, body, created_at) for o, subject, body in messages],
    )


def organisation_slug(session: Session, organisation_id: int) -> str:
    """The public identifier of an organisation (its slug)."""
    return session.get_one(Organisation, organisation_id).slug
