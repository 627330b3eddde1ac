"""Amendments: what a buyer may change in a published tender, and how long it must leave."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlmodel import Session

from core.auth.models import User
from core.formatting import format_when
from core.forms import sentence
from core.i18n import gettext, localized
from core.ledger.service import format_time
from core.settings import Settings
from procurement import mails
from procurement.exceptions import (
    DeadlinePassed,
    InvalidTender,
    TenderClosed,
)
from procurement.publishing.service import notify, record
from procurement.tenders import rules as tender_rules
from procurement.tenders.documents import check_pdf, decoded, discard, keep_files
from procurement.tenders.models import (
    Amendment,
    TenderStatus,
)
from procurement.tenders.schemas import AmendmentIn
from procurement.tenders.service import bidders, owned_tender

AMENDABLE = (
    "title",
    "description",
    "eligibility",
    "estimated_value",
    "enquiry_end_at",
    "tender_end_at",
    "opening_at",
)
DATES = ("enquiry_end_at", "tender_end_at", "opening_at")
SCHEDULE = ("enquiry_end_at", "tender_start_at", "tender_end_at", "opening_at")


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
        raise TenderClosed(
            gettext("Only an open tender can be amended; this one is %(status)s.")
            % {"status": tender.status}
        )
    if not tender_rules.bid_on_time(now=now, deadline=tender.tender_end_at):
        raise DeadlinePassed(
            gettext("The bid deadline has passed; the tender can no longer be amended.")
        )
    changes = {}
    for field in AMENDABLE:
        new = getattr(amendment, field)
        old = getattr(tender, field)
        if new is not None and new != old:
            changes[field] = (old, new)
    # Check and store the new documents before anything changes: a bad PDF refuses it all.
    contents = [(d.title, decoded(d)) for d in amendment.documents]
    documents = [
        check_pdf(tender, title=title, content=content, now=now, settings=settings)
        for title, content in contents
    ]
    if not changes and not documents:
        raise InvalidTender(gettext("The amendment changes nothing."))
    new_dates = {field: new for field, (_, new) in changes.items() if field in DATES}
    problems = date_problems(tender, new_dates, now=now, settings=settings)
    if problems:
        raise InvalidTender(" ".join(problems.values()))
    for field, (_, new) in changes.items():
        setattr(tender, field, new)
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
    for document in documents:
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
    subject, body = mails.amended(
        settings,
        tender_id=tender_id,
        rationale=amendment.rationale,
        fields=printable,
        link=mails.tender_link(settings, tender_id),
    )
    for supplier_id in bidders(session, tender.id):
        notify(session, organisation_id=supplier_id, subject=subject, body=body, now=now)
    files = [(d.sha256, content) for d, (_, content) in zip(documents, contents, strict=True)]
    written = keep_files(settings, files)
    try:
        session.commit()
    except BaseException:
        discard(written)  # no file outlives an amendment that did not commit
        raise
    session.refresh(row)
    return row


def date_problems(
    tender: Any, dates: Mapping[str, datetime], *, now: datetime, settings: Settings
) -> dict[str, str]:
    """Why a tender's dates, with the `dates` an amendment sets, would not hold: each problem
    at the date it concerns (`tender_end_at`), in the reader's language; empty when they hold.
    Late changes must leave bidders the days the settings ask."""
    schedule = tender_rules.Schedule(
        *(dates.get(field) or getattr(tender, field) for field in SCHEDULE)
    )
    problems: dict[str, str] = {}
    earliest = tender_rules.extension_needed(
        now=now,
        deadline=schedule.tender_end_at,
        min_days_after_amendment=settings.procurement_min_days_after_amendment,
    )
    if earliest is not None:
        problem = (
            gettext(
                "Set the bid deadline at %(earliest)s or later: an amendment must leave bidders "
                "%(days)s days."
            )
            if "tender_end_at" in dates  # a deadline typed: the one to type instead
            else gettext(
                "An amendment this close to the deadline must extend it to at least "
                "%(earliest)s (%(days)s days)."
            )
        )
        problems["tender_end_at"] = problem % {
            "earliest": format_when(earliest, "seconds", zone=settings.zone),
            "days": settings.procurement_min_days_after_amendment,
        }
    faults = tender_rules.schedule_faults(schedule, now=now, days=0)
    # A date the amendment moved is at fault before one it left (the enquiry period a new
    # deadline leaves behind is the deadline's problem): those are named when it is not.
    moved = any(field in dates for field, _ in faults)
    for field, problem in faults:
        if field in dates or not moved:
            problems.setdefault(field, sentence(localized(problem)))
    return problems


def _text(value: Any) -> str:
    return format_time(value) if isinstance(value, datetime) else str(value)
