"""What is happening now in procurement, for the home page and the Atom feeds.

Public reads only: tenders once published, awards once decided, organisation names; never a
sealed price, a supplier's contact details or who asked a question.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import aliased
from sqlmodel import Session, col, func, select

from core.auth.models import Organisation, OrganisationKind
from core.db import stored_id
from procurement.awards.models import Award, AwardStatus
from procurement.insights import summaries
from procurement.public.queries import summary
from procurement.public.schemas import AwardSummary, OrgRef, ProcurementFigures, TenderSummary
from procurement.publishing import ocds
from procurement.tenders.models import Tender, TenderStatus

PUBLIC_AWARDS = (AwardStatus.STANDSTILL, AwardStatus.FINAL)
_HIDDEN = (TenderStatus.DRAFT, TenderStatus.CANCELLED)


def closing_soon(
    session: Session, *, prefix: str, now: datetime, within: timedelta, limit: int = 10
) -> list[TenderSummary]:
    """Active tenders whose bidding closes between now and now + within, soonest first."""
    query = (
        select(Tender, Organisation)
        .join(Organisation, col(Organisation.id) == Tender.buyer_id)
        .where(Tender.status == TenderStatus.ACTIVE)
        .where(Tender.tender_end_at > now, Tender.tender_end_at <= now + within)
        .order_by(col(Tender.tender_end_at), col(Tender.id))
        .limit(limit)
    )
    return [summary(t, o, prefix) for t, o in session.exec(query)]


def openings_between(
    session: Session, *, prefix: str, start: datetime, end: datetime, limit: int = 20
) -> list[TenderSummary]:
    """Tenders whose public bid opening falls in [start, end), earliest first."""
    query = (
        select(Tender, Organisation)
        .join(Organisation, col(Organisation.id) == Tender.buyer_id)
        .where(col(Tender.status).not_in(_HIDDEN))
        .where(Tender.opening_at >= start, Tender.opening_at < end)
        .order_by(col(Tender.opening_at), col(Tender.id))
        .limit(limit)
    )
    return [summary(t, o, prefix) for t, o in session.exec(query)]


def recent_awards(
    session: Session,
    *,
    prefix: str,
    limit: int = 20,
    buyer_slug: str | None = None,
    supplier_id: int | None = None,
) -> list[AwardSummary]:
    """Award decisions, newest first; of one buyer or one supplier when asked."""
    buyer = aliased(Organisation)
    supplier = aliased(Organisation)
    query = (
        select(Award, Tender, buyer, supplier)
        .join(Tender, col(Tender.id) == Award.tender_id)
        .join(buyer, col(buyer.id) == Tender.buyer_id)
        .join(supplier, col(supplier.id) == Award.supplier_id)
        .where(col(Award.status).in_(PUBLIC_AWARDS))
    )
    if buyer_slug is not None:  # from the end of the buyer's own range of the awards' index
        of_buyer = select(Organisation.id).where(Organisation.slug == buyer_slug)
        query = query.where(Award.buyer_id == of_buyer.scalar_subquery())
    if supplier_id is not None:
        query = query.where(Award.supplier_id == supplier_id)
    query = query.order_by(col(Award.decided_at).desc(), col(Award.id).desc()).limit(limit)
    return [
        AwardSummary(
            id=stored_id(award),
            tender_id=stored_id(tender),
            ocid=ocds.ocid(prefix, stored_id(tender)),
            title=tender.title,
            buyer=OrgRef(slug=b.slug, name=b.name, name_th=b.name_th),
            supplier_id=stored_id(s),
            supplier_name=s.name,
            value=award.value,
            currency=award.currency,
            status=str(award.status),
            decided_at=award.decided_at,
        )
        for award, tender, b, s in session.exec(query)
    ]


def figures(session: Session, *, now: datetime) -> ProcurementFigures:
    """How many tenders are published and open, how many awards, and their total value.

    The published count and the awards come from the insights' running totals (kept by their
    refresh job), not a count over every tender; only the tenders open now are counted here,
    through the index on their deadline.
    """
    accepting = session.exec(
        select(func.count())
        .select_from(Tender)
        .where(Tender.status == TenderStatus.ACTIVE, Tender.tender_end_at > now)
    ).one()
    awards, by_currency = summaries.home_awards(session)
    return ProcurementFigures(
        published=summaries.published(session),
        accepting_bids=accepting,
        awards=awards,
        awarded_by_currency=by_currency,
    )


def organisation(
    session: Session,
    *,
    kind: OrganisationKind,
    slug: str | None = None,
    organisation_id: int | None = None,
) -> OrgRef | None:
    """A buying entity (by slug) or supplier (by id), as a public reference; None if unknown."""
    query = select(Organisation).where(Organisation.kind == kind)
    if slug is not None:
        query = query.where(Organisation.slug == slug)
    if organisation_id is not None:
        query = query.where(Organisation.id == organisation_id)
    found = session.exec(query).first()
    return (
        OrgRef(id=found.id, slug=found.slug, name=found.name, name_th=found.name_th)
        if found
        else None
    )
