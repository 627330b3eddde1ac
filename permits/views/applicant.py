"""Applicants' HTML routes: apply with documents, see one's own applications, answer, withdraw."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response

from core import forms, templating
from core.auth.csrf import verify_csrf
from core.clock import ClockDep
from core.db import SessionDep
from core.errors import DomainError
from core.pdf import render_pdf
from core.types import Id, Page
from permits import casework, catalogue, information, service
from permits import personal_data as data_access
from permits.dependencies import Applicant, NumberPath, read_upload_form
from permits.rules import Action

router = APIRouter(include_in_schema=False)
CsrfChecked = Depends(verify_csrf)


def _render(request: Request, template: str, context: dict, status_code: int = 200):
    return templating.render(request, f"permits/{template}", context, status_code=status_code)


@router.get("/permits/apply", response_class=HTMLResponse)
def choose_type(request: Request, session: SessionDep, user: Applicant):
    """The permit types one may apply for."""
    types = [catalogue.definition_of(t) for t in catalogue.latest_types(session)]
    return _render(request, "apply_choose.html", {"user": user, "types": types})


@router.get("/permits/apply/{code}", response_class=HTMLResponse)
def apply_form(code: str, request: Request, session: SessionDep, user: Applicant):
    """The application form, generated from the permit type's definition."""
    definition = catalogue.definition_of(catalogue.latest_type(session, code=code.upper()))
    return _render(
        request,
        "apply.html",
        {"user": user, "definition": definition, "values": {}},
    )


@router.post("/permits/apply/{code}", response_class=HTMLResponse, dependencies=[CsrfChecked])
async def apply(code: str, request: Request, session: SessionDep, user: Applicant, clock: ClockDep):
    """File the application; on a mistake, the form again with the field named."""
    settings = request.app.state.settings
    values, files = await read_upload_form(request, settings.permits_upload_max_bytes)
    try:
        application = service.apply(
            session,
            applicant=user,
            type_code=code.upper(),
            values=values,
            files=files,
            now=clock(),
            settings=settings,
        )
    except DomainError as error:
        session.rollback()
        definition = catalogue.definition_of(catalogue.latest_type(session, code=code.upper()))
        return _render(
            request,
            "apply.html",
            {
                "user": user,
                "definition": definition,
                "values": values,
                "errors": forms.from_domain(error),
            },
            status_code=error.status_code,
        )
    return RedirectResponse(f"/permits/mine/{application.tracking_number}", status_code=303)


@router.get("/permits/mine", response_class=HTMLResponse)
def mine(request: Request, session: SessionDep, user: Applicant, page: Page = 1):
    """Your applications, a page at a time."""
    listing = casework.my_applications_page(session, applicant=user, page=page)
    return _render(request, "mine.html", {"user": user, **dict(listing)})


@router.get("/permits/mine/{number}", response_class=HTMLResponse)
def my_application(
    number: NumberPath, request: Request, session: SessionDep, user: Applicant, clock: ClockDep
):
    """Your application in full, with every officer who opened your data, when and why."""
    page = casework.my_application(
        session, number=number, applicant=user, settings=request.app.state.settings, now=clock()
    )
    return _render(request, "my_application.html", {"user": user, **dict(page)})


@router.post("/permits/mine/{number}/respond", dependencies=[CsrfChecked])
async def respond(
    number: NumberPath, request: Request, session: SessionDep, user: Applicant, clock: ClockDep
):
    """Answer a request for information (the document it names, or a written answer); the
    clock starts again."""
    settings = request.app.state.settings
    values, files = await read_upload_form(request, settings.permits_upload_max_bytes)
    try:
        information.respond(
            session,
            number=number,
            applicant=user,
            files=files,
            answer=values.get("answer"),
            now=clock(),
            settings=settings,
        )
    except DomainError as error:
        if error.status_code not in (409, 422):  # not theirs, or gone: the error page says so
            raise
        session.rollback()
        page = casework.my_application(
            session, number=number, applicant=user, settings=settings, now=clock()
        )
        # At the control the request asked for: a written answer, the named document, or (for
        # a request naming neither) the form's first document.
        errors = forms.from_domain(
            error,
            names={"doc_requested": "r-requested", "files": _first_document_id(page)},
        )
        context = {"user": user, **dict(page), "errors": errors, "typed": values}
        return _render(request, "my_application.html", context, status_code=error.status_code)
    return RedirectResponse(f"/permits/mine/{number.upper()}", status_code=303)


def _first_document_id(page) -> str:
    documents = page.definition.documents
    return f"r-{documents[0].code}" if documents else "respond"


@router.post("/permits/mine/{number}/withdraw", dependencies=[CsrfChecked])
def withdraw(
    number: NumberPath,
    request: Request,
    session: SessionDep,
    user: Applicant,
    clock: ClockDep,
    note: Annotated[str, Form(max_length=1000)] = "",
):
    """Withdraw your application."""
    service.act(
        session,
        number=number,
        action=Action.WITHDRAW,
        actor=user,
        now=clock(),
        settings=request.app.state.settings,
        note=note,
    )
    return RedirectResponse(f"/permits/mine/{number.upper()}", status_code=303)


@router.get("/permits/mine/{number}/receipt.pdf")
def receipt(
    number: NumberPath, request: Request, session: SessionDep, user: Applicant, clock: ClockDep
):
    """The receipt of your application: its tracking number, date and documents."""
    page = casework.my_application(
        session, number=number, applicant=user, settings=request.app.state.settings, now=clock()
    )
    pdf = render_pdf(
        request.app.state.templates.env,
        "permits/pdf/receipt.html",
        {"permit": page.permit, "documents": page.documents, "definition": page.definition},
    )
    number = page.permit.tracking_number
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"content-disposition": f'inline; filename="receipt-{number}.pdf"'},
    )


@router.get("/permits/mine/{number}/documents/{document_id}")
def my_document(
    number: NumberPath, document_id: Id, request: Request, session: SessionDep, user: Applicant
):
    """One of your own uploaded documents."""
    found = data_access.open_own(
        session,
        number=number,
        document_id=document_id,
        applicant=user,
        settings=request.app.state.settings,
    )
    return FileResponse(found.path, media_type=found.content_type, filename=found.download_name)
