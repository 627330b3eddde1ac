"""JSON twins of what applicants and officers do on their pages: apply with documents, read
one's own applications and download their documents, answer a request for information,
withdraw; an officer opens an uploaded document (recorded in the applicant's access log)."""

from __future__ import annotations

from fastapi import APIRouter, Request, status
from fastapi.responses import FileResponse

from core.clock import ClockDep
from core.db import SessionDep
from core.types import Id
from permits import casework, information, service
from permits import personal_data as data_access
from permits.dependencies import Applicant, NumberPath, Officer, read_upload_form
from permits.rules import Action
from permits.schemas import MyApplication, OpenDocument, PermitPublic, PermitSummary

# Mounted before permits.api: these fixed paths win over /api/permits/{number}.
router = APIRouter(prefix="/api/permits", tags=["permits"])


@router.post("/apply/{code}", status_code=status.HTTP_201_CREATED, response_model=MyApplication)
async def apply(code: str, request: Request, session: SessionDep, user: Applicant, clock: ClockDep):
    """File an application: multipart form fields as the permit type names them, and each
    document as a file field `doc_<requirement>`."""
    settings = request.app.state.settings
    values, files = await read_upload_form(request, settings.permits_upload_max_bytes)
    application = service.apply(
        session,
        applicant=user,
        type_code=code.upper(),
        values=values,
        files=files,
        now=clock(),
        settings=settings,
    )
    return casework.my_application(
        session,
        number=application.tracking_number,
        applicant=user,
        settings=settings,
        now=clock(),
    )


@router.get("/mine", response_model=list[PermitSummary])
def mine(session: SessionDep, user: Applicant):
    """Your applications."""
    return casework.my_applications(session, applicant=user)


@router.get("/mine/{number}", response_model=MyApplication)
def my_application(
    number: NumberPath, request: Request, session: SessionDep, user: Applicant, clock: ClockDep
):
    """Your application in full, with every officer who opened your data, when and why."""
    return casework.my_application(
        session, number=number, applicant=user, settings=request.app.state.settings, now=clock()
    )


@router.get("/mine/{number}/documents/{document_id}")
def my_document(
    number: NumberPath, document_id: Id, request: Request, session: SessionDep, user: Applicant
):
    """One of your uploaded documents."""
    found = data_access.open_own(
        session,
        number=number,
        document_id=document_id,
        applicant=user,
        settings=request.app.state.settings,
    )
    return FileResponse(found.path, media_type=found.content_type, filename=found.download_name)


@router.post("/mine/{number}/respond", response_model=MyApplication)
async def respond(
    number: NumberPath, request: Request, session: SessionDep, user: Applicant, clock: ClockDep
):
    """Answer a request for information (multipart): the document it names as the file field
    `doc_requested`, a written answer as the field `answer`, or for a request that names
    nothing, the type's documents (`doc_<requirement>`)."""
    settings = request.app.state.settings
    values, files = await read_upload_form(request, settings.permits_upload_max_bytes)
    information.respond(
        session,
        number=number,
        applicant=user,
        files=files,
        answer=values.get("answer"),
        now=clock(),
        settings=settings,
    )
    return casework.my_application(
        session, number=number, applicant=user, settings=settings, now=clock()
    )


@router.post("/mine/{number}/withdraw", response_model=PermitPublic)
def withdraw(
    number: NumberPath, request: Request, session: SessionDep, user: Applicant, clock: ClockDep
):
    """Withdraw your application."""
    settings = request.app.state.settings
    service.act(
        session, number=number, action=Action.WITHDRAW, actor=user, now=clock(), settings=settings
    )
    page = casework.my_application(
        session, number=number, applicant=user, settings=settings, now=clock()
    )
    return page.permit


@router.post("/{number}/documents/{document_id}/open")
def open_document(
    number: NumberPath,
    document_id: Id,
    body: OpenDocument,
    request: Request,
    session: SessionDep,
    user: Officer,
    clock: ClockDep,
):
    """An officer opens an uploaded document; the reason goes into the applicant's access log."""
    found = data_access.open_for_officer(
        session,
        number=number,
        document_id=document_id,
        officer=user,
        reason=body.reason,
        now=clock(),
        settings=request.app.state.settings,
    )
    return FileResponse(found.path, media_type=found.content_type, filename=found.download_name)
