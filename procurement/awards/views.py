"""Pages of awards: the committee's evaluation, the buyer's award and contract, complaints."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import ValidationError

from core.auth.csrf import verify_csrf
from core.db import SessionDep
from core.errors import DomainError, InvalidInput
from core.types import Id
from procurement.awards import rules as award_rules
from procurement.awards import service as awarding
from procurement.awards.schemas import AwardIn, ComplaintAnswerIn, ComplaintIn, DisqualifyIn
from procurement.contracts.schemas import ContractIn
from procurement.dependencies import BuyerUser, CsrfChecked, SupplierUser
from procurement.pages import (
    minor_units,
    problems,
    public_view,
    render,
    run_step,
    tender_page,
)
from procurement.public.schemas import TenderView
from procurement.tenders import service as tender_service

router = APIRouter(include_in_schema=False)


@router.post("/buyer/tenders/{tender_id}/bids/{bid_id}/disqualify", dependencies=[CsrfChecked])
def disqualify(
    request: Request,
    session: SessionDep,
    user: BuyerUser,
    tender_id: Id,
    bid_id: Id,
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

    return run_step(
        request,
        session,
        user,
        tender_id,
        f"bid-{bid_id}",
        action,
        values={f"reason-{bid_id}": reason},
    )


SCORE_FIELD = re.compile(r"score-([0-9]{1,18})-([0-9]{1,3})")  # score-<bid id>-<criterion>
SCORE = re.compile(r"[0-9]{1,3}")


@router.post("/buyer/tenders/{tender_id}/award", dependencies=[CsrfChecked])
async def award(request: Request, session: SessionDep, user: BuyerUser, tender_id: Id):
    """Decide the award (lowest price, or best value from the scores given)."""
    form = await request.form()
    values = {key: str(form.get(key, "")) for key in form}

    def action():
        scores: dict[int, list[tuple[int, int]]] = {}  # bid → (criterion position, score)
        for key, value in values.items():
            if key.startswith("score-") and value.strip():
                field = SCORE_FIELD.fullmatch(key)
                if field is None or not SCORE.fullmatch(value.strip()):
                    raise InvalidInput("Scores are whole numbers from 0 to 100.")
                bid_id, position = int(field.group(1)), int(field.group(2))
                scores.setdefault(bid_id, []).append((position, int(value)))
        lot = values.get("lot", "").strip()
        decision = AwardIn(
            lot=int(lot) if SCORE.fullmatch(lot) else None,
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

    return run_step(request, session, user, tender_id, "award", action, values=values)


@router.post(
    "/buyer/tenders/{tender_id}/complaints/{complaint_id}/answer", dependencies=[CsrfChecked]
)
def answer_complaint(
    request: Request,
    session: SessionDep,
    user: BuyerUser,
    tender_id: Id,
    complaint_id: Id,
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

    return run_step(
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
    tender_id: Id,
    value: Annotated[str, Form()] = "",
    start_date: Annotated[str, Form()] = "",
    end_date: Annotated[str, Form()] = "",
    signed_date: Annotated[str, Form()] = "",
    award_id: Annotated[Id | None, Form()] = None,
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
            contract=ContractIn.model_validate(  # the form's dates are text
                {
                    "value": minor_units(value, field="Contract value"),
                    "start_date": start_date or None,
                    "end_date": end_date or None,
                    "signed_date": signed_date or None,
                }
            ),
            now=request.app.state.clock(),
            settings=request.app.state.settings,
        )

    return run_step(request, session, user, tender_id, form_name, action, values=values)


@router.post("/tenders/{tender_id}/complaints", dependencies=[CsrfChecked])
def complain(
    request: Request,
    session: SessionDep,
    user: SupplierUser,
    tender_id: Id,
    award_id: Annotated[Id, Form()],
    text: Annotated[str, Form()] = "",
):
    """A bidder lodges a complaint against the award during the standstill."""
    view = public_view(request, session, tender_id=tender_id, user=user)
    try:
        if award_id not in [a.id for a in view.awards]:
            raise InvalidInput(f"Tender {tender_id} has no award {award_id}.")
        try:
            body = ComplaintIn(text=text.strip()).text
        except ValidationError as error:
            raise InvalidInput(problems(error)) from None
        awarding.lodge_complaint(
            session,
            supplier=user,
            award_id=award_id,
            text=body,
            now=request.app.state.clock(),
            settings=request.app.state.settings,
        )
    except DomainError as error:
        lotted = any(a.id == award_id and a.lot for a in view.awards)
        return tender_page(
            request,
            session,
            tender_id=tender_id,
            user=user,
            error=error.message,
            error_form=f"complaint-{award_id}" if lotted else "complaint",
            status_code=error.status_code,
            values={"text": text},
        )
    return RedirectResponse(f"/tenders/{tender_id}#award", status_code=303)


def _candidates(view: TenderView, lot: int | None) -> list[dict]:
    """The valid bids that can win (on the lot, if any), each with its price for it."""
    rows = []
    for bid in view.opening or []:
        if bid.status.value != "valid":
            continue
        if lot is None:
            rows.append({"id": bid.id, "supplier": bid.supplier.name, "price": bid.price})
        else:
            for price in bid.lots:
                if price.lot == lot:
                    rows.append({"id": bid.id, "supplier": bid.supplier.name, "price": price.price})
    return rows


def _lot_number(view: TenderView, lot: int | None) -> int | None:
    if not view.lots:
        return None
    if lot is None or lot not in [x.number for x in view.lots]:
        numbers = ", ".join(str(x.number) for x in view.lots)
        raise InvalidInput(f"Choose the lot to evaluate: this tender's lots are {numbers}.")
    return lot


def _read(form, view: TenderView, candidates: list[dict]):
    """Scores, notes and the problems of each field, keyed by the field's name."""
    errors: dict[str, str] = {}
    scores: dict[int, list[int]] = {}
    notes: dict[int, list[str]] = {}
    for bid in candidates:
        for i, _ in enumerate(view.criteria):
            score_key, note_key = f"score-{bid['id']}-{i}", f"note-{bid['id']}-{i}"
            text = str(form.get(score_key, ""))
            problem = award_rules.score_problem(text)
            if problem:
                errors[score_key] = problem
            else:
                scores.setdefault(bid["id"], []).append(int(text.strip()))
            note = str(form.get(note_key, "")).strip()
            if not note:
                errors[note_key] = "justify this score"
            elif len(note) > 2_000:
                errors[note_key] = "keep the justification under 2,000 characters"
            notes.setdefault(bid["id"], []).append(note)
    if not str(form.get("justification", "")).strip():
        errors["justification"] = "write the committee's overall justification"
    return scores, notes, errors


def _ranking(view: TenderView, candidates: list[dict], scores: dict[int, list[int]]):
    weights = [c["weight"] for c in view.criteria]
    scored = [
        award_rules.ScoredBid(
            b["id"], award_rules.weighted_total(weights, scores[b["id"]]), b["price"]
        )
        for b in candidates
    ]
    order = award_rules.rank_by_score(scored)
    return {
        s.bid_id: {"total": f"{s.total / 100:.2f}", "rank": order.index(s.bid_id) + 1}
        for s in scored
    }


def _page(
    request,
    session,
    user,
    tender_id,
    lot,
    *,
    values=None,
    errors=None,
    ranking=None,
    error=None,
    status_code=200,
) -> HTMLResponse:
    tender_service.owned_tender(session, buyer=user, tender_id=tender_id)
    view = public_view(request, session, tender_id=tender_id, user=user)
    lot = _lot_number(view, lot)
    awarded = [a for a in view.awards if a.lot == lot]
    candidates = _candidates(view, lot)
    leader = None
    if ranking:
        leader = next(b for b in candidates if ranking[b["id"]]["rank"] == 1)
    return render(
        request,
        "procurement/evaluation.html",
        {
            "tender": view,
            "lot": next((x for x in view.lots if x.number == lot), None),
            "candidates": candidates,
            "leader": leader,
            "awarded": awarded[-1] if awarded else None,
            "values": values or {},
            "errors": errors or {},
            "ranking": ranking,
            "error": error,
        },
        user=user,
        status_code=status_code,
    )


@router.get("/buyer/tenders/{tender_id}/evaluation", response_class=HTMLResponse)
def evaluation(
    request: Request,
    session: SessionDep,
    user: BuyerUser,
    tender_id: Id,
    lot: Annotated[int | None, Query(ge=1, le=50)] = None,
):
    """The committee's scoring form: every valid bid against every criterion."""
    return _page(request, session, user, tender_id, lot)


@router.post("/buyer/tenders/{tender_id}/evaluation", dependencies=[Depends(verify_csrf)])
async def score(request: Request, session: SessionDep, user: BuyerUser, tender_id: Id):
    """Check the scores: show totals and ranking, or award from them."""
    tender_service.owned_tender(session, buyer=user, tender_id=tender_id)
    form = await request.form()
    values = {key: str(form.get(key, "")) for key in form}
    lot_text = values.get("lot", "").strip()
    lot = int(lot_text) if lot_text.isdigit() else None
    view = public_view(request, session, tender_id=tender_id, user=user)
    lot = _lot_number(view, lot)
    if view.award_criteria != "best_value":
        raise InvalidInput("This tender is awarded on lowest price; it has no committee scores.")
    candidates = _candidates(view, lot)
    scores, notes, errors = _read(form, view, candidates)
    if errors:
        return _page(
            request,
            session,
            user,
            tender_id,
            lot,
            values=values,
            errors=errors,
            error=f"{len(errors)} field(s) need attention: see the messages below.",
            status_code=422,
        )
    ranking = _ranking(view, candidates, scores)
    if values.get("action") != "award":
        return _page(request, session, user, tender_id, lot, values=values, ranking=ranking)
    try:
        awarding.award(
            session,
            buyer=user,
            tender_id=tender_id,
            decision=AwardIn(
                lot=lot, justification=values["justification"].strip(), scores=scores, notes=notes
            ),
            now=request.app.state.clock(),
            settings=request.app.state.settings,
        )
    except DomainError as failure:
        session.rollback()
        return _page(
            request,
            session,
            user,
            tender_id,
            lot,
            values=values,
            ranking=ranking,
            error=failure.message,
            status_code=failure.status_code,
        )
    return RedirectResponse(f"/buyer/tenders/{tender_id}#complaints", status_code=303)
