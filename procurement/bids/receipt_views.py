"""The supplier's receipts of their bids (page, JSON, PDF) and the page that checks a
downloaded receipt in the browser."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from core.auth.dependencies import OptionalUser
from core.auth.models import User
from core.auth.rules import member_organisation_id
from core.db import SessionDep
from core.errors import InvalidInput
from core.types import Id
from procurement.bids import queries as bid_queries
from procurement.bids import receipt_check, receipts
from procurement.bids.receipts import data_url, receipt_file
from procurement.bids.schemas import BidReceipt
from procurement.dependencies import CsrfChecked, LogSignerDep, SupplierUser
from procurement.pages import pdf_response, public_view, render
from procurement.publishing import pdfs
from procurement.tenders.models import TenderStatus

router = APIRouter(include_in_schema=False)


def _stored_receipt(request: Request, session, user: User, tender_id: Id, bid_id: Id):
    signer = getattr(request.app.state, "log_signer", None)
    return receipts.stored_receipt(
        session,
        organisation_id=member_organisation_id(user),
        tender_id=tender_id,
        bid_id=bid_id,
        prefix=request.app.state.settings.ocid_prefix,
        verifier_key=signer.verifier_key if signer else None,
    )


def receipt_response(
    request: Request, session, user: User, receipt: BidReceipt, *, fresh: bool = False
) -> HTMLResponse:
    """The receipt page of a bid; fresh (the submission's own answer) carries its private part."""
    view = public_view(request, session, tender_id=receipt.tender_id, user=user)
    live = bid_queries.live_bid(
        session, organisation_id=member_organisation_id(user), tender_id=receipt.tender_id
    )
    downloads = {}
    if receipt.private is not None:  # carried by this page alone, to save
        # The JSON as a data: link; the PDF is made from that same file when asked for (see
        # `full_receipt_pdf`): laying out a PDF costs more than the whole bid, and most
        # bidders keep the file.
        file = receipt_file(receipt)
        downloads = {"json": data_url("application/json", file), "file": file.decode()}
    response = render(
        request,
        "procurement/receipt.html",
        {
            "receipt": receipt,
            "tender": view,
            "fresh": fresh,
            "downloads": downloads,
            "is_live": live is not None and live.id == receipt.bid_id,
            "can_withdraw": view.status == TenderStatus.ACTIVE
            and request.app.state.clock() < view.tender_end_at,
        },
        user=user,
    )
    response.headers["cache-control"] = "no-store"
    return response


@router.get("/tenders/{tender_id}/bids/{bid_id}", response_class=HTMLResponse)
def receipt_page(
    request: Request, session: SessionDep, user: SupplierUser, tender_id: Id, bid_id: Id
):
    """The receipt of one of the supplier's own bids (its public part; the price after the
    opening)."""
    return receipt_response(
        request, session, user, _stored_receipt(request, session, user, tender_id, bid_id)
    )


@router.get("/tenders/{tender_id}/bids/{bid_id}/receipt.json")
def receipt_json(
    request: Request, session: SessionDep, user: SupplierUser, tender_id: Id, bid_id: Id
):
    """The receipt as JSON, to keep and to check with `prongsai verify-receipt`."""
    receipt = _stored_receipt(request, session, user, tender_id, bid_id)
    return Response(
        receipt_file(receipt),
        media_type="application/json",
        headers={
            "content-disposition": f'attachment; filename="bid-{bid_id}-receipt.json"',
            "cache-control": "no-store",
        },
    )


@router.get("/tenders/{tender_id}/bids/{bid_id}/receipt.pdf")
def receipt_pdf(
    request: Request, session: SessionDep, user: SupplierUser, tender_id: Id, bid_id: Id
):
    """The receipt as a PDF."""
    receipt = _stored_receipt(request, session, user, tender_id, bid_id)
    content = pdfs.receipt(request.app.state.templates.env, receipt)
    return _download(content, f"bid-{bid_id}-receipt.pdf")


MAX_RECEIPT_CHARS = 200_000  # a receipt with a thousand documents is under 150 kB


@router.post("/receipts/pdf", dependencies=[CsrfChecked])
def full_receipt_pdf(
    request: Request,
    signer: LogSignerDep,
    receipt: Annotated[str, Form(max_length=MAX_RECEIPT_CHARS)],
):
    """The PDF of a full receipt (with its private part), made from the receipt file the
    bidder holds, once the file is checked as `prongsai verify-receipt` checks it (commitment,
    log entry, inclusion proof, and a checkpoint signed by this log's key): the server keeps
    nothing that could make it, and puts its name on no receipt it did not issue."""
    try:
        parsed = receipt_check.read(receipt)
    except receipt_check.ReceiptUnreadable as error:
        raise InvalidInput(f"This is not a bid receipt: {error}.") from None
    if parsed.private is None:
        raise InvalidInput(
            "This receipt has no private part (price and salt): its PDF is on the bid's "
            "receipt page."
        )
    findings = receipt_check.check_offline(
        parsed, verifier_key=signer.verifier_key if signer else None
    )
    failed = [finding for finding in findings if finding.holds is False]
    if failed:
        raise InvalidInput(f"This receipt does not verify: {failed[0].message}.")
    content = pdfs.receipt(request.app.state.templates.env, parsed)
    return _download(content, f"bid-{parsed.bid_id}-receipt.pdf")


def _download(content: bytes, name: str) -> Response:
    """A receipt's PDF to save, kept by no cache."""
    response = pdf_response(content, name)
    response.headers["content-disposition"] = f'attachment; filename="{name}"'
    response.headers["cache-control"] = "no-store"
    return response


@router.get("/receipts/verify", response_class=HTMLResponse)
def verifyreceipt_response(request: Request, user: OptionalUser):
    """Check a downloaded bid receipt in the browser: the file is read there, never sent."""
    return render(request, "procurement/verify_receipt.html", {}, user=user)
