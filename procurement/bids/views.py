"""The supplier's pages: registration, the bid form, withdrawal; the buyer's opening (the
receipts' pages are in receipt_views.py)."""

from __future__ import annotations

import base64
import secrets
from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from core import forms
from core.auth import queries as auth_queries
from core.auth.models import User
from core.auth.rules import member_organisation_id
from core.db import SessionDep, reads_only
from core.errors import DomainError
from core.i18n import gettext
from core.types import Id
from procurement.bids import opening, receipt_views
from procurement.bids import queries as bid_queries
from procurement.bids import service as bidding
from procurement.bids.schemas import (
    BidDocumentIn,
    BidIn,
    LotPriceIn,
    PriceIn,
    SupplierIn,
)
from procurement.dependencies import (
    BuyerUser,
    CsrfChecked,
    LogSignerDep,
    SequencerDep,
    SupplierUser,
)
from procurement.pages import (
    minor_units,
    pdf_response,
    public_view,
    render,
    run_step,
)

router = APIRouter(include_in_schema=False)


@router.post("/buyer/tenders/{tender_id}/open", dependencies=[CsrfChecked])
def open_bids(request: Request, session: SessionDep, user: BuyerUser, tender_id: Id):
    """Open the sealed bids: allowed only at or after the opening time."""
    return run_step(
        request,
        session,
        user,
        tender_id,
        "open",
        lambda: opening.open_tender(
            session,
            tender_id=tender_id,
            now=request.app.state.clock(),
            settings=request.app.state.settings,
            buyer=user,
        ),
    )


def _registration_labels() -> dict[str, str]:
    """The company-details form's fields as their labels name them (the error summary's)."""
    return {
        "address": gettext("Registered address"),
        "contact_name": gettext("Contact person"),
        "contact_email": gettext("Contact email"),
        "contact_phone": gettext("Contact phone"),
    }


def _dashboard(
    request: Request,
    session,
    user: User,
    *,
    errors: forms.FormErrors | None = None,
    values=None,
    status_code=200,
    saved=False,
) -> HTMLResponse:
    registered = bid_queries.registration(session, organisation_id=member_organisation_id(user))
    return render(
        request,
        "procurement/supplier.html",
        {
            "registration": registered,
            "company": auth_queries.organisation_status(
                session, organisation_id=user.organisation_id
            ),
            "values": values or (registered.model_dump() if registered else {}),
            "bids": bid_queries.supplier_bids(
                session, organisation_id=member_organisation_id(user)
            ),
            "errors": errors,
            "labels": _registration_labels(),
            "saved": saved,
        },
        user=user,
        status_code=status_code,
    )


@router.get("/supplier", response_class=HTMLResponse)
def supplier_home(request: Request, session: SessionDep, user: SupplierUser, saved: bool = False):
    """The supplier's dashboard: registration and every bid sent."""
    return _dashboard(request, session, user, saved=saved)


@router.post("/supplier/registration", dependencies=[CsrfChecked])
def register(
    request: Request,
    session: SessionDep,
    user: SupplierUser,
    address: Annotated[str, Form()] = "",
    contact_name: Annotated[str, Form()] = "",
    contact_email: Annotated[str, Form()] = "",
    contact_phone: Annotated[str, Form()] = "",
):
    """Register (or update) the company's details, needed once before bidding."""
    values = {
        "address": address.strip(),
        "contact_name": contact_name.strip(),
        "contact_email": contact_email.strip(),
        "contact_phone": contact_phone.strip(),
    }
    try:
        details = SupplierIn(**values)
    except ValidationError as error:
        errors = forms.from_validation(error, known=values, labels=_registration_labels())
        return _dashboard(request, session, user, errors=errors, values=values, status_code=422)
    bidding.register_supplier(session, user=user, details=details, now=request.app.state.clock())
    return RedirectResponse("/supplier?saved=1", status_code=303)


def _bid_form(
    request: Request,
    session,
    user: User,
    tender_id: Id,
    *,
    errors: forms.FormErrors | None = None,
    values: dict | None = None,
    status_code=200,
) -> HTMLResponse:
    view = public_view(request, session, tender_id=tender_id, user=user)
    response = render(
        request,
        "procurement/bid_form.html",
        {
            "tender": view,
            "now": request.app.state.clock(),
            "registered": bid_queries.registration(
                session, organisation_id=member_organisation_id(user)
            )
            is not None,
            "live": bid_queries.live_bid(
                session, organisation_id=member_organisation_id(user), tender_id=tender_id
            ),
            "idempotency_key": secrets.token_urlsafe(18),
            "errors": errors,
            "values": values or {},
        },
        user=user,
        status_code=status_code,
    )
    # A refused bid's page carries the prices typed, for the bidder alone, as the receipt does.
    response.headers["cache-control"] = "no-store"
    return response


@router.get("/tenders/{tender_id}/bid", response_class=HTMLResponse)
def bid_form(request: Request, session: SessionDep, user: SupplierUser, tender_id: Id):
    """The sealed-bid form."""
    return _bid_form(request, session, user, tender_id)


async def _documents(uploads: list[UploadFile] | None) -> list[BidDocumentIn]:
    documents = []
    for upload in uploads or []:
        if not upload.filename:
            continue  # the browser sends an empty part when no file was chosen
        content = await upload.read()
        if not content:
            continue
        documents.append(
            BidDocumentIn(
                title=upload.filename[:200], content_base64=base64.b64encode(content).decode()
            )
        )
    return documents


@router.post("/tenders/{tender_id}/bid", dependencies=[CsrfChecked])
@reads_only  # the bid is written by the sequencer
async def submit_bid(
    request: Request,
    session: SessionDep,
    user: SupplierUser,
    signer: LogSignerDep,
    sequencer: SequencerDep,
    tender_id: Id,
    price: Annotated[str, Form()] = "",
    declaration: Annotated[str, Form()] = "",
    reserve_picks: Annotated[list[int] | None, Form()] = None,
    idempotency_key: Annotated[str, Form(max_length=200)] = "",
    documents: Annotated[list[UploadFile] | None, File()] = None,
):
    """Seal and submit a bid; the receipt page follows. A refused bid shows why, unsaved,
    with what was typed (prices, picks, the declaration; files must be chosen again)."""
    view = public_view(request, session, tender_id=tender_id, user=user)
    form = await request.form()
    values: dict[str, str | list[str]] = {
        key: str(form.get(key, ""))
        for key in form
        if key not in ("documents", "csrf_token", "reserve_picks")
    }
    values["reserve_picks"] = [str(p) for p in reserve_picks or []]
    check = forms.Checker()
    lot_prices = _lot_prices(form, view, check)
    if view.lots:
        amount: int | None = sum(p.amount for p in lot_prices)
    else:
        amount = check.read("price", minor_units, price, field="price")
        if amount is not None and amount <= 0:
            check.add("price", gettext("Enter the total price of your bid, above zero."))
    if not declaration:
        check.add("declaration", gettext("Tick the declaration to submit a bid."))
    if view.reserve and len(set(reserve_picks or [])) != 2:
        check.add("reserve-picks", gettext("Pick two of the fifteen numbers."))
    names = {"reserve_picks": "reserve-picks", "declaration": "declaration"}
    try:
        if check.errors:
            raise forms.Invalid(check.errors)
        bid = BidIn(
            price=PriceIn(amount=amount or 0, currency=view.currency),
            lot_prices=lot_prices,
            documents=await _documents(documents),
            declaration=bool(declaration),
            reserve_picks=reserve_picks or [],
        )
        # Off the event loop: the request waits for its batch to commit.
        receipt = await run_in_threadpool(
            bidding.submit_bid,
            session,
            user=user,
            tender_id=tender_id,
            bid=bid,
            clock=request.app.state.clock,
            settings=request.app.state.settings,
            idempotency_key=idempotency_key or None,
            signer=signer,
            sequencer=sequencer,
        )
    except (ValidationError, DomainError) as error:
        session.rollback()
        errors = forms.from_error(error, known=names.values(), names=names)
        order = [f"lot-price-{lot.number}" for lot in view.lots]
        return _bid_form(
            request,
            session,
            user,
            tender_id,
            errors=errors.ordered([*order, "price", "reserve-picks", "documents", "declaration"]),
            values=values,
            status_code=error.status_code if isinstance(error, DomainError) else 422,
        )
    # The receipt is this response, not a redirect: its private part (the price and the salt)
    # reaches the bidder's browser here, once, and no later page can show it again.
    return receipt_views.receipt_response(request, session, user, receipt, fresh=True)


def _lot_prices(form, view, check: forms.Checker) -> list[LotPriceIn]:
    """The lot prices typed (lots left empty are not bid on); at least one on a lotted tender."""
    prices = []
    for lot in view.lots:
        control = f"lot-price-{lot.number}"
        typed = str(form.get(f"lot_price_{lot.number}", "")).strip()
        if typed:
            amount = check.read(control, minor_units, typed, field=control)
            if amount is not None and amount <= 0:
                check.add(
                    control,
                    gettext("Enter a price above zero, or leave it empty to not bid on this lot."),
                )
            elif amount is not None:
                prices.append(LotPriceIn(lot=lot.number, amount=amount))
    if view.lots and not prices and not check.errors:
        check.add(
            f"lot-price-{view.lots[0].number}",
            gettext("Enter a price for at least one lot."),
        )
    return prices


@router.post("/tenders/{tender_id}/bid/withdraw", dependencies=[CsrfChecked])
def withdraw(request: Request, session: SessionDep, user: SupplierUser, tender_id: Id):
    """Withdraw the supplier's live bid before the deadline."""
    try:
        bidding.withdraw_bid(
            session,
            user=user,
            tender_id=tender_id,
            clock=request.app.state.clock,
            settings=request.app.state.settings,
        )
    except DomainError as error:
        return _bid_form(
            request,
            session,
            user,
            tender_id,
            errors=forms.from_domain(error),
            status_code=error.status_code,
        )
    return RedirectResponse("/supplier", status_code=303)


@router.get("/buyer/tenders/{tender_id}/bids/{bid_id}/documents/{number}")
def bid_document(session: SessionDep, user: BuyerUser, tender_id: Id, bid_id: Id, number: Id):
    """A document of an opened bid, for the tender's buyer (after the opening only)."""
    found = bid_queries.bid_document(
        session,
        organisation_id=user.organisation_id,
        tender_id=tender_id,
        bid_id=bid_id,
        number=number,
    )
    response = pdf_response(found.content, found.filename)
    response.headers["content-disposition"] = f'attachment; filename="{found.filename}"'
    return response
