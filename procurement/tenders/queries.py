"""Reads for the buyer's own pages and the tender routes."""

from __future__ import annotations

from sqlmodel import Session, col, select

from core.auth.models import Organisation
from core.errors import NotFound
from procurement.public.queries import summary
from procurement.public.schemas import DocumentView, QuestionView, TenderSummary
from procurement.tenders.models import Clarification, Document, Tender, TenderStatus
from procurement.tenders.schemas import WaitingQuestion


def buyer_tenders(
    session: Session, *, organisation_id: int, prefix: str
) -> dict[TenderStatus, list[TenderSummary]]:
    """The organisation's tenders, drafts included, grouped by status, newest first."""
    buyer = session.get(Organisation, organisation_id)
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
        raise NotFound(f"There is no question {question_id}.")
    return QuestionView(
        id=q.id,
        question=q.question,
        asked_at=q.asked_at,
        answer=q.answer,
        answered_at=q.answered_at,
    )


def document_view(session: Session, *, document_id: int) -> DocumentView:
    """A tender document's title, size and SHA-256."""
    d = session.get(Document, document_id)
    if d is None:
        raise NotFound(f"There is no document {document_id}.")
    return DocumentView(id=d.id, title=d.title, sha256=d.sha256, size=d.size)


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
            id=q.id,
            tender_id=q.tender_id,
            tender_title=title,
            question=q.question,
            asked_at=q.asked_at,
        )
        for q, title in rows
    ]
