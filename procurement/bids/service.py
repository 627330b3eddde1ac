"""Use cases of sealed bids: register, submit, replace, withdraw, and the public opening."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import replace
from datetime import datetime

from sqlmodel import Session, col, func, select

from core.auth import onboarding
from core.auth.models import Organisation, OrganisationStatus, User
from core.auth.rules import member_organisation_id
from core.auth.schemas import OrganisationIn
from core.clock import Clock
from core.db import stored_id
from core.errors import DomainError
from core.i18n import current_locale, gettext, localized
from core.ledger import service as ledger
from core.ledger.keys import LogSigner
from core.settings import Settings
from procurement.bids import idempotency, receipts, recording, sealing
from procurement.bids import rules as bid_rules
from procurement.bids.content import bid_document
from procurement.bids.models import Bid, BidStatus, Supplier
from procurement.bids.recording import SealedBid, check_open
from procurement.bids.schemas import BidIn, BidReceipt, ReceiptPrivate, SealedBidIn, SupplierIn
from procurement.bids.sequencer import Sequencer
from procurement.exceptions import (
    InvalidBid,
    NotInvited,
    SupplierNotApproved,
    SupplierNotRegistered,
    TenderClosed,
)
from procurement.publishing import ocds
from procurement.publishing.service import organisation_slug
from procurement.tenders.models import Item, Method, Tender
from procurement.tenders.service import get_tender, tender_lots

LIVE = (BidStatus.SEALED,)


def register_supplier(
    session: Session, *, user: User, details: SupplierIn, now: datetime
) -> Supplier:
    """Register (or update) the supplier company's details, once for every bid."""
    supplier = session.get(Supplier, user.organisation_id)
    if supplier is None:
        supplier = Supplier(
            organisation_id=member_organisation_id(user), registered_at=now, **details.model_dump()
        )
    else:
        for field, value in details.model_dump().items():
            setattr(supplier, field, value)
    session.add(supplier)
    session.commit()
    session.refresh(supplier)
    return supplier


@onboarding.on_supplier_registered
def store_registered_details(
    session: Session, organisation_id: int, company: OrganisationIn, email: str, now: datetime
) -> None:
    """Keep a self-registered company's private details, in its registration's transaction."""
    session.add(
        Supplier(
            organisation_id=organisation_id,
            address=company.address,
            contact_name=company.contact_name,
            contact_email=email,
            contact_phone=company.contact_phone,
            registered_at=now,
        )
    )


def submit_bid(
    session: Session,
    *,
    user: User,
    tender_id: int,
    bid: BidIn | SealedBidIn,
    clock: Clock,
    settings: Settings,
    idempotency_key: str | None = None,
    signer: LogSigner | None = None,
    sequencer: Sequencer | None = None,
) -> BidReceipt:
    """Seal and record a bid (the newest version from a supplier counts) and return a receipt:
    with a checkpoint signed over it when a signer is given, and its private part (the bid in
    clear and the salt) for the bidder alone, which is nowhere kept.

    The bid is sealed here, in the caller's thread and outside every lock; it is recorded by the
    process's `sequencer` with the other bids waiting (one commit for the lot), or, without
    one, at once in `session`. With a sequencer, `session` only reads."""
    company, registered = session.exec(
        select(Organisation, Supplier.organisation_id)
        .outerjoin(Supplier, col(Supplier.organisation_id) == col(Organisation.id))
        .where(Organisation.id == user.organisation_id)
    ).first() or (None, None)
    if company is None or company.status != OrganisationStatus.ACTIVE:
        status = company.status if company else "unknown"
        message = gettext(
            "Your company's registration is %(status)s: it can bid once an administrator has "
            "approved it."
        ) % {"status": status}
        if company and company.status_reason:
            message += " " + gettext("Reason given: %(reason)s") % {"reason": company.status_reason}
        raise SupplierNotApproved(message)
    if registered is None:
        raise SupplierNotRegistered(
            gettext("Register your company's details (address and contact) before bidding.")
        )
    supplier_id = member_organisation_id(user)
    key = digest = None
    if idempotency_key:
        target = idempotency.bid_target(tender_id)
        key = idempotency.key_digest(idempotency_key)
        digest = idempotency.request_hash(
            settings, key=idempotency_key, target=target, body=bid.model_dump_json().encode()
        )
        done = idempotency.finished(
            session,
            supplier_id=supplier_id,
            target=target,
            key=key,
            request_hash=digest,
            now=clock(),
        )
        if done is not None:  # a repeat: its private part went out with the first response
            return _receipt(session, bid_id=done, settings=settings, signer=signer)
    sealed, private, heading = seal_bid(
        session, user=user, tender_id=tender_id, bid=bid, settings=settings
    )
    sealed = replace(sealed, key=key, request_hash=digest, locale=current_locale())
    if sequencer is None:
        outcome = recording.record(
            session, [sealed], clock=clock, settings=settings, signer=signer
        )[0]
        if isinstance(outcome, DomainError):
            raise outcome
    else:
        # This request's reads end here: the sequencer writes, and the receipt must see it.
        session.rollback()
        outcome = sequencer.submit(sealed)
    if outcome.proof is None:  # a repeat of a request in flight: the receipt is in the tables
        return _receipt(session, bid_id=outcome.bid_id, settings=settings, signer=signer)
    return receipts.recorded_receipt(
        heading=heading,
        bid_id=outcome.bid_id,
        commitment=sealed.commitment,
        proof=outcome.proof,
        verifier_key=signer.verifier_key if signer else None,
        private=private,
    )


def seal_bid(
    session: Session, *, user: User, tender_id: int, bid: BidIn | SealedBidIn, settings: Settings
) -> tuple[SealedBid, ReceiptPrivate | None, receipts.Heading]:
    """The bid checked against its tender and sealed to the tender's key (a client-sealed bid
    as it came): the slow part, which needs no lock. With it, the bidder's private part (None
    for a client-sealed bid) and what its receipt will name."""
    tender = get_tender(session, tender_id=tender_id)
    the_ocid = ocds.ocid(settings.ocid_prefix, stored_id(tender))
    _check_invited(session, tender, user)
    if tender.public_key is None:
        raise TenderClosed(gettext("Tender %(tender)s is not published.") % {"tender": tender_id})
    private: ReceiptPrivate | None = None
    if isinstance(bid, SealedBidIn):
        try:
            ciphertext = base64.b64decode(bid.ciphertext_base64, validate=True)
        except (binascii.Error, ValueError):
            raise InvalidBid(gettext("ciphertext_base64 is not valid base64.")) from None
        commitment, by_client = bid.commitment, True
    else:
        _check_picks(tender, bid.reserve_picks)
        _check_lot_prices(session, tender, bid)
        _check_item_prices(session, tender, bid)
        clear = bid_document(
            bid,
            currency=tender.currency,
            max_document_bytes=settings.procurement_max_document_bytes,
        )
        salt = sealing.new_salt()
        ciphertext, commitment = sealing.seal(tender.public_key, clear, ocid=the_ocid, salt=salt)
        # The bidder's only copy: it leaves in this response and is kept nowhere.
        private = receipts.private_part(sealing.committed_form(clear), salt)
        by_client = False
    company = session.get_one(Organisation, member_organisation_id(user))
    sealed = SealedBid(
        tender_id=stored_id(tender),
        supplier_id=stored_id(company),
        supplier_slug=company.slug,
        ciphertext=ciphertext,
        commitment=commitment,
        by_client=by_client,
    )
    heading = receipts.Heading(
        ocid=the_ocid,
        tender_id=stored_id(tender),
        tender_title=tender.title,
        supplier=company.slug,
        supplier_name=company.name,
        supplier_name_th=company.name_th,
    )
    return sealed, private, heading


def _receipt(
    session: Session, *, bid_id: int, settings: Settings, signer: LogSigner | None
) -> BidReceipt:
    """The receipt of a repeated request, from the tables: its private part went out with the
    first response only."""
    bid = session.get_one(Bid, bid_id)  # the key's bid_id references the bid
    return receipts.stored_receipt(
        session,
        organisation_id=bid.supplier_id,
        tender_id=bid.tender_id,
        bid_id=bid_id,
        prefix=settings.ocid_prefix,
        verifier_key=signer.verifier_key if signer else None,
    )


def _check_invited(session: Session, tender: Tender, user: User) -> None:
    if tender.method != Method.SELECTIVE:
        return
    if organisation_slug(session, member_organisation_id(user)) not in json.loads(
        tender.invited_json
    ):
        raise NotInvited(gettext("This is a selective tender: only the invited suppliers may bid."))


def withdraw_bid(
    session: Session, *, user: User, tender_id: int, clock: Clock, settings: Settings
) -> Bid:
    """Withdraw the supplier's live bid before the deadline (its commitment stays in the log)."""
    tender = get_tender(session, tender_id=tender_id, for_update=True)
    now = clock()
    check_open(tender, now, settings)
    bid = session.exec(
        select(Bid).where(
            Bid.tender_id == tender.id,
            Bid.supplier_id == user.organisation_id,
            Bid.status == BidStatus.SEALED,
        )
    ).first()
    if bid is None:
        raise TenderClosed(gettext("You have no live bid on this tender to withdraw."))
    bid.status, bid.withdrawn_at = BidStatus.WITHDRAWN, now
    session.add(bid)
    the_ocid = ocds.ocid(settings.ocid_prefix, stored_id(tender))
    ledger.append(
        session,
        entry_type="procurement.bid.withdrawn",
        payload={
            "ocid": the_ocid,
            "supplier": organisation_slug(session, bid.supplier_id),
            "version": bid.version,
            "commitment": bid.commitment,
        },
        now=now,
        subject=the_ocid,
    )
    session.commit()
    session.refresh(bid)
    return bid


def _check_lot_prices(session: Session, tender: Tender, bid: BidIn) -> None:
    problem = bid_rules.lot_prices_problem(
        [(p.lot, p.amount) for p in bid.lot_prices],
        lot_count=len(tender_lots(session, stored_id(tender))),
        total=bid.price.amount,
    )
    if problem:
        raise InvalidBid(
            gettext("The bid's lot prices do not fit: %(problem)s.")
            % {"problem": localized(problem)}
        )


def _check_item_prices(session: Session, tender: Tender, bid: BidIn) -> None:
    items = session.exec(select(func.count()).select_from(Item).where(Item.tender_id == tender.id))
    problem = bid_rules.item_prices_problem(bid.item_prices, item_count=items.one())
    if problem:
        raise InvalidBid(
            gettext("The bid's unit prices do not fit: %(problem)s.")
            % {"problem": localized(problem)}
        )


def _check_picks(tender: Tender, picks: list[int]) -> None:
    if tender.reserve_base is None:
        if picks:
            raise InvalidBid(
                gettext("This tender draws no reserve price: leave reserve_picks out.")
            )
        return
    problem = bid_rules.picks_problem(picks)
    if problem:
        raise InvalidBid(
            gettext("This tender uses multiple reserve prices: %(problem)s.")
            % {"problem": localized(problem)}
        )
