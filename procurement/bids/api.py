"""JSON routes of bids: supplier registration, submission, withdrawal and opening."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Response, status

from core.auth.rules import member_organisation_id
from core.clock import ClockDep
from core.db import SessionDep, reads_only, stored_id
from core.types import Id
from core.web import SettingsDep
from procurement.bids import opening, receipts
from procurement.bids import queries as bid_queries
from procurement.bids import service as bidding
from procurement.bids.schemas import BidIn, BidReceipt, MyBid, SealedBidIn, SupplierIn
from procurement.dependencies import BuyerUser, LogSignerDep, SequencerDep, SupplierUser
from procurement.public import queries
from procurement.public import schemas as public

router = APIRouter(prefix="/api", tags=["procurement"])


@router.get("/suppliers/me/bids", response_model=list[MyBid])
def my_bids(supplier: SupplierUser, session: SessionDep):
    """Every bid version your company has sent, newest first (no price before the opening)."""
    return bid_queries.supplier_bids(session, organisation_id=member_organisation_id(supplier))


@router.get("/tenders/{tender_id}/bids/{bid_id}/receipt", response_model=BidReceipt)
def my_receipt(
    response: Response,
    signer: LogSignerDep,
    tender_id: Id,
    bid_id: Id,
    supplier: SupplierUser,
    session: SessionDep,
    settings: SettingsDep,
):
    """The public part of one of your receipts, proved against the newest signed checkpoint;
    the opened bid after the opening. The private part came with the submission's response."""
    response.headers["cache-control"] = "no-store"
    return receipts.stored_receipt(
        session,
        organisation_id=member_organisation_id(supplier),
        tender_id=tender_id,
        bid_id=bid_id,
        prefix=settings.ocid_prefix,
        verifier_key=signer.verifier_key if signer else None,
    )


@router.get("/tenders/{tender_id}/bids/{bid_id}/documents/{number}")
def bid_document(
    tender_id: Id, bid_id: Id, number: Id, buyer: BuyerUser, session: SessionDep
) -> Response:
    """A document of an opened bid (the tender's buyer, after the opening only)."""
    found = bid_queries.bid_document(
        session,
        organisation_id=buyer.organisation_id,
        tender_id=tender_id,
        bid_id=bid_id,
        number=number,
    )
    return Response(
        found.content,
        media_type="application/pdf",
        headers={"content-disposition": f'attachment; filename="{found.filename}"'},
    )


@router.put("/suppliers/me", status_code=status.HTTP_200_OK)
def register_supplier(
    body: SupplierIn, supplier: SupplierUser, session: SessionDep, clock: ClockDep
):
    """Register your company's details once; the contact stays private."""
    bidding.register_supplier(session, user=supplier, details=body, now=clock())
    return bid_queries.supplier_registration(
        session, organisation_id=member_organisation_id(supplier)
    ).model_dump()


@router.post(
    "/tenders/{tender_id}/bids", status_code=status.HTTP_201_CREATED, response_model=BidReceipt
)
@reads_only  # the bid is written by the sequencer
def submit_bid(
    response: Response,
    signer: LogSignerDep,
    sequencer: SequencerDep,
    tender_id: Id,
    body: BidIn | SealedBidIn,
    supplier: SupplierUser,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
):
    """Submit (or replace) a sealed bid. The receipt proves it is in the public log against a
    checkpoint signed after it, and carries, in `private`, the bid in clear and the salt that
    open its commitment: keep it, for it is given here once and stored nowhere."""
    response.headers["cache-control"] = "no-store"
    return bidding.submit_bid(
        session,
        user=supplier,
        tender_id=tender_id,
        bid=body,
        clock=clock,
        settings=settings,
        idempotency_key=idempotency_key,
        signer=signer,
        sequencer=sequencer,
    )


@router.delete("/tenders/{tender_id}/bids/mine")
def withdraw_bid(
    tender_id: Id,
    supplier: SupplierUser,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
):
    """Withdraw your bid before the deadline."""
    withdrawn = bidding.withdraw_bid(
        session, user=supplier, tender_id=tender_id, clock=clock, settings=settings
    )
    return bid_queries.withdrawn_bid(session, bid_id=stored_id(withdrawn)).model_dump()


@router.post("/tenders/{tender_id}/open", response_model=public.TenderView)
def open_bids(
    tender_id: Id, buyer: BuyerUser, session: SessionDep, clock: ClockDep, settings: SettingsDep
):
    """Open the bids now (never before the opening time; the job does it on time anyway)."""
    opening.open_tender(session, tender_id=tender_id, now=clock(), settings=settings, buyer=buyer)
    return queries.tender_view(session, tender_id=tender_id, prefix=settings.ocid_prefix)
