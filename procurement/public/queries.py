"""Public reads of procurement, returning the schemas of public.schemas."""

from __future__ import annotations

import base64
import json
from datetime import datetime

from sqlmodel import Session, col, func, select

from core.auth.models import Organisation
from core.db import stored_id
from core.i18n import gettext
from core.ledger import service as ledger
from procurement.awards.models import Award, Complaint
from procurement.bids.models import Bid, BidStatus
from procurement.bids.models import BidLot as _BidLot
from procurement.contracts.models import Contract, ContractAmendment, Milestone, Payment
from procurement.exceptions import TenderNotFound
from procurement.public.schemas import (
    AmendmentView,
    AwardView,
    ComplaintView,
    ContractAmendmentView,
    ContractView,
    DocumentView,
    ItemView,
    LogEntryView,
    LotPriceView,
    LotView,
    MilestoneView,
    OpenedBidView,
    OrgRef,
    PaymentView,
    QuestionView,
    ReserveView,
    TenderSummary,
    TenderView,
)
from procurement.publishing import ocds
from procurement.tenders.models import (
    Amendment,
    Clarification,
    Document,
    Item,
    Tender,
    TenderStatus,
)
from procurement.tenders.models import Lot as _Lot

OPENED_STATES = (TenderStatus.OPENED, TenderStatus.AWARDED, TenderStatus.CONTRACTED)


def org_ref(session: Session, organisation_id: int) -> OrgRef:
    organisation = session.get_one(Organisation, organisation_id)
    return OrgRef(
        id=stored_id(organisation),
        slug=organisation.slug,
        name=organisation.name,
        name_th=organisation.name_th,
    )


def tender_view(
    session: Session, *, tender_id: int, prefix: str, viewer_organisation_id: int | None = None
) -> TenderView:
    """Everything public about a tender (a draft only for its own buyer)."""
    tender = session.get(Tender, tender_id)
    if tender is None or (
        tender.status == TenderStatus.DRAFT and tender.buyer_id != viewer_organisation_id
    ):
        raise TenderNotFound(gettext("There is no tender %(tender)s.") % {"tender": tender_id})
    the_ocid = ocds.ocid(prefix, stored_id(tender))
    lots = list(
        session.exec(select(_Lot).where(_Lot.tender_id == tender.id).order_by(col(_Lot.position)))
    )
    lot_number = {lot.id: lot.position for lot in lots}
    lot_prices: dict[int, list[LotPriceView]] = {}
    live = session.exec(
        select(func.count())
        .select_from(Bid)
        .where(Bid.tender_id == tender.id, Bid.status == BidStatus.SEALED)
    ).one()
    opened = None
    if tender.status in OPENED_STATES:
        bids = session.exec(
            select(Bid)
            .where(
                Bid.tender_id == tender.id,
                col(Bid.status).in_([BidStatus.VALID, BidStatus.INVALID, BidStatus.DISQUALIFIED]),
            )
            .order_by(col(Bid.rank).nulls_last(), col(Bid.id))
        ).all()
        if lots:
            for row in session.exec(
                select(_BidLot)
                .where(col(_BidLot.bid_id).in_([b.id for b in bids]))
                .order_by(col(_BidLot.lot_id))
            ):
                lot_prices.setdefault(row.bid_id, []).append(
                    LotPriceView(lot=lot_number[row.lot_id], price=row.price, rank=row.rank)
                )
        opened = [
            OpenedBidView(
                id=stored_id(b),
                supplier=org_ref(session, b.supplier_id),
                status=b.status,
                price=b.price,
                currency=b.price_currency,
                rank=b.rank,
                commitment=b.commitment,
                submitted_at=b.submitted_at,
                problem=b.problem,
                reserve_picks=b.reserve_picks,
                lots=lot_prices.get(stored_id(b), []),
            )
            for b in bids
        ]
    awards = []
    for award in session.exec(
        select(Award).where(Award.tender_id == tender.id).order_by(col(Award.id))
    ):
        complaints = [
            ComplaintView(
                id=stored_id(c),
                complainant=org_ref(session, c.complainant_id),
                text=c.text,
                lodged_at=c.lodged_at,
                response=c.response,
                responded_at=c.responded_at,
            )
            for c in session.exec(select(Complaint).where(Complaint.award_id == award.id))
        ]
        awards.append(
            AwardView(
                id=stored_id(award),
                supplier=org_ref(session, award.supplier_id),
                value=award.value,
                currency=award.currency,
                status=str(award.status),
                justification=award.justification,
                decided_at=award.decided_at,
                standstill_end_at=award.standstill_end_at,
                complaints=complaints,
                lot=lot_number.get(award.lot_id),
                evaluation=json.loads(award.evaluation_json or "[]"),
            )
        )
    amendments = session.exec(
        select(Amendment).where(Amendment.tender_id == tender.id).order_by(col(Amendment.version))
    ).all()
    versions = {a.id: a.version for a in amendments}
    documents = session.exec(
        select(Document).where(Document.tender_id == tender.id).order_by(col(Document.id))
    ).all()
    contracts = [
        contract_view(session, c)
        for c in session.exec(
            select(Contract)
            .join(Award, col(Award.id) == Contract.award_id)
            .where(Award.tender_id == tender.id)
        )
    ]
    return TenderView(
        id=stored_id(tender),
        ocid=the_ocid,
        title=tender.title,
        description=tender.description,
        buyer=org_ref(session, tender.buyer_id),
        category=str(tender.category),
        method=str(tender.method),
        award_criteria=str(tender.award_criteria),
        criteria=json.loads(tender.criteria_json),
        eligibility=tender.eligibility,
        estimated_value=tender.estimated_value,
        currency=tender.currency,
        status=tender.status,
        version=tender.version,
        enquiry_end_at=tender.enquiry_end_at,
        tender_start_at=tender.tender_start_at,
        tender_end_at=tender.tender_end_at,
        opening_at=tender.opening_at,
        published_at=tender.published_at,
        opened_at=tender.opened_at,
        cancelled_at=tender.cancelled_at,
        cancel_reason=tender.cancel_reason,
        standstill_days=tender.standstill_days,
        sealing_public_key=base64.b64encode(tender.public_key).decode()
        if tender.public_key
        else None,
        reserve=ReserveView(
            base_amount=tender.reserve_base,
            range_bp=tender.reserve_range_bp,
            floor_rate_bp=tender.floor_rate_bp,
            seed_commitment=tender.reserve_seed_commitment,
            seed=tender.reserve_seed,
            reserve_price=tender.reserve_price,
        )
        if tender.reserve_base is not None and tender.reserve_range_bp is not None
        else None,
        bids_received=live,
        lots=[
            LotView(
                number=lot.position,
                title=lot.title,
                description=lot.description,
                estimated_value=lot.estimated_value,
            )
            for lot in lots
        ],
        items=[
            ItemView(
                position=i.position,
                description=i.description,
                quantity=f"{i.quantity.normalize():f}",
                unit=i.unit,
                classification=i.classification,
                lot=lot_number.get(i.lot_id),
            )
            for i in session.exec(
                select(Item).where(Item.tender_id == tender.id).order_by(col(Item.position))
            )
        ],
        documents=[
            DocumentView(
                id=stored_id(d),
                title=d.title,
                sha256=d.sha256,
                size=d.size,
                amendment_version=versions.get(d.amendment_id),
            )
            for d in documents
        ],
        questions=[
            QuestionView(
                id=stored_id(q),
                question=q.question,
                asked_at=q.asked_at,
                answer=q.answer,
                answered_at=q.answered_at,
            )
            for q in session.exec(
                select(Clarification)
                .where(Clarification.tender_id == tender.id)
                .order_by(col(Clarification.id))
            )
        ],
        amendments=[
            AmendmentView(
                version=a.version,
                rationale=a.rationale,
                changes=json.loads(a.changes_json),
                created_at=a.created_at,
                documents=[
                    DocumentView(
                        id=stored_id(d),
                        title=d.title,
                        sha256=d.sha256,
                        size=d.size,
                        amendment_version=a.version,
                    )
                    for d in documents
                    if d.amendment_id == a.id
                ],
            )
            for a in amendments
        ],
        opening=opened,
        awards=awards,
        contracts=contracts,
        log_entries=[
            LogEntryView(index=e.index, entry_type=e.entry_type, created_at=e.created_at)
            for e in ledger.entries_about(session, subject=the_ocid)
        ],
    )


def contract_view(session: Session, contract: Contract) -> ContractView:
    """A contract with its amendments, milestones and payments."""
    amendments = session.exec(
        select(ContractAmendment)
        .where(ContractAmendment.contract_id == contract.id)
        .order_by(col(ContractAmendment.id))
    )
    milestones = session.exec(
        select(Milestone).where(Milestone.contract_id == contract.id).order_by(col(Milestone.id))
    )
    payments = session.exec(
        select(Payment).where(Payment.contract_id == contract.id).order_by(col(Payment.id))
    )
    return ContractView(
        id=stored_id(contract),
        award_id=contract.award_id,
        value=contract.value,
        currency=contract.currency,
        start_date=contract.start_date.isoformat(),
        end_date=contract.end_date.isoformat(),
        signed_date=contract.signed_date.isoformat(),
        amendments=[
            ContractAmendmentView(
                id=stored_id(a),
                rationale=a.rationale,
                value_before=a.value_before,
                value_after=a.value_after,
                end_date_before=a.end_date_before.isoformat(),
                end_date_after=a.end_date_after.isoformat(),
                created_at=a.created_at,
            )
            for a in amendments
        ],
        milestones=[
            MilestoneView(
                id=stored_id(m),
                title=m.title,
                due_date=m.due_date.isoformat(),
                status=str(m.status),
                date_met=m.date_met.isoformat() if m.date_met else None,
            )
            for m in milestones
        ],
        payments=[
            PaymentView(
                id=stored_id(p),
                amount=p.amount,
                paid_date=p.paid_date.isoformat(),
                description=p.description,
            )
            for p in payments
        ],
    )


def list_tenders(
    session: Session,
    *,
    prefix: str,
    status: TenderStatus | None = None,
    buyer: str | None = None,
    after_id: int | None = None,
    limit: int = 50,
) -> list[TenderSummary]:
    """Published tenders, newest first, paged by id (keyset)."""
    query = select(Tender, Organisation).join(Organisation, col(Organisation.id) == Tender.buyer_id)
    query = query.where(Tender.status != TenderStatus.DRAFT)
    if status is not None:
        query = query.where(Tender.status == status)
    if buyer is not None:
        query = query.where(Organisation.slug == buyer)
    if after_id is not None:
        query = query.where(col(Tender.id) < after_id)
    rows = session.exec(query.order_by(col(Tender.id).desc()).limit(limit))
    return [summary(t, o, prefix) for t, o in rows]


def summary(tender: Tender, buyer: Organisation, prefix: str) -> TenderSummary:
    return TenderSummary(
        id=stored_id(tender),
        ocid=ocds.ocid(prefix, stored_id(tender)),
        title=tender.title,
        buyer=OrgRef(slug=buyer.slug, name=buyer.name, name_th=buyer.name_th),
        category=str(tender.category),
        status=tender.status,
        estimated_value=tender.estimated_value,
        currency=tender.currency,
        tender_end_at=tender.tender_end_at,
        opening_at=tender.opening_at,
        updated_at=tender.updated_at,
    )


def changes(
    session: Session, *, prefix: str, cursor: tuple[datetime, int] | None, limit: int = 100
) -> list[TenderSummary]:
    """Published tenders changed after the cursor (updated_at, id), oldest first; no OFFSET."""
    query = select(Tender, Organisation).join(Organisation, col(Organisation.id) == Tender.buyer_id)
    query = query.where(Tender.status != TenderStatus.DRAFT)
    if cursor is not None:
        at, last_id = cursor
        query = query.where(
            (col(Tender.updated_at) > at)
            | ((col(Tender.updated_at) == at) & (col(Tender.id) > last_id))
        )
    rows = session.exec(query.order_by(col(Tender.updated_at), col(Tender.id)).limit(limit))
    return [summary(t, o, prefix) for t, o in rows]
