"""The evaluation committee's page: every valid bid scored against every criterion, each score
with its justification, the totals and ranking checked before the award is made from them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from core import forms
from core.db import SessionDep
from core.errors import DomainError, InvalidInput
from core.i18n import N_, gettext
from core.types import Id
from procurement.awards import rules as award_rules
from procurement.awards import service as awarding
from procurement.awards.schemas import AwardIn
from procurement.dependencies import BuyerUser, CsrfChecked
from procurement.pages import public_view, render
from procurement.public.schemas import TenderView
from procurement.tenders import service as tender_service

router = APIRouter(include_in_schema=False)


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
        raise InvalidInput(
            gettext("Choose the lot to evaluate: this tender's lots are %(numbers)s.")
            % {"numbers": numbers}
        )
    return lot


SCORE_PROBLEMS = {
    "give a score from 0 to 100": N_("Give a score from 0 to 100."),
    "a score is a whole number from 0 to 100": N_("A score is a whole number from 0 to 100."),
}


def _read(form, view: TenderView, candidates: list[dict]):
    """Scores, notes and the problems of each field, keyed by the field's id and labelled by
    the bidder and criterion they score."""
    check = forms.Checker()
    labels: dict[str, str] = {}
    scores: dict[int, list[int]] = {}
    notes: dict[int, list[str]] = {}
    for bid in candidates:
        for i, criterion in enumerate(view.criteria):
            score_key, note_key = f"score-{bid['id']}-{i}", f"note-{bid['id']}-{i}"
            names = {"bidder": bid["supplier"], "criterion": criterion["name"]}
            labels[score_key] = gettext("%(bidder)s, %(criterion)s: score") % names
            labels[note_key] = gettext("%(bidder)s, %(criterion)s: justification") % names
            text = str(form.get(score_key, ""))
            problem = award_rules.score_problem(text)
            if problem:
                check.add(score_key, gettext(SCORE_PROBLEMS.get(problem, problem)))
            else:
                scores.setdefault(bid["id"], []).append(int(text.strip()))
            note = str(form.get(note_key, "")).strip()
            if not note:
                check.add(note_key, gettext("Justify this score."))
            elif len(note) > 2_000:
                check.add(note_key, gettext("Keep the justification under 2,000 characters."))
            notes.setdefault(bid["id"], []).append(note)
    if not str(form.get("justification", "")).strip():
        check.add("justification", gettext("Write the committee's overall justification."))
    return scores, notes, check.errors | forms.FormErrors(labels=labels)


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
    errors: forms.FormErrors | None = None,
    ranking=None,
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
            "errors": errors,
            "ranking": ranking,
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


@router.post("/buyer/tenders/{tender_id}/evaluation", dependencies=[CsrfChecked])
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
        raise InvalidInput(
            gettext("This tender is awarded on lowest price; it has no committee scores.")
        )
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
            errors=forms.from_domain(failure, known={"justification"}),
            status_code=failure.status_code,
        )
    return RedirectResponse(f"/buyer/tenders/{tender_id}#complaints", status_code=303)
