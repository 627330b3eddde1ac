"""Reads for the buyer's own pages."""

from __future__ import annotations

from sqlmodel import Session, col, select

from core.auth.models import Organisation
from procurement.public.queries import summary
from procurement.public.schemas import TenderSummary
from procurement.tenders.models import Tender, TenderStatus


def buyer_tenders(
    session: Session, *, organisation_id: int, prefix: str
) -> dict[TenderStatus, list[TenderSummary]]:
    """The organisation's tenders, drafts included, grouped by status, newest first."""
    buyer = session.get(Organisation, organisation_id)
    grouped: dict[TenderStatus, list[TenderSummary]] = {status: [] for status in TenderStatus}
    rows = session.exec(
        select(Tender).where(Tender.buyer_id == organisation_id).order_by(col(Tender.id).desc())
    )
    for tender in rows:
        grouped[tender.status].append(summary(tender, buyer, prefix))
    return grouped
