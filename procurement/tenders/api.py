"""JSON routes of tenders: list, read, draft, publish, questions, amendments, cancel."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, File, Form, Query, Request, Response, UploadFile, status

from core.auth.models import OrganisationKind
from core.auth.queries import organisations_page
from core.auth.schemas import OrganisationPublic
from core.clock import ClockDep
from core.db import SessionDep, stored_id
from core.errors import InvalidInput
from core.i18n import gettext
from core.types import Id, bigint_or_none
from core.web import DirectoryName, DirectoryPage, SettingsDep, page_headers
from procurement.dependencies import BuyerUser, SupplierUser
from procurement.public import queries
from procurement.public import schemas as public
from procurement.tenders import amendments, questions
from procurement.tenders import queries as tender_queries
from procurement.tenders import service as tender_service
from procurement.tenders.models import TenderStatus
from procurement.tenders.schemas import AmendmentIn, AnswerIn, CancelIn, QuestionIn, TenderDraftIn

router = APIRouter(prefix="/api", tags=["procurement"])


BUYERS_PER_PAGE = 1000


@router.get("/procurement/buyers", response_model=list[OrganisationPublic])
def buyers(
    request: Request,
    response: Response,
    session: SessionDep,
    name: DirectoryName = "",
    page: DirectoryPage = 1,
    per_page: Annotated[int, Query(ge=1, le=BUYERS_PER_PAGE)] = BUYERS_PER_PAGE,
):
    """The buying entities registered on the platform, by name, a page at a time (a country
    has tens of thousands): `X-Total-Count` says how many match, a `Link` header with
    rel="next" names the next page. `name` finds them by a part of either name or the
    identifier."""
    rows, total = organisations_page(
        session,
        kind=OrganisationKind.BUYING_ENTITY,
        name=name,
        offset=(page - 1) * per_page,
        limit=per_page,
    )
    page_headers(request, response, page=page, per_page=per_page, total=total)
    return rows


@router.get("/tenders", response_model=list[public.TenderSummary])
def list_tenders(
    session: SessionDep,
    settings: SettingsDep,
    status_: Annotated[TenderStatus | None, Query(alias="status")] = None,
    buyer: str | None = None,
    after_id: Annotated[Id | None, Query(ge=1)] = None,
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
    """Every tender changed since the cursor, oldest change first, with the cursor to resume
    from; `more` is false once the mirror has caught up (ask again later with the cursor)."""
    parsed: tuple[datetime, int] | None = None
    if cursor:
        when: datetime | None
        try:
            at, last_id = cursor.rsplit("_", 1)
            when, number = datetime.fromisoformat(at), bigint_or_none(last_id)
        except ValueError:
            when, number = None, None
        if when is None or when.tzinfo is None or number is None:
            raise InvalidInput(
                gettext("cursor is malformed: pass back the next_cursor you were given.")
            )
        parsed = (when, number)
    rows = queries.changes(session, prefix=settings.ocid_prefix, cursor=parsed, limit=limit)
    next_cursor = f"{rows[-1].updated_at.isoformat()}_{rows[-1].id}" if rows else cursor
    return {"tenders": rows, "next_cursor": next_cursor, "more": len(rows) == limit}


@router.get("/tenders/{tender_id}", response_model=public.TenderView)
def get_tender(tender_id: Id, session: SessionDep, settings: SettingsDep):
    """Everything public about one tender; bid prices appear only after the opening."""
    return queries.tender_view(session, tender_id=tender_id, prefix=settings.ocid_prefix)


@router.post("/tenders", status_code=status.HTTP_201_CREATED, response_model=public.TenderView)
def create_tender(
    body: TenderDraftIn,
    buyer: BuyerUser,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
):
    """Save a draft tender (not public until published)."""
    draft = tender_service.create_draft(session, buyer=buyer, draft=body, now=clock())
    return queries.tender_view(
        session,
        tender_id=stored_id(draft),
        prefix=settings.ocid_prefix,
        viewer_organisation_id=buyer.organisation_id,
    )


@router.put("/tenders/{tender_id}", response_model=public.TenderView)
def update_draft(
    tender_id: Id,
    body: TenderDraftIn,
    buyer: BuyerUser,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
):
    """Replace a draft's fields, items and lots; its dates are checked as at publication."""
    tender_service.update_draft(
        session, buyer=buyer, tender_id=tender_id, draft=body, now=clock(), settings=settings
    )
    return queries.tender_view(
        session,
        tender_id=tender_id,
        prefix=settings.ocid_prefix,
        viewer_organisation_id=buyer.organisation_id,
    )


@router.delete("/tenders/{tender_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_draft(tender_id: Id, buyer: BuyerUser, session: SessionDep):
    """Delete a draft (a published tender is cancelled instead, with a reason)."""
    tender_service.delete_draft(session, buyer=buyer, tender_id=tender_id)


@router.post(
    "/tenders/{tender_id}/documents",
    status_code=status.HTTP_201_CREATED,
    response_model=public.DocumentView,
)
async def add_document(
    tender_id: Id,
    buyer: BuyerUser,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    title: Annotated[str, Form(min_length=1, max_length=200)],
    file: Annotated[UploadFile, File()],
):
    """Attach a PDF to a draft; its SHA-256 is published."""
    content = await file.read(settings.procurement_max_document_bytes + 1)
    added = tender_service.add_document(
        session,
        buyer=buyer,
        tender_id=tender_id,
        title=title,
        content=content,
        now=clock(),
        settings=settings,
    )
    return tender_queries.document_view(session, document_id=stored_id(added))


@router.post("/tenders/{tender_id}/publish", response_model=public.TenderView)
def publish(
    tender_id: Id, buyer: BuyerUser, session: SessionDep, clock: ClockDep, settings: SettingsDep
):
    """Publish a draft: its notice, sealing key and log entry become public."""
    tender_service.publish(
        session, buyer=buyer, tender_id=tender_id, now=clock(), settings=settings
    )
    return queries.tender_view(session, tender_id=tender_id, prefix=settings.ocid_prefix)


@router.post(
    "/tenders/{tender_id}/questions",
    status_code=status.HTTP_201_CREATED,
    response_model=public.QuestionView,
)
def ask(
    tender_id: Id,
    body: QuestionIn,
    supplier: SupplierUser,
    session: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
):
    """Ask a clarification question (public once answered; the asker never is)."""
    asked = questions.ask_question(
        session,
        supplier=supplier,
        tender_id=tender_id,
        question=body.question,
        now=clock(),
        settings=settings,
    )
    return tender_queries.question_view(session, question_id=stored_id(asked))


@router.post("/questions/{question_id}/answer", response_model=public.QuestionView)
def answer(
    question_id: Id,
    body: AnswerIn,
    buyer: BuyerUser,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
):
    """Answer a question; question and answer are published on the tender."""
    questions.answer_question(
        session,
        buyer=buyer,
        clarification_id=question_id,
        answer=body.answer,
        now=clock(),
        settings=settings,
    )
    return tender_queries.question_view(session, question_id=question_id)


@router.post(
    "/tenders/{tender_id}/amendments",
    status_code=status.HTTP_201_CREATED,
    response_model=public.TenderView,
)
def amend(
    tender_id: Id,
    body: AmendmentIn,
    buyer: BuyerUser,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
):
    """Amend a published tender with a rationale; every version stays visible."""
    amendments.amend(
        session, buyer=buyer, tender_id=tender_id, amendment=body, now=clock(), settings=settings
    )
    return queries.tender_view(session, tender_id=tender_id, prefix=settings.ocid_prefix)


@router.post("/tenders/{tender_id}/cancel", response_model=public.TenderView)
def cancel(
    tender_id: Id,
    body: CancelIn,
    buyer: BuyerUser,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
):
    """Cancel the tender with a public reason."""
    tender_service.cancel(
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
