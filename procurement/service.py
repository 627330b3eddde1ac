"""Use cases of a tender's life before the bids: draft, publish, questions, amendments, cancel.

Every public change commits with its transparency-log entry, its OCDS release and its event.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import secrets
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from core import events
from core.auth.models import Organisation, OrganisationKind, User
from core.ledger import service as ledger
from core.ledger.service import format_time
from core.settings import Settings
from procurement import ocds, rules, sealing
from procurement.exceptions import (
    DeadlinePassed,
    InvalidTender,
    NotYourTender,
    TenderClosed,
    TenderNotFound,
)
from procurement.models import (
    Amendment,
    AwardCriteria,
    Bid,
    BidStatus,
    Clarification,
    Document,
    Item,
    Lot,
    Notification,
    Tender,
    TenderStatus,
)
from procurement.schemas import AmendmentIn, DocumentIn, TenderDraftIn

PDF_MAGIC = b"%PDF-"


def get_tender(session: Session, *, tender_id: int, for_update: bool = False) -> Tender:
    """The tender, or TenderNotFound."""
    query = select(Tender).where(Tender.id == tender_id)
    if for_update:
        query = query.with_for_update()
    tender = session.exec(query).first()
    if tender is None:
        raise TenderNotFound(f"There is no tender {tender_id}.")
    return tender


def owned_tender(session: Session, *, buyer: User, tender_id: int, for_update: bool = False):
    """The tender, if the buyer's organisation owns it."""
    tender = get_tender(session, tender_id=tender_id, for_update=for_update)
    if tender.buyer_id != buyer.organisation_id:
        if tender.status == TenderStatus.DRAFT:
            raise TenderNotFound(f"There is no tender {tender_id}.")
        raise NotYourTender("Only the buying entity that published this tender may do this.")
    return tender


def record(
    session: Session,
    tender: Tender,
    *,
    entry_type: str,
    payload: dict[str, Any],
    tags: list[str],
    now: datetime,
    settings: Settings,
) -> dict[str, Any]:
    """Log the public fact, publish its OCDS release and event: all in the caller's transaction."""
    tender.updated_at = now
    session.add(tender)
    session.flush()
    the_ocid = ocds.ocid(settings.ocid_prefix, tender.id)
    release = ocds.build_release(
        session,
        tender,
        tags=tags,
        now=now,
        prefix=settings.ocid_prefix,
        base_url=str(settings.public_base_url).rstrip("/"),
    )
    ocds.store_release(session, tender, release)
    entry = ledger.append(
        session,
        entry_type=entry_type,
        payload={"ocid": the_ocid, **payload},
        now=now,
        subject=the_ocid,
    )
    events.publish(
        session,
        name=entry_type,
        payload={"ocid": the_ocid, "tender_id": tender.id, "log_index": entry.index},
        now=now,
        subject=the_ocid,
    )
    return release


def notify(session: Session, *, organisation_id: int, subject: str, body: str, now: datetime):
    """Queue a notification to an organisation (sent by the outbox)."""
    session.add(
        Notification(organisation_id=organisation_id, subject=subject, body=body, created_at=now)
    )


def _check_draft(session: Session, draft: TenderDraftIn) -> None:
    problems = []
    if draft.award_criteria == AwardCriteria.BEST_VALUE:
        problems += rules.criteria_problems([c.weight for c in draft.criteria])
    if draft.method.value == "selective" and not draft.invited_suppliers:
        problems.append("a selective tender needs an invitation list (invited_suppliers)")
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
                "invited_suppliers: no supplier company is registered as "
                + ", ".join(repr(slug) for slug in unknown)
            )
    problems += rules.lots_problems(
        lot_count=len(draft.lots), item_lots=[item.lot for item in draft.items]
    )
    if draft.lots and draft.reserve is not None:
        problems.append("multiple reserve prices apply to tenders without lots")
    if problems:
        raise InvalidTender("The tender cannot be saved: " + "; ".join(problems) + ".")


def create_draft(session: Session, *, buyer: User, draft: TenderDraftIn, now: datetime) -> Tender:
    """Save a new draft tender for the buyer's organisation (not public yet)."""
    _check_draft(session, draft)
    tender = Tender(
        buyer_id=buyer.organisation_id,
        created_by_id=buyer.id,
        status=TenderStatus.DRAFT,
        created_at=now,
        updated_at=now,
        criteria_json=json.dumps([c.model_dump() for c in draft.criteria]),
        invited_json=json.dumps(draft.invited_suppliers),
        reserve_base=draft.reserve.base_amount if draft.reserve else None,
        reserve_range_bp=draft.reserve.range_bp if draft.reserve else None,
        floor_rate_bp=draft.reserve.floor_rate_bp if draft.reserve else None,
        **draft.model_dump(exclude={"items", "lots", "criteria", "invited_suppliers", "reserve"}),
    )
    session.add(tender)
    session.flush()
    lots = [
        Lot(tender_id=tender.id, position=n, **lot.model_dump())
        for n, lot in enumerate(draft.lots, start=1)
    ]
    session.add_all(lots)
    session.flush()
    for position, item in enumerate(draft.items, start=1):
        session.add(
            Item(
                tender_id=tender.id,
                position=position,
                lot_id=lots[item.lot - 1].id if item.lot else None,
                **item.model_dump(exclude={"lot"}),
            )
        )
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
            "Documents are added to drafts; a published tender changes by amendment."
        )
    document = _store_pdf(tender, title=title, content=content, now=now, settings=settings)
    session.add(document)
    session.commit()
    session.refresh(document)
    return document


def _store_pdf(
    tender: Tender,
    *,
    title: str,
    content: bytes,
    now: datetime,
    settings: Settings,
    write: bool = True,
) -> Document:
    """Check a tender PDF, keep it under its SHA-256 (unless told not to yet), return its row."""
    if not content.startswith(PDF_MAGIC):
        raise InvalidTender(f"Document {title!r}: tender documents must be PDF files.")
    if len(content) > settings.procurement_max_document_bytes:
        raise InvalidTender(
            f"Document {title!r} is larger than {settings.procurement_max_document_bytes:,} bytes."
        )
    digest = hashlib.sha256(content).hexdigest()
    if write:
        _keep_file(settings, digest, content)
    return Document(
        tender_id=tender.id, title=title, sha256=digest, size=len(content), created_at=now
    )


def _keep_file(settings: Settings, digest: str, content: bytes) -> None:
    folder = settings.data_dir / "documents"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{digest}.pdf").write_bytes(content)


def _decoded(document: DocumentIn) -> bytes:
    try:
        return base64.b64decode(document.content_base64, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidTender(f"Document {document.title!r} is not valid base64.") from None


def publish(
    session: Session, *, buyer: User, tender_id: int, now: datetime, settings: Settings
) -> Tender:
    """Publish a draft: validated dates, a sealing key pair, a log entry and a release."""
    tender = owned_tender(session, buyer=buyer, tender_id=tender_id, for_update=True)
    if tender.status != TenderStatus.DRAFT:
        raise TenderClosed(f"Tender {tender_id} is already {tender.status}.")
    schedule = rules.Schedule(
        tender.enquiry_end_at, tender.tender_start_at, tender.tender_end_at, tender.opening_at
    )
    problems = rules.schedule_problems(
        schedule, now=now, min_tender_days=settings.procurement_min_tender_days
    )
    if problems:
        raise InvalidTender("The tender cannot be published: " + "; ".join(problems) + ".")
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
    buyer = session.get(Organisation, tender.buyer_id)
    link = f"{str(settings.public_base_url).rstrip('/')}/tenders/{tender.id}"
    organisations = session.exec(select(Organisation).where(col(Organisation.slug).in_(invited)))
    for organisation in organisations:
        notify(
            session,
            organisation_id=organisation.id,
            subject=f"You are invited to bid on tender {tender.id}: {tender.title}",
            body=f"{buyer.name} invites {organisation.name} to bid on a selective tender.\n\n"
            f"{tender.title}\nBid deadline: {format_time(tender.tender_end_at)}\n"
            f"Questions until: {format_time(tender.enquiry_end_at)}\n\n{link}",
            now=now,
        )


def tender_lots(session: Session, tender_id: int) -> list[Lot]:
    """The tender's lots, by number (empty for a tender without lots)."""
    return list(session.exec(select(Lot).where(Lot.tender_id == tender_id).order_by(Lot.position)))


def organisation_slug(session: Session, organisation_id: int) -> str:
    """The public identifier of an organisation (its slug)."""
    return session.get(Organisation, organisation_id).slug


def _documents(session: Session, tender_id: int) -> list[Document]:
    return list(
        session.exec(
            select(Document)
            .where(Document.tender_id == tender_id, col(Document.amendment_id).is_(None))
            .order_by(Document.id)
        )
    )


def ask_question(
    session: Session, *, supplier: User, tender_id: int, question: str, now: datetime
) -> Clarification:
    """A supplier asks; the question is public, the asker never is."""
    tender = get_tender(session, tender_id=tender_id)
    if tender.status != TenderStatus.ACTIVE:
        raise TenderClosed("Questions are taken only while the tender is open.")
    if not rules.question_on_time(now=now, enquiry_end_at=tender.enquiry_end_at):
        raise DeadlinePassed(f"The enquiry period ended at {format_time(tender.enquiry_end_at)}.")
    clarification = Clarification(
        tender_id=tender.id, asker_id=supplier.organisation_id, question=question, asked_at=now
    )
    session.add(clarification)
    session.commit()
    session.refresh(clarification)
    return clarification


def answer_question(
    session: Session,
    *,
    buyer: User,
    clarification_id: int,
    answer: str,
    now: datetime,
    settings: Settings,
) -> Clarification:
    """The buyer answers; question and answer are published on the tender."""
    clarification = session.get(Clarification, clarification_id)
    if clarification is None:
        raise TenderNotFound(f"There is no question {clarification_id}.")
    tender = owned_tender(session, buyer=buyer, tender_id=clarification.tender_id, for_update=True)
    if clarification.answer is not None:
        raise TenderClosed("This question has already been answered.")
    clarification.answer, clarification.answered_at = answer, now
    session.add(clarification)
    record(
        session,
        tender,
        entry_type="procurement.clarification.answered",
        payload={"question": clarification.question, "answer": answer},
        tags=["tenderUpdate"],
        now=now,
        settings=settings,
    )
    notify(
        session,
        organisation_id=clarification.asker_id,
        subject=f"Your question on tender {tender.id} was answered",
        body=f"Q: {clarification.question}\n\nA: {answer}",
        now=now,
    )
    session.commit()
    session.refresh(clarification)
    return clarification


AMENDABLE = (
    "title",
    "description",
    "eligibility",
    "estimated_value",
    "enquiry_end_at",
    "tender_end_at",
    "opening_at",
)


def amend(
    session: Session,
    *,
    buyer: User,
    tender_id: int,
    amendment: AmendmentIn,
    now: datetime,
    settings: Settings,
) -> Amendment:
    """Change a published tender, with a rationale; late changes must extend the deadline."""
    tender = owned_tender(session, buyer=buyer, tender_id=tender_id, for_update=True)
    if tender.status != TenderStatus.ACTIVE:
        raise TenderClosed(f"Only an open tender can be amended; this one is {tender.status}.")
    if not rules.bid_on_time(now=now, deadline=tender.tender_end_at):
        raise DeadlinePassed("The bid deadline has passed; the tender can no longer be amended.")
    changes = {}
    for field in AMENDABLE:
        new = getattr(amendment, field)
        old = getattr(tender, field)
        if new is not None and new != old:
            changes[field] = (old, new)
    # Check and store the new documents before anything changes: a bad PDF refuses it all.
    contents = [(d.title, _decoded(d)) for d in amendment.documents]
    documents = [
        _store_pdf(tender, title=title, content=content, now=now, settings=settings, write=False)
        for title, content in contents
    ]
    if not changes and not documents:
        raise InvalidTender("The amendment changes nothing.")
    deadline = changes.get("tender_end_at", (None, tender.tender_end_at))[1]
    earliest = rules.extension_needed(
        now=now,
        deadline=deadline,
        min_days_after_amendment=settings.procurement_min_days_after_amendment,
    )
    if earliest is not None:
        raise InvalidTender(
            f"An amendment this close to the deadline must extend it to at least "
            f"{format_time(earliest)} ({settings.procurement_min_days_after_amendment} days)."
        )
    for field, (_, new) in changes.items():
        setattr(tender, field, new)
    schedule = rules.Schedule(
        tender.enquiry_end_at, tender.tender_start_at, tender.tender_end_at, tender.opening_at
    )
    problems = [p for p in rules.schedule_problems(schedule, now=now, min_tender_days=0)]
    if problems:
        raise InvalidTender("The amended dates do not hold: " + "; ".join(problems) + ".")
    tender.version += 1
    printable = {f: [_text(old), _text(new)] for f, (old, new) in changes.items()}
    if documents:
        printable["documents"] = [
            "",
            "; ".join(f"added {d.title} (SHA-256 {d.sha256})" for d in documents),
        ]
    row = Amendment(
        tender_id=tender.id,
        version=tender.version,
        rationale=amendment.rationale,
        changes_json=json.dumps(printable, ensure_ascii=False),
        created_at=now,
    )
    session.add(row)
    session.flush()
    for document, (_, content) in zip(documents, contents, strict=True):
        _keep_file(settings, document.sha256, content)
        document.amendment_id = row.id
        session.add(document)
    session.flush()
    payload = {"version": tender.version, "rationale": amendment.rationale, "changes": printable}
    if documents:
        payload["documents"] = [
            {"title": d.title, "sha256": d.sha256, "size": d.size} for d in documents
        ]
    record(
        session,
        tender,
        entry_type="procurement.tender.amended",
        payload=payload,
        tags=["tenderAmendment"],
        now=now,
        settings=settings,
    )
    for supplier_id in _bidders(session, tender.id):
        notify(
            session,
            organisation_id=supplier_id,
            subject=f"Tender {tender.id} was amended: you may resubmit your bid",
            body=f"{amendment.rationale}\n\nChanged: {', '.join(printable)}",
            now=now,
        )
    session.commit()
    session.refresh(row)
    return row


def _text(value: Any) -> str:
    return format_time(value) if isinstance(value, datetime) else str(value)


def _bidders(session: Session, tender_id: int) -> list[int]:
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
        raise TenderClosed(f"Tender {tender_id} is {tender.status} and cannot be cancelled.")
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
        for supplier_id in _bidders(session, tender.id):
            notify(
                session,
                organisation_id=supplier_id,
                subject=f"Tender {tender.id} was cancelled",
                body=reason,
                now=now,
            )
    session.commit()
    session.refresh(tender)
    return tender
