"""Public pages of procurement: buyers, tenders, a tender, its documents and PDFs."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import FileResponse, HTMLResponse

from core.auth.dependencies import OptionalUser
from core.auth.models import OrganisationKind
from core.auth.queries import organisation_choices, organisations_page
from core.db import SessionDep
from core.errors import NotFound
from core.i18n import gettext
from core.types import Id
from core.web import DirectoryName, DirectoryPage, directory_pager
from procurement.pages import pdf_response, public_view, render, tender_page
from procurement.public import queries
from procurement.publishing import pdfs
from procurement.tenders.models import TenderStatus

router = APIRouter(include_in_schema=False)


PAGE_SIZE = 25
BUYERS_PAGE = 50


@router.get("/buyers", response_class=HTMLResponse)
def buyers(
    request: Request,
    session: SessionDep,
    user: OptionalUser,
    name: DirectoryName = "",
    page: DirectoryPage = 1,
):
    """The public directory of buying entities, by name, BUYERS_PAGE a page; `name` finds
    them by a part of their name (in either language) or identifier."""
    rows, total = organisations_page(
        session,
        kind=OrganisationKind.BUYING_ENTITY,
        name=name,
        offset=(page - 1) * BUYERS_PAGE,
        limit=BUYERS_PAGE,
    )
    pager = directory_pager(name, page=page, per_page=BUYERS_PAGE, total=total)
    return render(request, "procurement/buyers.html", {"buyers": rows, **pager}, user=user)


@router.get("/tenders", response_class=HTMLResponse)
def tenders(
    request: Request,
    session: SessionDep,
    user: OptionalUser,
    status: Annotated[TenderStatus | None, Query()] = None,
    buyer: Annotated[str | None, Query(max_length=100)] = None,
    after_id: Annotated[Id | None, Query(ge=1)] = None,
):
    """Published tenders, newest first, filtered by status and buyer, a page at a time."""
    buyer = buyer or None
    rows = queries.list_tenders(
        session,
        prefix=request.app.state.settings.ocid_prefix,
        status=status,
        buyer=buyer,
        after_id=after_id,
        limit=PAGE_SIZE + 1,
    )
    filters = {k: v for k, v in {"status": status, "buyer": buyer}.items() if v}
    return render(
        request,
        "procurement/tenders.html",
        {
            "tenders": rows[:PAGE_SIZE],
            "next_after": rows[PAGE_SIZE - 1].id if len(rows) > PAGE_SIZE else None,
            "filters": filters,
            "statuses": [s for s in TenderStatus if s != TenderStatus.DRAFT],
            "buyers": organisation_choices(session, kind=OrganisationKind.BUYING_ENTITY),
        },
        user=user,
    )


@router.get("/tenders/{tender_id}", response_class=HTMLResponse)
def tender(request: Request, session: SessionDep, user: OptionalUser, tender_id: Id):
    """A tender's notice and its whole public record."""
    return tender_page(request, session, tender_id=tender_id, user=user)


@router.get("/tenders/{tender_id}/documents/{document_id}")
def document(
    request: Request, session: SessionDep, user: OptionalUser, tender_id: Id, document_id: Id
):
    """A tender document, as stored under its SHA-256."""
    view = public_view(request, session, tender_id=tender_id, user=user)
    found = next((d for d in view.documents if d.id == document_id), None)
    if found is None:
        raise NotFound(
            gettext("Tender %(tender)s has no document %(document)s.")
            % {"tender": tender_id, "document": document_id}
        )
    path = request.app.state.settings.data_dir / "documents" / f"{found.sha256}.pdf"
    if not path.is_file():
        raise NotFound(
            gettext("The file of document %(document)s is missing from this server.")
            % {"document": document_id}
        )
    return FileResponse(
        path,
        media_type="application/pdf",
        filename=f"tender-{tender_id}-document-{document_id}.pdf",
        headers={"x-content-sha256": found.sha256},
    )


@router.get("/tenders/{tender_id}/notice.pdf")
def notice_pdf(request: Request, session: SessionDep, user: OptionalUser, tender_id: Id):
    """The tender notice, as a PDF."""
    view = public_view(request, session, tender_id=tender_id, user=user)
    content = pdfs.notice(request.app.state.templates.env, view)
    return pdf_response(content, f"tender-{tender_id}-notice.pdf")


@router.get("/tenders/{tender_id}/opening.pdf")
def opening_pdf(request: Request, session: SessionDep, user: OptionalUser, tender_id: Id):
    """The bid opening report, once the bids are opened."""
    view = public_view(request, session, tender_id=tender_id, user=user)
    content = pdfs.opening(request.app.state.templates.env, view)
    return pdf_response(content, f"tender-{tender_id}-opening.pdf")


@router.get("/tenders/{tender_id}/award.pdf")
def award_pdf(request: Request, session: SessionDep, user: OptionalUser, tender_id: Id):
    """The award notice, once an award is decided."""
    view = public_view(request, session, tender_id=tender_id, user=user)
    content = pdfs.award(request.app.state.templates.env, view)
    return pdf_response(content, f"tender-{tender_id}-award.pdf")
