"""JSON routes after the opening: disqualification, award, complaints, contract, payments."""

from __future__ import annotations

from fastapi import APIRouter, status

from core.clock import ClockDep
from core.db import SessionDep
from core.web import SettingsDep
from procurement import awarding, implementation, queries
from procurement.dependencies import BuyerUser, SupplierUser
from procurement.models import Contract
from procurement.schemas import (
    AwardIn,
    ComplaintAnswerIn,
    ComplaintIn,
    ContractAmendmentIn,
    ContractIn,
    DisqualifyIn,
    MilestoneDoneIn,
    MilestoneIn,
    PaymentIn,
)

router = APIRouter(prefix="/api", tags=["procurement: awards and contracts"])


@router.post("/bids/{bid_id}/disqualify")
def disqualify(
    bid_id: int,
    body: DisqualifyIn,
    buyer: BuyerUser,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
):
    """Disqualify an opened bid, with a public reason."""
    bid = awarding.disqualify(
        session, buyer=buyer, bid_id=bid_id, reason=body.reason, now=clock(), settings=settings
    )
    return {"bid_id": bid.id, "status": bid.status, "reason": bid.problem}


@router.post(
    "/tenders/{tender_id}/award",
    status_code=status.HTTP_201_CREATED,
    response_model=queries.TenderView,
)
def award(
    tender_id: int,
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
    response_model=queries.ComplaintView,
)
def complain(
    award_id: int,
    body: ComplaintIn,
    supplier: SupplierUser,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
):
    """Lodge a public complaint during the standstill period."""
    c = awarding.lodge_complaint(
        session,
        supplier=supplier,
        award_id=award_id,
        text=body.text,
        now=clock(),
        settings=settings,
    )
    return _complaint(session, c)


def _complaint(session, c) -> queries.ComplaintView:
    return queries.ComplaintView(
        id=c.id,
        complainant=queries.org_ref(session, c.complainant_id),
        text=c.text,
        lodged_at=c.lodged_at,
        response=c.response,
        responded_at=c.responded_at,
    )


@router.post("/complaints/{complaint_id}/answer", response_model=queries.ComplaintView)
def answer_complaint(
    complaint_id: int,
    body: ComplaintAnswerIn,
    buyer: BuyerUser,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
):
    """Answer a complaint (required before the award becomes final)."""
    c = awarding.answer_complaint(
        session,
        buyer=buyer,
        complaint_id=complaint_id,
        response=body.response,
        now=clock(),
        settings=settings,
    )
    return _complaint(session, c)


@router.post("/awards/{award_id}/finalise")
def finalise(
    award_id: int, buyer: BuyerUser, session: SessionDep, clock: ClockDep, settings: SettingsDep
):
    """Make the award final once the standstill is over and complaints are answered."""
    row = awarding.finalise_award(session, award_id=award_id, now=clock(), settings=settings)
    return {"award_id": row.id, "status": row.status}


@router.post(
    "/awards/{award_id}/contract",
    status_code=status.HTTP_201_CREATED,
    response_model=queries.ContractView,
)
def contract(
    award_id: int,
    body: ContractIn,
    buyer: BuyerUser,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
):
    """Record the signed contract of a final award."""
    c = awarding.sign_contract(
        session, buyer=buyer, award_id=award_id, contract=body, now=clock(), settings=settings
    )
    return queries.contract_view(session, c)


@router.post(
    "/contracts/{contract_id}/amendments",
    status_code=status.HTTP_201_CREATED,
    response_model=queries.ContractView,
)
def amend_contract(
    contract_id: int,
    body: ContractAmendmentIn,
    buyer: BuyerUser,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
):
    """Amend a contract's value or end date, with a public rationale."""
    implementation.amend_contract(
        session,
        buyer=buyer,
        contract_id=contract_id,
        amendment=body,
        now=clock(),
        settings=settings,
    )
    return queries.contract_view(session, session.get(Contract, contract_id))


@router.post(
    "/contracts/{contract_id}/milestones",
    status_code=status.HTTP_201_CREATED,
    response_model=queries.ContractView,
)
def add_milestone(
    contract_id: int,
    body: MilestoneIn,
    buyer: BuyerUser,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
):
    """Plan a delivery milestone."""
    implementation.add_milestone(
        session,
        buyer=buyer,
        contract_id=contract_id,
        milestone=body,
        now=clock(),
        settings=settings,
    )
    return queries.contract_view(session, session.get(Contract, contract_id))


@router.post("/milestones/{milestone_id}/done", response_model=queries.MilestoneView)
def complete_milestone(
    milestone_id: int,
    body: MilestoneDoneIn,
    buyer: BuyerUser,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
):
    """Record a milestone as met (today) or not met."""
    m = implementation.complete_milestone(
        session,
        buyer=buyer,
        milestone_id=milestone_id,
        met=body.met,
        on=clock(),
        now=clock(),
        settings=settings,
    )
    return queries.MilestoneView(
        id=m.id,
        title=m.title,
        due_date=m.due_date.isoformat(),
        status=str(m.status),
        date_met=m.date_met.isoformat() if m.date_met else None,
    )


@router.post(
    "/contracts/{contract_id}/payments",
    status_code=status.HTTP_201_CREATED,
    response_model=queries.ContractView,
)
def record_payment(
    contract_id: int,
    body: PaymentIn,
    buyer: BuyerUser,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
):
    """Publish a payment made under the contract."""
    implementation.record_payment(
        session, buyer=buyer, contract_id=contract_id, payment=body, now=clock(), settings=settings
    )
    return queries.contract_view(session, session.get(Contract, contract_id))
