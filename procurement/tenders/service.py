"""Use cases of a tender's life before bids: draft, documents, publish, questions, amend, cancel."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from datetime import datetime

from sqlmodel import Session, col, delete, select

from core.auth.models import Organisation, OrganisationKind, User
from core.auth.rules import member_organisation_id
from core.db import stored_id
from core.i18n import gettext, joined, localized
from core.ledger.service import format_time
from core.settings import Settings
from procurement import mails
from procurement.bids import sealing
from procurement.bids.models import Bid, BidStatus
from procurement.exceptions import (
    InvalidTender,
    NotYourTender,
    TenderClosed,
    TenderNotFound,
)
from procurement.publishing.service import notify, organisation_slug, record
from procurement.tenders import rules as tender_rules
from procurement.tenders.documents import check_pdf, discard, keep_files
from procurement.tenders.models import (
    AwardCriteria,
    Document,
    Item,
    Lot,
    Tender,
    TenderStatus,
)
from procurement.tenders.schemas import TenderDraftIn


def get_tender(session: Session, *, tender_id: int, for_update: bool = False) -> Tender:
    """The tender, or TenderNotFound."""
    query = select(Tender).where(Tender.id == tender_id)
    if for_update:
        query = query.with_for_update()
    tender = session.exec(query).first()
    if tender is None:
        raise TenderNotFound(gettext("There is no tender %(tender)s.") % {"tender": tender_id})
    return tender


def owned_tender(session: Session, *, buyer: User, tender_id: int, for_update: bool = False):
    """The tender, if the buyer's organisation owns it."""
    tender = get_tender(session, tender_id=tender_id, for_update=for_update)
    if tender.buyer_id != buyer.organisation_id:
        if tender.status == TenderStatus.DRAFT:
            raise TenderNotFound(gettext("There is no tender %(tender)s.") % {"tender": tender_id})
        raise NotYourTender(
            gettext("Only the buying entity that published this tender may do this.")
        )
    return tender


def _check_draft(session: Session, draft: TenderDraftIn) -> None:
    problems = []
    if draft.award_criteria == AwardCriteria.BEST_VALUE:
        problems += tender_rules.criteria_problems([c.weight for c in draft.criteria])
    if draft.method.value == "selective" and not draft.invited_suppliers:
        problems.append(gettext("a selective tender needs a list of invited suppliers"))
    if draft.invited_suppliers:
        known = set(
            session.exec(
                select(Organisation.slug).where(
                    col(Organisation.slug).in_(draft.invited_suppliers),
                    Organisation.kind == OrganisationKind.SUPPLIER,
                )
            )
        )
        unknown = [slug for slug in draft.invited_suppliers if slug not in known]
        if unknown:
            problems.append(
                gettext(
                    "among the invited suppliers, no supplier company is registered as %(slugs)s"
                )
                % {"slugs": ", ".join(repr(slug) for slug in unknown)}
            )
    problems += tender_rules.lots_problems(
        lot_count=len(draft.lots), item_lots=[item.lot for item in draft.items]
    )
    if draft.lots and draft.reserve is not None:
        problems.append(gettext("multiple reserve prices apply to tenders without lots"))
    if problems:
        raise InvalidTender(
            gettext("The tender cannot be saved: %(problems)s.")
            % {"problems": localized(joined("; ", problems))}
        )


def create_draft(session: Session, *, buyer: User, draft: TenderDraftIn, now: datetime) -> Tender:
    """Save a new draft tender for the buyer's organisation (not public yet)."""
    _check_draft(session, draft)
    tender = Tender(
        buyer_id=member_organisation_id(buyer),
        created_by_id=stored_id(buyer),
        status=TenderStatus.DRAFT,
        created_at=now,
        updated_at=now,
        **_draft_columns(draft),
    )
    session.add(tender)
    session.flush()
    _add_contents(session, tender, draft)
    session.commit()
    session.refresh(tender)
    return tender


def _draft_columns(draft: TenderDraftIn) -> dict:
    return {
        "criteria_json": json.dumps([c.model_dump() for c in draft.criteria]),
        "invited_json": json.dumps(draft.invited_suppliers),
        "reserve_base": draft.reserve.base_amount if draft.reserve else None,
        "reserve_range_bp": draft.reserve.range_bp if draft.reserve else None,
        "floor_rate_bp": draft.reserve.floor_rate_bp if draft.reserve else None,
        **draft.model_dump(exclude={"items", "lots", "criteria", "invited_suppliers", "reserve"}),
    }


def _add_contents(session: Session, tender: Tender, draft: TenderDraftIn) -> None:
    lots = [
        Lot(tender_id=stored_id(tender), position=n, **lot.model_dump())
        for n, lot in enumerate(draft.lots, start=1)
    ]
    session.add_all(lots)
    session.flush()
    for position, item in enumerate(draft.items, start=1):
        session.add(
            Item(
                tender_id=stored_id(tender),
                position=position,
                lot_id=lots[item.lot - 1].id if item.lot else None,
                **item.model_dump(exclude={"lot"}),
            )
        )


def _own_draft(session: Session, *, buyer: User, tender_id: int) -> Tender:
    tender = owned_tender(session, buyer=buyer, tender_id=tender_id, for_update=True)
    if tender.status != TenderStatus.DRAFT:
        raise TenderClosed(
            gettext(
                "Tender %(tender)s is %(status)s: a published tender changes only by amendment."
            )
            % {"tender": tender_id, "status": tender.status}
        )
    return tender


def update_draft(
    session: Session,
    *,
    buyer: User,
    tender_id: int,
    draft: TenderDraftIn,
    now: datetime,
    settings: Settings,
) -> Tender:
    """Replace every field, item and lot of a draft; its dates are checked now, as they will
    be at publication, so a draft never keeps a schedule that cannot be published."""
    tender = _own_draft(session, buyer=buyer, tender_id=tender_id)
    _check_draft(session, draft)
    schedule = tender_rules.Schedule(
        draft.enquiry_end_at, draft.tender_start_at, draft.tender_end_at, draft.opening_at
    )
    problems = tender_rules.schedule_problems(
        schedule, now=now, min_tender_days=settings.procurement_min_tender_days
    )
    if problems:
        raise InvalidTender(
            gettext("The draft cannot be saved: %(problems)s.")
            % {"problems": localized(joined("; ", problems))}
        )
    for column, value in _draft_columns(draft).items():
        setattr(tender, column, value)
    tender.updated_at = now
    session.add(tender)
    session.exec(delete(Item).where(col(Item.tender_id) == tender.id))
    session.exec(delete(Lot).where(col(Lot.tender_id) == tender.id))
    _add_contents(session, tender, draft)
    session.commit()
    session.refresh(tender)
    return tender


def delete_draft(session: Session, *, buyer: User, tender_id: int) -> None:
    """Delete a draft and its items, lots and documents (it was never public)."""
    tender = _own_draft(session, buyer=buyer, tender_id=tender_id)
    for table in (Item, Lot, Document):
        session.exec(delete(table).where(col(table.tender_id) == tender.id))
    session.delete(tender)
    session.commit()


def publish(
    session: Session, *, buyer: User, tender_id: int, now: datetime, settings: Settings
) -> Tender:
    """Publish a draft: validated dates, a sealing key pair, a log entry and a release."""
    tender = owned_tender(session, buyer=buyer, tender_id=tender_id, for_update=True)
    if tender.status != TenderStatus.DRAFT:
        raise TenderClosed(
            gettext("Tender %(tender)s is already %(status)s.")
            % {"tender": tender_id, "status": tender.status}
        )
    schedule = tender_rules.Schedule(
        tender.enquiry_end_at, tender.tender_start_at, tender.tender_end_at, tender.opening_at
    )
    problems = tender_rules.schedule_problems(
        schedule, now=now, min_tender_days=settings.procurement_min_tender_days
    )
    if problems:
        raise InvalidTender(
            gettext("The tender cannot be published: %(problems)s.")
            % {"problems": localized(joined("; ", problems))}
        )
    no_sealed_tenders = (
        session.exec(select(Tender.id).where(col(Tender.public_key).is_not(None)).limit(1)).first()
        is None
    )
    opening_key = sealing.load_opening_key(settings.opening_key_path, may_create=no_sealed_tenders)
    tender.public_key, tender.sealed_private_key = sealing.new_tender_keys(
        opening_key, tender_id=tender.id
    )
    reserve = None
    if tender.reserve_base is not None:
        seed = secrets.token_bytes(32)
        tender.reserve_seed_commitment = hashlib.sha256(seed).hexdigest()
        tender.sealed_reserve_seed = sealing.seal_secret(
            opening_key, tender_id=tender.id, label="reserve-seed", secret=seed
        )
        reserve = {
            "base": tender.reserve_base,
            "range_bp": tender.reserve_range_bp,
            "floor_rate_bp": tender.floor_rate_bp,
            "seed_commitment": tender.reserve_seed_commitment,
        }
    tender.status = TenderStatus.ACTIVE
    tender.published_at = now
    tender.tender_start_at = max(tender.tender_start_at, now)
    lots = tender_lots(session, tender.id)
    extra = {}
    if lots:
        extra["lots"] = [
            {"lot": lot.position, "title": lot.title, "estimated_value": lot.estimated_value}
            for lot in lots
        ]
    record(
        session,
        tender,
        entry_type="procurement.tender.published",
        payload={
            "title": tender.title,
            "buyer": organisation_slug(session, tender.buyer_id),
            "estimated_value": tender.estimated_value,
            "currency": tender.currency,
            "tender_end_at": format_time(tender.tender_end_at),
            "opening_at": format_time(tender.opening_at),
            "sealing_public_key": base64.b64encode(tender.public_key).decode(),
            "documents": [d.sha256 for d in _documents(session, tender.id)],
            "reserve": reserve,
            **extra,
        },
        tags=["tender"],
        now=now,
        settings=settings,
    )
    _notify_invited(session, tender, now=now, settings=settings)
    session.commit()
    session.refresh(tender)
    return tender


def _notify_invited(session: Session, tender: Tender, *, now: datetime, settings: Settings):
    """Tell every supplier on a selective tender's invitation list that it may bid."""
    invited = json.loads(tender.invited_json)
    if not invited:
        return
    buyer = session.get_one(Organisation, tender.buyer_id)
    organisations = session.exec(select(Organisation).where(col(Organisation.slug).in_(invited)))
    for organisation in organisations:
        subject, body = mails.invited(
            settings,
            tender_id=stored_id(tender),
            title=tender.title,
            buyer=buyer,
            supplier=organisation,
            deadline=tender.tender_end_at,
            questions=tender.enquiry_end_at,
            link=mails.tender_link(settings, stored_id(tender)),
        )
        notify(
            session, organisation_id=stored_id(organisation), subject=subject, body=body, now=now
        )


def tender_lots(session: Session, tender_id: int) -> list[Lot]:
    """The tender's lots, by number (empty for a tender without lots)."""
    return list(
        session.exec(select(Lot).where(Lot.tender_id == tender_id).order_by(col(Lot.position)))
    )


def _documents(session: Session, tender_id: int) -> list[Document]:
    return list(
        session.exec(
            select(Document)
            .where(Document.tender_id == tender_id, col(Document.amendment_id).is_(None))
            .order_by(col(Document.id))
        )
    )


def bidders(session: Session, tender_id: int) -> list[int]:
    rows = session.exec(
        select(Bid.supplier_id)
        .where(Bid.tender_id == tender_id, Bid.status == BidStatus.SEALED)
        .distinct()
    )
    return list(rows)


def cancel(
    session: Session, *, buyer: User, tender_id: int, reason: str, now: datetime, settings: Settings
) -> Tender:
    """Cancel a tender, with a public reason, at any point before the contract."""
    tender = owned_tender(session, buyer=buyer, tender_id=tender_id, for_update=True)
    if tender.status in (TenderStatus.CONTRACTED, TenderStatus.CANCELLED):
        raise TenderClosed(
            gettext("Tender %(tender)s is %(status)s and cannot be cancelled.")
            % {"tender": tender_id, "status": tender.status}
        )
    was_draft = tender.status == TenderStatus.DRAFT
    tender.status, tender.cancelled_at, tender.cancel_reason = TenderStatus.CANCELLED, now, reason
    if was_draft:
        session.add(tender)
    else:
        record(
            session,
            tender,
            entry_type="procurement.tender.cancelled",
            payload={"reason": reason},
            tags=["tenderCancellation"],
            now=now,
            settings=settings,
        )
        subject, body = mails.cancelled(
            settings,
            tender_id=tender_id,
            title=tender.title,
            buyer=session.get_one(Organisation, tender.buyer_id),
            reason=reason,
            link=mails.tender_link(settings, tender_id),
        )
        for supplier_id in bidders(session, tender.id):
            notify(session, organisation_id=supplier_id, subject=subject, body=body, now=now)
    session.commit()
    session.refresh(tender)
    return tender


def add_document(
    session: Session,
    *,
    buyer: User,
    tender_id: int,
    title: str,
    content: bytes,
    now: datetime,
    settings: Settings,
) -> Document:
    """Attach a PDF to a draft; its SHA-256 is recorded and published with the tender."""
    tender = owned_tender(session, buyer=buyer, tender_id=tender_id)
    if tender.status != TenderStatus.DRAFT:
        raise TenderClosed(
            gettext("Documents are added to drafts; a published tender changes by amendment.")
        )
    document = check_pdf(tender, title=title, content=content, now=now, settings=settings)
    session.add(document)
    written = keep_files(settings, [(document.sha256, content)])
    try:
        session.commit()
    except BaseException:
        discard(written)
        raise
    session.refresh(document)
    return document
