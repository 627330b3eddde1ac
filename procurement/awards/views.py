"""Pages of awards: the buyer's award, disqualifications, complaints and the contract (the
committee's evaluation is in evaluation_views.py)."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse
from pydantic import ValidationError

from core import forms
from core.db import SessionDep
from core.errors import DomainError, InvalidInput
from core.i18n import gettext
from core.types import Id
from procurement.awards import service as awarding
from procurement.awards.schemas import AwardIn, ComplaintAnswerIn, ComplaintIn, DisqualifyIn
from procurement.contracts.schemas import ContractIn
from procurement.dependencies import BuyerUser, CsrfChecked, SupplierUser
from procurement.pages import minor_units, public_view, run_step, tender_page

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
            raise InvalidInput(
                gettext("Tender %(tender)s has no opened bid %(bid)s.")
                % {"tender": tender_id, "bid": bid_id}
            )
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
        names={"reason": f"reason-{bid_id}"},
        labels={f"reason-{bid_id}": gettext("Reason to disqualify")},
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
                    raise InvalidInput(gettext("A score is a whole number from 0 to 100."))
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

    lot = values.get("lot", "").strip()
    control = f"justification-{lot}" if lot else "justification"
    return run_step(
        request,
        session,
        user,
        tender_id,
        "award",
        action,
        values=values,
        names={"justification": control},
        labels={control: gettext("Justification")},
    )


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
            raise InvalidInput(
                gettext("Tender %(tender)s has no complaint %(complaint)s.")
                % {"tender": tender_id, "complaint": complaint_id}
            )
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
        names={"response": f"response-{complaint_id}"},
        labels={f"response-{complaint_id}": gettext("Answer to this complaint")},
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
    ids = {
        name: f"c-{short}-{award_id}"
        for name, short in (
            ("value", "value"),
            ("signed_date", "signed"),
            ("start_date", "start"),
            ("end_date", "end"),
        )
    }
    labels = {
        ids["value"]: gettext("Contract value (baht)"),
        ids["signed_date"]: gettext("Signed on"),
        ids["start_date"]: gettext("Starts"),
        ids["end_date"]: gettext("Ends"),
    }

    def action():
        final = [a for a in view.awards if a.status == "final"]
        if not final:
            raise InvalidInput(
                gettext("A contract follows a final award (after the standstill period).")
            )
        chosen = (
            final[-1] if award_id is None else next((a for a in final if a.id == award_id), None)
        )
        if chosen is None:
            raise InvalidInput(
                gettext("Award %(award)s of this tender is not final yet.") % {"award": award_id}
            )
        amount = minor_units(value, field="value")
        awarding.sign_contract(
            session,
            buyer=user,
            award_id=chosen.id,
            contract=ContractIn.model_validate(  # the form's dates are text
                {
                    "value": amount,
                    "start_date": start_date or None,
                    "end_date": end_date or None,
                    "signed_date": signed_date or None,
                }
            ),
            now=request.app.state.clock(),
            settings=request.app.state.settings,
        )

    return run_step(
        request,
        session,
        user,
        tender_id,
        form_name,
        action,
        values=values,
        names=ids,
        labels=labels,
    )


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
    lotted = any(a.id == award_id and a.lot for a in view.awards)
    form_name = f"complaint-{award_id}" if lotted else "complaint"
    names = {"text": f"{form_name}-text"}
    try:
        if award_id not in [a.id for a in view.awards]:
            raise InvalidInput(
                gettext("Tender %(tender)s has no award %(award)s.")
                % {"tender": tender_id, "award": award_id}
            )
        body = ComplaintIn(text=text.strip()).text
        awarding.lodge_complaint(
            session,
            supplier=user,
            award_id=award_id,
            text=body,
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
            errors=errors | forms.FormErrors(labels={names["text"]: gettext("Complaint")}),
            error_form=form_name,
            status_code=error.status_code if isinstance(error, DomainError) else 422,
            values={"text": text},
        )
    return RedirectResponse(f"/tenders/{tender_id}#award", status_code=303)
