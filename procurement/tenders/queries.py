"""Reads for the buyer's own pages and the tender routes."""

from __future__ import annotations

import json
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from core.auth.models import Organisation
from core.db import stored_id
from core.errors import NotFound
from core.i18n import gettext
from procurement.exceptions import TenderClosed
from procurement.public.queries import summary
from procurement.public.schemas import DocumentView, QuestionView, TenderSummary
from procurement.tenders.models import Clarification, Document, Item, Lot, Tender, TenderStatus
from procurement.tenders.schemas import WaitingQuestion


def buyer_tenders(
    session: Session, *, organisation_id: int, prefix: str
) -> dict[TenderStatus, list[TenderSummary]]:
    """The organisation's tenders, drafts included, grouped by status, newest first."""
    buyer = session.get_one(Organisation, organisation_id)
    grouped: dict[TenderStatus, list[TenderSummary]] = {status: [] for status in TenderStatus}
    rows = session.exec(
        select(Tender).where(Tender.buyer_id == organisation_id).order_by(col(Tender.id).desc())
    )
    for tender in rows:
        grouped[tender.status].append(summary(tender, buyer, prefix))
    return grouped


def question_view(session: Session, *, question_id: int) -> QuestionView:
    """A clarification question and its answer, without the asker."""
    q = session.get(Clarification, question_id)
    if q is None:
        raise NotFound(gettext("There is no question %(question)s.") % {"question": question_id})
    return QuestionView(
        id=stored_id(q),
        question=q.question,
        asked_at=q.asked_at,
        answer=q.answer,
        answered_at=q.answered_at,
    )


def document_view(session: Session, *, document_id: int) -> DocumentView:
    """A tender document's title, size and SHA-256."""
    d = session.get(Document, document_id)
    if d is None:
        raise NotFound(gettext("There is no document %(document)s.") % {"document": document_id})
    return DocumentView(id=stored_id(d), title=d.title, sha256=d.sha256, size=d.size)


def waiting_questions(session: Session, *, organisation_id: int) -> list[WaitingQuestion]:
    """The organisation's unanswered questions, oldest first: what waits for its buyers."""
    rows = session.exec(
        select(Clarification, Tender.title)
        .join(Tender, col(Tender.id) == Clarification.tender_id)
        .where(Tender.buyer_id == organisation_id, col(Clarification.answer).is_(None))
        .order_by(col(Clarification.asked_at), col(Clarification.id))
    )
    return [
        WaitingQuestion(
            id=stored_id(q),
            tender_id=q.tender_id,
            tender_title=title,
            question=q.question,
            asked_at=q.asked_at,
        )
        for q, title in rows
    ]


def draft_form_values(
    session: Session, *, organisation_id: int | None, tender_id: int, zone: ZoneInfo
) -> dict[str, object]:
    """A draft of the organisation as the draft form's fields (times in the display zone)."""
    tender = session.get(Tender, tender_id)
    if tender is None or tender.buyer_id != organisation_id:
        raise NotFound(gettext("There is no tender %(tender)s.") % {"tender": tender_id})
    if tender.status != TenderStatus.DRAFT:
        raise TenderClosed(
            gettext("Tender %(tender)s is %(status)s: it changes only by amendment.")
            % {"tender": tender_id, "status": tender.status}
        )
    lots = session.exec(select(Lot).where(Lot.tender_id == tender_id).order_by(col(Lot.position)))
    lot_numbers: dict[int | None, int] = {}
    lot_rows = []
    for lot in lots:
        lot_numbers[lot.id] = lot.position
        lot_rows.append((lot.title, lot.description, _baht(lot.estimated_value)))
    items = session.exec(
        select(Item).where(Item.tender_id == tender_id).order_by(col(Item.position))
    )
    criteria = json.loads(tender.criteria_json)
    return {
        "title": tender.title,
        "description": tender.description,
        "category": tender.category,
        "method": tender.method,
        "award_criteria": tender.award_criteria,
        "estimated_value": _baht(tender.estimated_value),
        "currency": tender.currency,
        "standstill_days": str(tender.standstill_days),
        "criteria": "\n".join(f"{c['name']}: {c['weight']}" for c in criteria),
        "invited": " ".join(json.loads(tender.invited_json)),
        "eligibility": tender.eligibility,
        **{
            field: getattr(tender, field).astimezone(zone).strftime("%Y-%m-%dT%H:%M")
            for field in ("enquiry_end_at", "tender_start_at", "tender_end_at", "opening_at")
        },
        "lots": lot_rows,
        "items": [
            (
                i.description,
                f"{i.quantity.normalize():f}",
                i.unit,
                str(lot_numbers.get(i.lot_id, "")),
            )
            for i in items
        ],
    }


def _baht(minor: int) -> str:
    return f"{minor // 100}.{minor % 100:02d}"
