"""The buyer's pages for a tender (manage, documents, publish, answer, amend, cancel) and a
supplier's question; the draft form is in draft_views.py."""

from __future__ import annotations

import base64
from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import ValidationError

from core import forms
from core.auth.rules import member_organisation_id
from core.db import SessionDep
from core.errors import DomainError, InvalidInput
from core.i18n import gettext
from core.types import Id
from procurement.dependencies import BuyerUser, CsrfChecked, SupplierUser
from procurement.pages import (
    local_time,
    manage_page,
    minor_units,
    public_view,
    render,
    run_step,
    tender_page,
)
from procurement.tenders import amendments, questions
from procurement.tenders import queries as tender_queries
from procurement.tenders import service as tender_service
from procurement.tenders.models import TenderStatus
from procurement.tenders.schemas import AmendmentIn, AnswerIn, CancelIn, DocumentIn, QuestionIn

router = APIRouter(include_in_schema=False)


MINUTE = "%Y-%m-%dT%H:%M"
# The amendment's fields, by the id of their control on the tender's page.
AMENDMENT_CONTROLS = {
    "rationale": "rationale",
    "title": "a-title",
    "description": "a-description",
    "eligibility": "a-eligibility",
    "estimated_value": "a-value",
    "enquiry_end_at": "a-enquiry",
    "tender_end_at": "a-deadline",
    "opening_at": "a-opening",
    "documents": "a-documents",
}


@router.get("/buyer", response_class=HTMLResponse)
def buyer_home(request: Request, session: SessionDep, user: BuyerUser):
    """The buyer's dashboard: their organisation's tenders by status, drafts included."""
    grouped = tender_queries.buyer_tenders(
        session,
        organisation_id=member_organisation_id(user),
        prefix=request.app.state.settings.ocid_prefix,
    )
    waiting = tender_queries.waiting_questions(
        session, organisation_id=member_organisation_id(user)
    )
    now = request.app.state.clock()
    due = [t for t in grouped[TenderStatus.ACTIVE] if t.opening_at <= now]
    context = {"grouped": grouped, "questions": waiting, "to_open": due}
    return render(request, "procurement/buyer.html", context, user=user)


@router.post("/buyer/tenders/{tender_id}/delete", dependencies=[CsrfChecked])
def delete_draft(
    session: SessionDep,
    user: BuyerUser,
    tender_id: Id,
    confirm: Annotated[str, Form()] = "",
):
    """Delete a draft, once the buyer confirmed it."""
    if confirm != "yes":
        raise InvalidInput(
            gettext("Tick the box to confirm deleting the draft; nothing was deleted.")
        )
    tender_service.delete_draft(session, buyer=user, tender_id=tender_id)
    return RedirectResponse("/buyer?deleted=1", status_code=303)


@router.get("/buyer/tenders/{tender_id}", response_class=HTMLResponse)
def manage(request: Request, session: SessionDep, user: BuyerUser, tender_id: Id):
    """Everything the owning buyer may do with a tender now."""
    return manage_page(request, session, user, tender_id)


@router.post("/buyer/tenders/{tender_id}/documents", dependencies=[CsrfChecked])
async def upload_document(
    request: Request,
    session: SessionDep,
    user: BuyerUser,
    tender_id: Id,
    title: Annotated[str, Form(max_length=200)] = "",
    file: Annotated[UploadFile | None, File()] = None,
):
    """Attach a PDF to a draft; its SHA-256 is published with the tender."""
    content = await file.read() if file is not None else b""
    filename = (file.filename if file is not None else None) or "Document"

    def action():
        if not content:
            raise InvalidInput(gettext("Choose a PDF file to upload."), field="doc-file")
        tender_service.add_document(
            session,
            buyer=user,
            tender_id=tender_id,
            title=title.strip() or filename[:200],
            content=content,
            now=request.app.state.clock(),
            settings=request.app.state.settings,
        )

    return run_step(
        request,
        session,
        user,
        tender_id,
        "documents",
        action,
        values={"doc-title": title},
        names={"doc-file": "doc-file", "title": "doc-title"},
    )


@router.post("/buyer/tenders/{tender_id}/publish", dependencies=[CsrfChecked])
def publish(request: Request, session: SessionDep, user: BuyerUser, tender_id: Id):
    """Publish the draft: it becomes public and starts taking sealed bids."""
    return run_step(
        request,
        session,
        user,
        tender_id,
        "publish",
        lambda: tender_service.publish(
            session,
            buyer=user,
            tender_id=tender_id,
            now=request.app.state.clock(),
            settings=request.app.state.settings,
        ),
    )


@router.post(
    "/buyer/tenders/{tender_id}/questions/{question_id}/answer", dependencies=[CsrfChecked]
)
def answer_question(
    request: Request,
    session: SessionDep,
    user: BuyerUser,
    tender_id: Id,
    question_id: Id,
    answer: Annotated[str, Form()] = "",
):
    """Answer a clarification question; question and answer are published."""
    view = public_view(request, session, tender_id=tender_id, user=user)

    def action():
        if question_id not in [q.id for q in view.questions]:
            raise InvalidInput(
                gettext("Tender %(tender)s has no question %(question)s.")
                % {"tender": tender_id, "question": question_id}
            )
        questions.answer_question(
            session,
            buyer=user,
            clarification_id=question_id,
            answer=AnswerIn(answer=answer.strip()).answer,
            now=request.app.state.clock(),
            settings=request.app.state.settings,
        )

    return run_step(
        request,
        session,
        user,
        tender_id,
        f"question-{question_id}",
        action,
        values={f"answer-{question_id}": answer},
        names={"answer": f"answer-{question_id}"},
    )


@router.post("/buyer/tenders/{tender_id}/amend", dependencies=[CsrfChecked])
async def amend(request: Request, session: SessionDep, user: BuyerUser, tender_id: Id):
    """Amend the open tender: only the fields that differ from the notice are changed."""
    form = await request.form()
    uploads = [u for u in form.getlist("documents") if not isinstance(u, str) and u.filename]
    contents = [((u.filename or "")[:200], await u.read()) for u in uploads]
    values = {key: str(form.get(key, "")) for key in form if key != "documents"}
    view = public_view(request, session, tender_id=tender_id, user=user)
    settings = request.app.state.settings
    zone = settings.zone

    def action():
        # The whole form is read before refusing it: every bad field is named at once.
        changed: dict = {}
        for field in ("title", "description", "eligibility"):
            text = values.get(field, "").strip()
            if text and text != getattr(view, field).strip():
                changed[field] = text
        check = forms.Checker()
        value = values.get("estimated_value", "").strip()
        if value:
            amount = check.read("a-value", minor_units, value, field="a-value")
            if amount is not None and amount != view.estimated_value:
                changed["estimated_value"] = amount
        dates = {}
        for field in amendments.DATES:
            text = values.get(field, "").strip()
            if text and text != getattr(view, field).astimezone(zone).strftime(MINUTE):
                control = AMENDMENT_CONTROLS[field]
                moment = check.read(control, local_time, text, zone=zone, field=control)
                if moment is not None:
                    dates[field] = changed[field] = moment
        documents = [
            DocumentIn(title=title, content_base64=base64.b64encode(content).decode())
            for title, content in contents
            if content
        ]
        amendment = None
        try:
            amendment = AmendmentIn(
                rationale=values.get("rationale", "").strip(), documents=documents, **changed
            )
        except ValidationError as error:
            controls = AMENDMENT_CONTROLS
            check.errors |= forms.from_validation(error, known=controls.values(), names=controls)
        now = request.app.state.clock()
        late = amendments.date_problems(view, dates, now=now, settings=settings)
        for field, problem in late.items():
            check.add(AMENDMENT_CONTROLS[field], problem)
        if check.errors or amendment is None:
            raise forms.Invalid(check.errors.ordered(AMENDMENT_CONTROLS.values()))
        amendments.amend(
            session,
            buyer=user,
            tender_id=tender_id,
            amendment=amendment,
            now=now,
            settings=settings,
        )

    return run_step(
        request, session, user, tender_id, "amend", action, values=values, names=AMENDMENT_CONTROLS
    )


@router.post("/buyer/tenders/{tender_id}/cancel", dependencies=[CsrfChecked])
def cancel(
    request: Request,
    session: SessionDep,
    user: BuyerUser,
    tender_id: Id,
    reason: Annotated[str, Form()] = "",
):
    """Cancel the tender, with a public reason."""
    return run_step(
        request,
        session,
        user,
        tender_id,
        "cancel",
        lambda: tender_service.cancel(
            session,
            buyer=user,
            tender_id=tender_id,
            reason=CancelIn(reason=reason.strip()).reason,
            now=request.app.state.clock(),
            settings=request.app.state.settings,
        ),
        values={"reason": reason},
        names={"reason": "reason"},
    )


@router.post("/tenders/{tender_id}/questions", dependencies=[CsrfChecked])
def ask(
    request: Request,
    session: SessionDep,
    user: SupplierUser,
    tender_id: Id,
    question: Annotated[str, Form()] = "",
):
    """Ask the buyer a clarification question; it is published without the asker's name."""
    names = {"question": "question-text"}
    try:
        text = QuestionIn(question=question.strip()).question
        questions.ask_question(
            session,
            supplier=user,
            tender_id=tender_id,
            question=text,
            now=request.app.state.clock(),
            settings=request.app.state.settings,
        )
    except (ValidationError, DomainError) as error:
        session.rollback()
        errors = forms.from_error(error, known=names.values(), names=names)
        return tender_page(
            request,
            session,
            tender_id=tender_id,
            user=user,
            errors=errors,
            error_form="question",
            status_code=error.status_code if isinstance(error, DomainError) else 422,
            values={"question": question},
        )
    return RedirectResponse(f"/tenders/{tender_id}#questions", status_code=303)
