"""JSON routes of procurement: tenders, bids, opening, awards, contracts."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, File, Form, Header, Query, UploadFile, status

from core.auth.models import OrganisationKind
from core.auth.queries import list_organisations
from core.auth.schemas import OrganisationPublic
from core.clock import ClockDep
from core.db import SessionDep
from core.errors import InvalidInput
from core.web import SettingsDep
from procurement import bidding, opening, queries, service
from procurement.dependencies import BuyerUser, SupplierUser
from procurement.models import TenderStatus
from procurement.schemas import (
    AmendmentIn,
    AnswerIn,
    BidIn,
    BidReceipt,
    CancelIn,
    QuestionIn,
    SealedBidIn,
    SupplierIn,
    TenderDraftIn,
)

router = APIRouter(prefix="/api", tags=["procurement"])


@router.get("/procurement/buyers", response_model=list[OrganisationPublic])
def buyers(session: SessionDep):
    """Every buying entity registered on the platform."""
    return list_organisations(session, kind=OrganisationKind.BUYING_ENTITY)


@router.get("/tenders", response_model=list[queries.TenderSummary])
def list_tenders(
    session: SessionDep,
    settings: SettingsDep,
    status_: Annotated[TenderStatus | None, Query(alias="status")] = None,
    buyer: str | None = None,
    after_id: Annotated[int | None, Query(ge=1)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
):
    """Published tenders, newest first; page with `after_id` (the last id you saw)."""
    return queries.list_tenders(
        session,
        prefix=settings.ocid_prefix,
        status=status_,
        buyer=buyer,
        after_id=after_id,
        limit=limit,
    )


@router.get("/tenders/changes")
def tender_changes(
    session: SessionDep,
    settings: SettingsDep,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
):
    """Every tender changed since the cursor, oldest change first, with the next cursor."""
    parsed = None
    if cursor:
        try:
            at, last_id = cursor.rsplit("_", 1)
            parsed = (datetime.fromisoformat(at), int(last_id))
        except ValueError:
            raise InvalidInput(
                "cursor is malformed: pass back the next_cursor you were given."
            ) from None
    rows = queries.changes(session, prefix=settings.ocid_prefix, cursor=parsed, limit=limit)
    next_cursor = f"{rows[-1].updated_at.isoformat()}_{rows[-1].id}" if rows else cursor
    return {"tenders": rows, "next_cursor": next_cursor}


@router.get("/tenders/{tender_id}", response_model=queries.TenderView)
def get_tender(tender_id: int, session: SessionDep, settings: SettingsDep):
    """Everything public about one tender; bid prices appear only after the opening."""
    return queries.tender_view(session, tender_id=tender_id, prefix=settings.ocid_prefix)


@router.post("/tenders", status_code=status.HTTP_201_CREATED, response_model=queries.TenderView)
def create_tender(
    body: TenderDraftIn,
    buyer: BuyerUser,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
):
    """Save a draft tender (not public until published)."""
    tender = service.create_draft(session, buyer=buyer, draft=body, now=clock())
    return queries.tender_view(
        session,
        tender_id=tender.id,
        prefix=settings.ocid_prefix,
        viewer_organisation_id=buyer.organisation_id,
    )


@router.post(
    "/tenders/{tender_id}/documents",
    status_code=status.HTTP_201_CREATED,
    response_model=queries.DocumentView,
)
async def add_document(
    tender_id: int,
    buyer: BuyerUser,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    title: Annotated[str, Form(min_length=1, max_length=200)],
    file: Annotated[UploadFile, File()],
):
    """Attach a PDF to a draft; its SHA-256 is published."""
    content = await file.read(settings.procurement_max_document_bytes + 1)
    document = service.add_document(
        session,
        buyer=buyer,
        tender_id=tender_id,
        title=title,
        content=content,
        now=clock(),
        settings=settings,
    )
    return queries.DocumentView(
        id=document.id, title=document.title, sha256=document.sha256, size=document.size
    )


@router.post("/tenders/{tender_id}/publish", response_model=queries.TenderView)
def publish(
    tender_id: int, buyer: BuyerUser, session: SessionDep, clock: ClockDep, settings: SettingsDep
):
    """Publish a draft: its notice, sealing key and log entry become public."""
    service.publish(session, buyer=buyer, tender_id=tender_id, now=clock(), settings=settings)
    return queries.tender_view(session, tender_id=tender_id, prefix=settings.ocid_prefix)


@router.post(
    "/tenders/{tender_id}/questions",
    status_code=status.HTTP_201_CREATED,
    response_model=queries.QuestionView,
)
def ask(
    tender_id: int, body: QuestionIn, supplier: SupplierUser, session: SessionDep, clock: ClockDep
):
    """Ask a clarification question (public once answered; the asker never is)."""
    q = service.ask_question(
        session, supplier=supplier, tender_id=tender_id, question=body.question, now=clock()
    )
    return queries.QuestionView(
        id=q.id,
        question=q.question,
        asked_at=q.asked_at,
        answer=q.answer,
        answered_at=q.answered_at,
    )


@router.post("/questions/{question_id}/answer", response_model=queries.QuestionView)
def answer(
    question_id: int,
    body: AnswerIn,
    buyer: BuyerUser,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
):
    """Answer a question; question and answer are published on the tender."""
    q = service.answer_question(
        session,
        buyer=buyer,
        clarification_id=question_id,
        answer=body.answer,
        now=clock(),
        settings=settings,
    )
    return queries.QuestionView(
        id=q.id,
        question=q.question,
        asked_at=q.asked_at,
        answer=q.answer,
        answered_at=q.answered_at,
    )


@router.post(
    "/tenders/{tender_id}/amendments",
    status_code=status.HTTP_201_CREATED,
    response_model=queries.TenderView,
)
def amend(
    tender_id: int,
    body: AmendmentIn,
    buyer: BuyerUser,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
):
    """Amend a published tender with a rationale; every version stays visible."""
    service.amend(
        session, buyer=buyer, tender_id=tender_id, amendment=body, now=clock(), settings=settings
    )
    return queries.tender_view(session, tender_id=tender_id, prefix=settings.ocid_prefix)


@router.post("/tenders/{tender_id}/cancel", response_model=queries.TenderView)
def cancel(
    tender_id: int,
    body: CancelIn,
    buyer: BuyerUser,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
):
    """Cancel the tender with a public reason."""
    service.cancel(
        session,
        buyer=buyer,
        tender_id=tender_id,
        reason=body.reason,
        now=clock(),
        settings=settings,
    )
    return queries.tender_view(
        session,
        tender_id=tender_id,
        prefix=settings.ocid_prefix,
        viewer_organisation_id=buyer.organisation_id,
    )


@router.put("/suppliers/me", status_code=status.HTTP_200_OK)
def register_supplier(
    body: SupplierIn, supplier: SupplierUser, session: SessionDep, clock: ClockDep
):
    """Register your company's details once; the contact stays private."""
    row = bidding.register_supplier(session, user=supplier, details=body, now=clock())
    return {"organisation_id": row.organisation_id, "registered_at": row.registered_at}


@router.post(
    "/tenders/{tender_id}/bids", status_code=status.HTTP_201_CREATED, response_model=BidReceipt
)
def submit_bid(
    tender_id: int,
    body: BidIn | SealedBidIn,
    supplier: SupplierUser,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
):
    """Submit (or replace) a sealed bid; the receipt proves it is in the public log."""
    return bidding.submit_bid(
        session,
        user=supplier,
        tender_id=tender_id,
        bid=body,
        clock=clock,
        settings=settings,
        idempotency_key=idempotency_key,
    )


@router.delete("/tenders/{tender_id}/bids/mine")
def withdraw_bid(
    tender_id: int,
    supplier: SupplierUser,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
):
    """Withdraw your bid before the deadline."""
    bid = bidding.withdraw_bid(
        session, user=supplier, tender_id=tender_id, clock=clock, settings=settings
    )
    return {"bid_id": bid.id, "status": bid.status, "withdrawn_at": bid.withdrawn_at}


@router.post("/tenders/{tender_id}/open", response_model=queries.TenderView)
def open_bids(
    tender_id: int, buyer: BuyerUser, session: SessionDep, clock: ClockDep, settings: SettingsDep
):
    """Open the bids now (never before the opening time; the job does it on time anyway)."""
    opening.open_tender(session, tender_id=tender_id, now=clock(), settings=settings, buyer=buyer)
    return queries.tender_view(session, tender_id=tender_id, prefix=settings.ocid_prefix)
