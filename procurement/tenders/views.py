"""The buyer's pages for a tender (draft, manage, publish, answer, amend, cancel) and a
supplier's question."""

from __future__ import annotations

import base64
from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import ValidationError

from core.auth.models import User
from core.auth.rules import member_organisation_id
from core.db import SessionDep
from core.errors import DomainError, InvalidInput
from core.types import Id
from procurement.dependencies import BuyerUser, CsrfChecked, SupplierUser
from procurement.pages import (
    local_time,
    manage_page,
    minor_units,
    problems,
    public_view,
    render,
    run_step,
    tender_page,
)
from procurement.tenders import amendments, questions
from procurement.tenders import queries as tender_queries
from procurement.tenders import service as tender_service
from procurement.tenders.models import AwardCriteria, Category, Method, TenderStatus
from procurement.tenders.schemas import (
    AmendmentIn,
    AnswerIn,
    CancelIn,
    DocumentIn,
    QuestionIn,
    TenderDraftIn,
)

router = APIRouter(include_in_schema=False)


MINUTE = "%Y-%m-%dT%H:%M"


ITEM_ROWS = 5


LOT_ROWS = 4


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


def _new_form(request: Request, user: User, *, values, error=None, status_code=200, tender_id=None):
    return render(
        request,
        "procurement/tender_new.html",
        {
            "tender_id": tender_id,
            "values": values,
            "error": error,
            "categories": list(Category),
            "methods": list(Method),
            "criteria_kinds": list(AwardCriteria),
            "item_rows": ITEM_ROWS,
            "lot_rows": LOT_ROWS,
        },
        user=user,
        status_code=status_code,
    )


@router.get("/buyer/tenders/new", response_class=HTMLResponse)
def new_tender(request: Request, user: BuyerUser):
    """The form of a new draft tender."""
    values = {
        "currency": "THB",
        "standstill_days": "10",
        "method": "open",
        "award_criteria": "lowest_price",
        "category": "goods",
    }
    return _new_form(request, user, values=values)


def _draft_from(form, zone) -> TenderDraftIn:
    """Read the new-tender form into the service's draft schema."""
    lots = []
    for n, (title, description, value) in enumerate(_lot_rows(form), start=1):
        if title or description or value:
            lots.append(
                {
                    "title": title,
                    "description": description,
                    "estimated_value": minor_units(value, field=f"Lot {n} estimated value"),
                }
            )
    items = []
    for n, (description, quantity, unit, lot) in enumerate(_item_rows(form), start=1):
        if description or quantity or unit:
            if lot and not lot.isdigit():
                raise InvalidInput(f"Item {n} lot: enter the lot's number (1, 2, ...).")
            items.append(
                {
                    "description": description,
                    "quantity": quantity or "0",
                    "unit": unit,
                    "lot": int(lot) if lot else None,
                }
            )
    if not items:
        raise InvalidInput("Items: describe at least one item (description, quantity, unit).")
    criteria = []
    for line in str(form.get("criteria", "")).splitlines():
        if line.strip():
            name, _, weight = line.rpartition(":")
            if not name.strip() or not weight.strip().isdigit():
                raise InvalidInput(
                    f"Criteria: write one per line as 'name: weight', not {line.strip()!r}."
                )
            criteria.append({"name": name.strip(), "weight": int(weight)})
    invited = [s.strip() for s in str(form.get("invited", "")).replace(",", " ").split()]
    times = {
        field: local_time(form.get(field), zone=zone, field=label)
        for field, label in (
            ("enquiry_end_at", "Enquiry period ends"),
            ("tender_start_at", "Tender period starts"),
            ("tender_end_at", "Bid deadline"),
            ("opening_at", "Opening time"),
        )
    }
    try:
        return TenderDraftIn(
            title=str(form.get("title", "")).strip(),
            description=str(form.get("description", "")).strip(),
            category=form.get("category"),
            method=form.get("method") or "open",
            estimated_value=minor_units(form.get("estimated_value"), field="Estimated value"),
            currency=str(form.get("currency") or "THB").strip().upper(),
            award_criteria=form.get("award_criteria") or "lowest_price",
            criteria=criteria,
            eligibility=str(form.get("eligibility", "")).strip(),
            invited_suppliers=[s for s in invited if s],
            standstill_days=form.get("standstill_days") or 10,
            items=items,
            lots=lots,
            **times,
        )
    except ValidationError as error:
        raise InvalidInput(problems(error)) from None


def _item_rows(form) -> list[tuple[str, ...]]:
    columns = [form.getlist(f"item_{name}") for name in ("description", "quantity", "unit", "lot")]
    length = max(len(c) for c in columns)
    return [tuple(str(c[i]).strip() if i < len(c) else "" for c in columns) for i in range(length)]


def _lot_rows(form) -> list[tuple[str, ...]]:
    columns = [form.getlist(f"lot_{name}") for name in ("title", "description", "value")]
    length = max(len(c) for c in columns)
    return [tuple(str(c[i]).strip() if i < len(c) else "" for c in columns) for i in range(length)]


@router.post("/buyer/tenders", dependencies=[CsrfChecked])
async def create_tender(request: Request, session: SessionDep, user: BuyerUser):
    """Save a new draft; its page follows, to attach documents and publish."""
    form = await request.form()
    try:
        draft = _draft_from(form, request.app.state.settings.zone)
        tender = tender_service.create_draft(
            session, buyer=user, draft=draft, now=request.app.state.clock()
        )
    except DomainError as error:
        values = {key: form.get(key) for key in form}
        values["items"] = _item_rows(form)
        values["lots"] = _lot_rows(form)
        return _new_form(
            request, user, values=values, error=error.message, status_code=error.status_code
        )
    return RedirectResponse(f"/buyer/tenders/{tender.id}", status_code=303)


@router.get("/buyer/tenders/{tender_id}/edit", response_class=HTMLResponse)
def edit_form(request: Request, session: SessionDep, user: BuyerUser, tender_id: Id):
    """The draft form again, filled in with the draft."""
    values = tender_queries.draft_form_values(
        session,
        organisation_id=user.organisation_id,
        tender_id=tender_id,
        zone=request.app.state.settings.zone,
    )
    return _new_form(request, user, values=values, tender_id=tender_id)


@router.post("/buyer/tenders/{tender_id}/edit", dependencies=[CsrfChecked])
async def edit(request: Request, session: SessionDep, user: BuyerUser, tender_id: Id):
    """Save every field, item and lot of the draft; its dates are checked now."""
    form = await request.form()
    settings = request.app.state.settings
    try:
        draft = _draft_from(form, settings.zone)
        tender_service.update_draft(
            session,
            buyer=user,
            tender_id=tender_id,
            draft=draft,
            now=request.app.state.clock(),
            settings=settings,
        )
    except DomainError as error:
        session.rollback()
        values = {key: form.get(key) for key in form}
        values["items"] = _item_rows(form)
        values["lots"] = _lot_rows(form)
        return _new_form(
            request,
            user,
            values=values,
            error=error.message,
            status_code=error.status_code,
            tender_id=tender_id,
        )
    return RedirectResponse(f"/buyer/tenders/{tender_id}?saved=1", status_code=303)


@router.post("/buyer/tenders/{tender_id}/delete", dependencies=[CsrfChecked])
def delete_draft(
    session: SessionDep,
    user: BuyerUser,
    tender_id: Id,
    confirm: Annotated[str, Form()] = "",
):
    """Delete a draft, once the buyer confirmed it."""
    if confirm != "yes":
        raise InvalidInput("Tick the box to confirm deleting the draft; nothing was deleted.")
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

    def action():
        if not content:
            raise InvalidInput("Choose a PDF file to upload.")
        tender_service.add_document(
            session,
            buyer=user,
            tender_id=tender_id,
            title=title.strip() or (file.filename or "Document")[:200],
            content=content,
            now=request.app.state.clock(),
            settings=request.app.state.settings,
        )

    return run_step(request, session, user, tender_id, "documents", action)


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
            raise InvalidInput(f"Tender {tender_id} has no question {question_id}.")
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
    )


@router.post("/buyer/tenders/{tender_id}/amend", dependencies=[CsrfChecked])
async def amend(request: Request, session: SessionDep, user: BuyerUser, tender_id: Id):
    """Amend the open tender: only the fields that differ from the notice are changed."""
    form = await request.form()
    uploads = [u for u in form.getlist("documents") if not isinstance(u, str) and u.filename]
    contents = [(u.filename[:200], await u.read()) for u in uploads]
    values = {key: str(form.get(key, "")) for key in form if key != "documents"}
    view = public_view(request, session, tender_id=tender_id, user=user)
    zone = request.app.state.settings.zone

    def action():
        changed: dict = {}
        for field in ("title", "description", "eligibility"):
            text = values.get(field, "").strip()
            if text and text != getattr(view, field).strip():
                changed[field] = text
        value = values.get("estimated_value", "").strip()
        if value and minor_units(value, field="Estimated value") != view.estimated_value:
            changed["estimated_value"] = minor_units(value, field="Estimated value")
        for field, label in (
            ("enquiry_end_at", "Enquiry period ends"),
            ("tender_end_at", "Bid deadline"),
            ("opening_at", "Opening time"),
        ):
            text = values.get(field, "").strip()
            if text and text != getattr(view, field).astimezone(zone).strftime(MINUTE):
                changed[field] = local_time(text, zone=zone, field=label)
        documents = [
            DocumentIn(title=title, content_base64=base64.b64encode(content).decode())
            for title, content in contents
            if content
        ]
        amendment = AmendmentIn(
            rationale=values.get("rationale", "").strip(), documents=documents, **changed
        )
        amendments.amend(
            session,
            buyer=user,
            tender_id=tender_id,
            amendment=amendment,
            now=request.app.state.clock(),
            settings=request.app.state.settings,
        )

    return run_step(request, session, user, tender_id, "amend", action, values=values)


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
    try:
        try:
            text = QuestionIn(question=question.strip()).question
        except ValidationError as error:
            raise InvalidInput(problems(error)) from None
        questions.ask_question(
            session,
            supplier=user,
            tender_id=tender_id,
            question=text,
            now=request.app.state.clock(),
        )
    except DomainError as error:
        return tender_page(
            request,
            session,
            tender_id=tender_id,
            user=user,
            error=error.message,
            error_form="question",
            status_code=error.status_code,
            values={"question": question},
        )
    return RedirectResponse(f"/tenders/{tender_id}#questions", status_code=303)
