"""Clarification questions: suppliers ask before the deadline, the buyer answers in public."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from core.auth.models import User
from core.auth.rules import member_organisation_id
from core.db import stored_id
from core.formatting import format_when
from core.i18n import bilingual, gettext
from core.settings import Settings
from procurement.exceptions import (
    DeadlinePassed,
    TenderClosed,
    TenderNotFound,
)
from procurement.publishing.service import notify, record
from procurement.tenders import rules as tender_rules
from procurement.tenders.models import (
    Clarification,
    TenderStatus,
)
from procurement.tenders.service import get_tender, owned_tender


def ask_question(
    session: Session,
    *,
    supplier: User,
    tender_id: int,
    question: str,
    now: datetime,
    settings: Settings,
) -> Clarification:
    """A supplier asks; the question is public, the asker never is."""
    tender = get_tender(session, tender_id=tender_id)
    if tender.status != TenderStatus.ACTIVE:
        raise TenderClosed(gettext("Questions are taken only while the tender is open."))
    if not tender_rules.question_on_time(now=now, enquiry_end_at=tender.enquiry_end_at):
        raise DeadlinePassed(
            gettext("The enquiry period ended at %(when)s.")
            % {"when": format_when(tender.enquiry_end_at, "datetime", zone=settings.zone)}
        )
    clarification = Clarification(
        tender_id=stored_id(tender),
        asker_id=member_organisation_id(supplier),
        question=question,
        asked_at=now,
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
        raise TenderNotFound(
            gettext("There is no question %(question)s.") % {"question": clarification_id}
        )
    tender = owned_tender(session, buyer=buyer, tender_id=clarification.tender_id, for_update=True)
    if clarification.answer is not None:
        raise TenderClosed(gettext("This question has already been answered."))
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
    subject, body = bilingual(
        settings.default_locale,
        lambda: (
            gettext("Your question on tender %(id)s was answered") % {"id": tender.id},
            gettext("Q: %(question)s\n\nA: %(answer)s")
            % {"question": clarification.question, "answer": answer},
        ),
    )
    notify(session, organisation_id=clarification.asker_id, subject=subject, body=body, now=now)
    session.commit()
    session.refresh(clarification)
    return clarification
