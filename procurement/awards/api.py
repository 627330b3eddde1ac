"""JSON routes of awards: disqualification, award, complaints and finalisation."""

from __future__ import annotations

from fastapi import APIRouter, status

from core.clock import ClockDep
from core.db import SessionDep, stored_id
from core.types import Id
from core.web import SettingsDep
from procurement.awards import queries as award_queries
from procurement.awards import service as awarding
from procurement.awards.schemas import AwardIn, ComplaintAnswerIn, ComplaintIn, DisqualifyIn
from procurement.dependencies import BuyerUser, SupplierUser
from procurement.public import queries
from procurement.public import schemas as public

router = APIRouter(prefix="/api", tags=["procurement: awards and contracts"])


@router.post("/bids/{bid_id}/disqualify")
def disqualify(
    bid_id: Id,
    body: DisqualifyIn,
    buyer: BuyerUser,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
):
    """Disqualify an opened bid, with a public reason."""
    awarding.disqualify(
        session, buyer=buyer, bid_id=bid_id, reason=body.reason, now=clock(), settings=settings
    )
    return award_queries.disqualified_bid(session, bid_id=bid_id).model_dump()


@router.post(
    "/tenders/{tender_id}/award",
    status_code=status.HTTP_201_CREATED,
    response_model=public.TenderView,
)
def award(
    tender_id: Id,
    body: AwardIn,
    buyer: BuyerUser,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
):
    """Decide the award; the standstill period starts."""
    awarding.award(
        session, buyer=buyer, tender_id=tender_id, decision=body, now=clock(), settings=settings
    )
    return queries.tender_view(session, tender_id=tender_id, prefix=settings.ocid_prefix)


@router.post(
    "/awards/{award_id}/complaints",
    status_code=status.HTTP_201_CREATED,
    response_model=public.ComplaintView,
)
def complain(
    award_id: Id,
    body: ComplaintIn,
    supplier: SupplierUser,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
):
    """Lodge a public complaint during the standstill period."""
    complaint = awarding.lodge_complaint(
        session,
        supplier=supplier,
        award_id=award_id,
        text=body.text,
        now=clock(),
        settings=settings,
    )
    return award_queries.complaint_view(session, complaint_id=stored_id(complaint))


@router.post("/complaints/{complaint_id}/answer", response_model=public.ComplaintView)
def answer_complaint(
    complaint_id: Id,
    body: ComplaintAnswerIn,
    buyer: BuyerUser,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
):
    """Answer a complaint (required before the award becomes final)."""
    awarding.answer_complaint(
        session,
        buyer=buyer,
        complaint_id=complaint_id,
        response=body.response,
        now=clock(),
        settings=settings,
    )
    return award_queries.complaint_view(session, complaint_id=complaint_id)


@router.post("/awards/{award_id}/finalise")
def finalise(
    award_id: Id, buyer: BuyerUser, session: SessionDep, clock: ClockDep, settings: SettingsDep
):
    """Make the award final once the standstill is over and complaints are answered."""
    awarding.finalise_award_as_buyer(
        session, buyer=buyer, award_id=award_id, now=clock(), settings=settings
    )
    return award_queries.award_state(session, award_id=award_id).model_dump()
