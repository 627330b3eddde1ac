"""A buyer's pages: the dashboard, new tenders, and every step of a tender's life.

Each step posts a form; a refused step re-renders the tender's page with the reason in that
form, at the status the domain error carries.
"""

from __future__ import annotations

import base64
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import ValidationError

from core.auth.csrf import verify_csrf
from core.auth.dependencies import require_role
from core.auth.models import Role, User
from core.db import SessionDep
from core.errors import DomainError, InvalidInput
from procurement import awarding, dashboards, opening, service
from procurement.models import AwardCriteria, Category, Method
from procurement.pages import local_time, minor_units, problems, public_view, render
from procurement.schemas import (
    AmendmentIn,
    AnswerIn,
    AwardIn,
    CancelIn,
    ComplaintAnswerIn,
    ContractIn,
    DisqualifyIn,
    DocumentIn,
    TenderDraftIn,
)

router = APIRouter(include_in_schema=False)
CsrfChecked = Depends(verify_csrf)
BuyerUser = Annotated[User, Depends(require_role(Role.BUYER))]
MINUTE = "%Y-%m-%dT%H:%M"
ITEM_ROWS = 5
LOT_ROWS = 4


@router.get("/buyer", response_class=HTMLResponse)
def buyer_home(request: Request, session: SessionDep, user: BuyerUser):
    """The buyer's dashboard: their organisation's tenders by status, drafts included."""
    grouped = dashboards.buyer_tenders(
        session,
        organisation_id=user.organisation_id,
        prefix=request.app.state.settings.ocid_prefix,
    )
    return render(request, "procurement/buyer.html", {"grouped": grouped}, user=user)


def _new_form(request: Request, user: User, *, values, error=None, status_code=200):
    return render(
        request,
        "procurement/tender_new.html",
        {
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
        tender = service.create_draft(
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


def _manage(
    request: Request,
    session,
    user: User,
    tender_id: int,
    *,
    error: str | None = None,
    error_form: str | None = None,
    values: dict | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    service.owned_tender(session, buyer=user, tender_id=tender_id)  # 404 / 403 for others
    view = public_view(request, session, tender_id=tender_id, user=user)
    return render(
        request,
        "procurement/buyer_tender.html",
        {
            "manage": True,
            "tender": view,
            "now": request.app.state.clock(),
            "error": error,
            "error_form": error_form,
            "values": values or {},
        },
        user=user,
        status_code=status_code,
    )


@router.get("/buyer/tenders/{tender_id}", response_class=HTMLResponse)
def manage(request: Request, session: SessionDep, user: BuyerUser, tender_id: int):
    """Everything the owning buyer may do with a tender now."""
    return _manage(request, session, user, tender_id)


def _step(request, session, user, tender_id, form_name, action, values=None):
    """Run one step; on a domain error, show the tender's page with the reason in that form."""
    service.owned_tender(session, buyer=user, tender_id=tender_id)
    try:
        action()
    except ValidationError as error:
        return _manage(
            request,
            session,
            user,
            tender_id,
            error=problems(error),
            error_form=form_name,
            values=values,
            status_code=422,
        )
    except DomainError as error:
        return _manage(
            request,
            session,
            user,
            tender_id,
            error=error.message,
            error_form=form_name,
            values=values,
            status_code=error.status_code,
        )
    return RedirectResponse(f"/buyer/tenders/{tender_id}#{form_name}", status_code=303)


@router.post("/buyer/tenders/{tender_id}/documents", dependencies=[CsrfChecked])
async def upload_document(
    request: Request,
    session: SessionDep,
    user: BuyerUser,
    tender_id: int,
    title: Annotated[str, Form(max_length=200)] = "",
    file: Annotated[UploadFile | None, File()] = None,
):
    """Attach a PDF to a draft; its SHA-256 is published with the tender."""
    content = await file.read() if file is not None else b""

    def action():
        if not content:
            raise InvalidInput("Choose a PDF file to upload.")
        service.add_document(
            session,
            buyer=user,
            tender_id=tender_id,
            title=title.strip() or (file.filename or "Document")[:200],
            content=content,
            now=request.app.state.clock(),
            settings=request.app.state.settings,
        )

    return _step(request, session, user, tender_id, "documents", action)


@router.post("/buyer/tenders/{tender_id}/publish", dependencies=[CsrfChecked])
def publish(request: Request, session: SessionDep, user: BuyerUser, tender_id: int):
    """Publish the draft: it becomes public and starts taking sealed bids."""
    return _step(
        request,
        session,
        user,
        tender_id,
        "publish",
        lambda: service.publish(
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
    tender_id: int,
    question_id: int,
    answer: Annotated[str, Form()] = "",
):
    """Answer a clarification question; question and answer are published."""
    view = public_view(request, session, tender_id=tender_id, user=user)

    def action():
        if question_id not in [q.id for q in view.questions]:
            raise InvalidInput(f"Tender {tender_id} has no question {question_id}.")
        service.answer_question(
            session,
            buyer=user,
            clarification_id=question_id,
            answer=AnswerIn(answer=answer.strip()).answer,
            now=request.app.state.clock(),
            settings=request.app.state.settings,
        )

    return _step(
        request,
        session,
        user,
        tender_id,
        f"question-{question_id}",
        action,
        values={f"answer-{question_id}": answer},
    )


@router.post("/buyer/tenders/{tender_id}/amend", dependencies=[CsrfChecked])
async def amend(request: Request, session: SessionDep, user: BuyerUser, tender_id: int):
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
        service.amend(
            session,
            buyer=user,
            tender_id=tender_id,
            amendment=amendment,
            now=request.app.state.clock(),
            settings=request.app.state.settings,
        )

    return _step(request, session, user, tender_id, "amend", action, values=values)


@router.post("/buyer/tenders/{tender_id}/cancel", dependencies=[CsrfChecked])
def cancel(
    request: Request,
    session: SessionDep,
    user: BuyerUser,
    tender_id: int,
    reason: Annotated[str, Form()] = "",
):
    """Cancel the tender, with a public reason."""
    return _step(
        request,
        session,
        user,
        tender_id,
        "cancel",
        lambda: service.cancel(
            session,
            buyer=user,
            tender_id=tender_id,
            reason=CancelIn(reason=reason.strip()).reason,
            now=request.app.state.clock(),
            settings=request.app.state.settings,
        ),
        values={"reason": reason},
    )


@router.post("/buyer/tenders/{tender_id}/open", dependencies=[CsrfChecked])
def open_bids(request: Request, session: SessionDep, user: BuyerUser, tender_id: int):
    """Open the sealed bids: allowed only at or after the opening time."""
    return _step(
        request,
        session,
        user,
        tender_id,
        "open",
        lambda: opening.open_tender(
            session,
            tender_id=tender_id,
            now=request.app.state.clock(),
            settings=request.app.state.settings,
            buyer=user,
        ),
    )


@router.post("/buyer/tenders/{tender_id}/bids/{bid_id}/disqualify", dependencies=[CsrfChecked])
def disqualify(
    request: Request,
    session: SessionDep,
    user: BuyerUser,
    tender_id: int,
    bid_id: int,
    reason: Annotated[str, Form()] = "",
):
    """Disqualify an opened bid, with a public reason."""
    view = public_view(request, session, tender_id=tender_id, user=user)

    def action():
        if bid_id not in [b.id for b in view.opening or []]:
            raise InvalidInput(f"Tender {tender_id} has no opened bid {bid_id}.")
        awarding.disqualify(
            session,
            buyer=user,
            bid_id=bid_id,
            reason=DisqualifyIn(reason=reason.strip()).reason,
            now=request.app.state.clock(),
            settings=request.app.state.settings,
        )

    return _step(
        request,
        session,
        user,
        tender_id,
        f"bid-{bid_id}",
        action,
        values={f"reason-{bid_id}": reason},
    )


@router.post("/buyer/tenders/{tender_id}/award", dependencies=[CsrfChecked])
async def award(request: Request, session: SessionDep, user: BuyerUser, tender_id: int):
    """Decide the award (lowest price, or best value from the scores given)."""
    form = await request.form()
    values = {key: str(form.get(key, "")) for key in form}

    def action():
        scores: dict[int, list[int]] = {}
        for key, value in values.items():
            if key.startswith("score-") and value.strip():
                _, bid_id, position = key.split("-")
                if not value.strip().isdigit():
                    raise InvalidInput("Scores are whole numbers from 0 to 100.")
                scores.setdefault(int(bid_id), []).append((int(position), int(value)))
        lot = values.get("lot", "").strip()
        decision = AwardIn(
            lot=int(lot) if lot.isdigit() else None,
            justification=values.get("justification", "").strip(),
            scores={b: [s for _, s in sorted(pairs)] for b, pairs in scores.items()},
        )
        awarding.award(
            session,
            buyer=user,
            tender_id=tender_id,
            decision=decision,
            now=request.app.state.clock(),
            settings=request.app.state.settings,
        )

    return _step(request, session, user, tender_id, "award", action, values=values)


@router.post(
    "/buyer/tenders/{tender_id}/complaints/{complaint_id}/answer", dependencies=[CsrfChecked]
)
def answer_complaint(
    request: Request,
    session: SessionDep,
    user: BuyerUser,
    tender_id: int,
    complaint_id: int,
    response: Annotated[str, Form()] = "",
):
    """Answer a complaint; the award becomes final only when every complaint is answered."""
    view = public_view(request, session, tender_id=tender_id, user=user)

    def action():
        if complaint_id not in [c.id for a in view.awards for c in a.complaints]:
            raise InvalidInput(f"Tender {tender_id} has no complaint {complaint_id}.")
        awarding.answer_complaint(
            session,
            buyer=user,
            complaint_id=complaint_id,
            response=ComplaintAnswerIn(response=response.strip()).response,
            now=request.app.state.clock(),
            settings=request.app.state.settings,
        )

    return _step(
        request,
        session,
        user,
        tender_id,
        f"complaint-{complaint_id}",
        action,
        values={f"response-{complaint_id}": response},
    )


@router.post("/buyer/tenders/{tender_id}/contract", dependencies=[CsrfChecked])
def contract(
    request: Request,
    session: SessionDep,
    user: BuyerUser,
    tender_id: int,
    value: Annotated[str, Form()] = "",
    start_date: Annotated[str, Form()] = "",
    end_date: Annotated[str, Form()] = "",
    signed_date: Annotated[str, Form()] = "",
    award_id: Annotated[int | None, Form()] = None,
):
    """Record the signed contract of a final award (on a lotted tender, the one chosen)."""
    view = public_view(request, session, tender_id=tender_id, user=user)
    values = {
        "value": value,
        "start_date": start_date,
        "end_date": end_date,
        "signed_date": signed_date,
    }
    form_name = f"contract-{award_id}" if award_id else "contract"

    def action():
        final = [a for a in view.awards if a.status == "final"]
        if not final:
            raise InvalidInput("A contract follows a final award (after the standstill period).")
        chosen = (
            final[-1] if award_id is None else next((a for a in final if a.id == award_id), None)
        )
        if chosen is None:
            raise InvalidInput(f"Award {award_id} of this tender is not final yet.")
        awarding.sign_contract(
            session,
            buyer=user,
            award_id=chosen.id,
            contract=ContractIn(
                value=minor_units(value, field="Contract value"),
                start_date=start_date or None,
                end_date=end_date or None,
                signed_date=signed_date or None,
            ),
            now=request.app.state.clock(),
            settings=request.app.state.settings,
        )

    return _step(request, session, user, tender_id, form_name, action, values=values)
