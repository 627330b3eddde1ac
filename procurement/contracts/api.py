"""JSON routes of contracts: signature, amendments, milestones and payments."""

from __future__ import annotations

from fastapi import APIRouter, status

from core.clock import ClockDep
from core.db import SessionDep, stored_id
from core.types import Id
from core.web import SettingsDep
from procurement.awards import service as awarding
from procurement.contracts import queries as contract_queries
from procurement.contracts import service as implementation
from procurement.contracts.schemas import (
    ContractAmendmentIn,
    ContractIn,
    MilestoneDoneIn,
    MilestoneIn,
    PaymentIn,
)
from procurement.dependencies import BuyerUser
from procurement.public import schemas as public

router = APIRouter(prefix="/api", tags=["procurement: awards and contracts"])


@router.post(
    "/awards/{award_id}/contract",
    status_code=status.HTTP_201_CREATED,
    response_model=public.ContractView,
)
def contract(
    award_id: Id,
    body: ContractIn,
    buyer: BuyerUser,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
):
    """Record the signed contract of a final award."""
    signed = awarding.sign_contract(
        session, buyer=buyer, award_id=award_id, contract=body, now=clock(), settings=settings
    )
    return contract_queries.contract_view(session, contract_id=stored_id(signed))


@router.post(
    "/contracts/{contract_id}/amendments",
    status_code=status.HTTP_201_CREATED,
    response_model=public.ContractView,
)
def amend_contract(
    contract_id: Id,
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
    return contract_queries.contract_view(session, contract_id=contract_id)


@router.post(
    "/contracts/{contract_id}/milestones",
    status_code=status.HTTP_201_CREATED,
    response_model=public.ContractView,
)
def add_milestone(
    contract_id: Id,
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
    return contract_queries.contract_view(session, contract_id=contract_id)


@router.post("/milestones/{milestone_id}/done", response_model=public.MilestoneView)
def complete_milestone(
    milestone_id: Id,
    body: MilestoneDoneIn,
    buyer: BuyerUser,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
):
    """Record a milestone as met (today) or not met."""
    implementation.complete_milestone(
        session,
        buyer=buyer,
        milestone_id=milestone_id,
        met=body.met,
        on=clock(),
        now=clock(),
        settings=settings,
    )
    return contract_queries.milestone_view(session, milestone_id=milestone_id)


@router.post(
    "/contracts/{contract_id}/payments",
    status_code=status.HTTP_201_CREATED,
    response_model=public.ContractView,
)
def record_payment(
    contract_id: Id,
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
    return contract_queries.contract_view(session, contract_id=contract_id)
