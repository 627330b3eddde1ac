"""The evaluation committee's page: score every valid bid on each best-value criterion.

Each score comes with its justification. "Calculate" shows the weighted totals and the
ranking without saving anything; "Award" decides the award from the same scores.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from core.auth.csrf import verify_csrf
from core.auth.dependencies import require_role
from core.auth.models import Role, User
from core.db import SessionDep
from core.errors import DomainError, InvalidInput
from procurement import awarding, rules, service
from procurement.pages import public_view, render
from procurement.queries import TenderView
from procurement.schemas import AwardIn

router = APIRouter(include_in_schema=False)
BuyerUser = Annotated[User, Depends(require_role(Role.BUYER))]


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
            problem = rules.score_problem(text)
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
        rules.ScoredBid(b["id"], rules.weighted_total(weights, scores[b["id"]]), b["price"])
        for b in candidates
    ]
    order = rules.rank_by_score(scored)
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
    service.owned_tender(session, buyer=user, tender_id=tender_id)
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
    tender_id: int,
    lot: Annotated[int | None, Query(ge=1)] = None,
):
    """The committee's scoring form: every valid bid against every criterion."""
    return _page(request, session, user, tender_id, lot)


@router.post("/buyer/tenders/{tender_id}/evaluation", dependencies=[Depends(verify_csrf)])
async def score(request: Request, session: SessionDep, user: BuyerUser, tender_id: int):
    """Check the scores: show totals and ranking, or award from them."""
    service.owned_tender(session, buyer=user, tender_id=tender_id)
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
