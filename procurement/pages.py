"""What every procurement page shares: rendering, the public view, and reading form values.

Forms speak as people do (baht with a decimal point, local date and time); services take
integer minor units and aware datetimes. The conversions live here, in one place.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from core import forms
from core.auth.models import Role, User
from core.errors import DomainError, InvalidInput
from core.i18n import gettext
from core.templating import render as render_page
from core.types import MAX_MONEY
from procurement.bids import queries as bid_queries
from procurement.insights import queries as insights
from procurement.insights.rules import INDICATORS
from procurement.public import queries
from procurement.public import schemas as public
from procurement.tenders import service as tender_service

FLAG_TITLES = {indicator.code: indicator.title for indicator in INDICATORS}


def render(
    request: Request,
    template: str,
    context: dict[str, Any],
    *,
    user: User | None,
    status_code: int = 200,
) -> HTMLResponse:
    """A page of this package, with the signed-in user for the layout."""
    return render_page(request, template, {"user": user, **context}, status_code=status_code)


def public_view(
    request: Request, session, *, tender_id: int, user: User | None
) -> public.TenderView:
    """The public view of a tender (its own buyer also sees the draft)."""
    return queries.tender_view(
        session,
        tender_id=tender_id,
        prefix=request.app.state.settings.ocid_prefix,
        viewer_organisation_id=user.organisation_id if user else None,
    )


def is_owner(session, user: User | None, view: public.TenderView) -> bool:
    """Is the user a buyer of the organisation that published this tender?"""
    if user is None or user.role != Role.BUYER or user.organisation_id is None:
        return False
    return queries.org_ref(session, user.organisation_id).slug == view.buyer.slug


def red_flags(session, *, tender_id: int) -> list[dict[str, object]]:
    """The red flags raised on a tender, each with its indicator's name and the figure (as a
    catalogue message and its values, so the page says it in the reader's language)."""
    return [
        {
            "code": f.code,
            "title": FLAG_TITLES[f.code],
            "measure": f.measure,
            "measure_message": f.measure_message,
            "measure_values": f.measure_values,
        }
        for f in insights.tender_flags(session, tender_id=tender_id)
    ]


def tender_page(
    request: Request,
    session,
    *,
    tender_id: int,
    user: User | None,
    errors: forms.FormErrors | None = None,
    error_form: str | None = None,
    status_code: int = 200,
    values: dict[str, str] | None = None,
) -> HTMLResponse:
    """The public tender page; a refused question or complaint is shown in its own form, with
    what was typed."""
    view = public_view(request, session, tender_id=tender_id, user=user)
    return render(
        request,
        "procurement/tender.html",
        {
            "tender": view,
            "owner": is_owner(session, user, view),
            "red_flags": red_flags(session, tender_id=view.id),
            "now": request.app.state.clock(),
            "errors": errors,
            "error_form": error_form,
            "values": values or {},
        },
        user=user,
        status_code=status_code,
    )


def pdf_response(content: bytes, filename: str) -> Response:
    """A PDF shown inline, with a name to save it under."""
    return Response(
        content,
        media_type="application/pdf",
        headers={"content-disposition": f'inline; filename="{filename}"'},
    )


def minor_units(text: str | None, *, field: str) -> int:
    """An amount typed in baht ("1,234,567.50") as integer satang; a problem is raised at the
    form's `field` (its control's id), in the reader's language."""
    cleaned = (text or "").replace(",", "").replace("฿", "").replace(" ", "").strip()
    if not cleaned:
        raise InvalidInput(gettext("Enter an amount in baht, such as 1,250,000.00."), field=field)
    try:
        amount = Decimal(cleaned)
    except InvalidOperation:
        raise InvalidInput(
            gettext("Enter an amount in baht, such as 1,250,000.00."), field=field
        ) from None
    if not amount.is_finite() or amount < 0:
        raise InvalidInput(
            gettext("Enter a positive amount with at most two decimals."), field=field
        )
    if amount * 100 > MAX_MONEY:  # before quantize, which fails past Decimal's precision
        raise InvalidInput(
            gettext("Enter at most %(most)s baht.") % {"most": f"{MAX_MONEY // 100:,}"},
            field=field,
        )
    if amount != amount.quantize(Decimal("0.01")):
        raise InvalidInput(
            gettext("Enter a positive amount with at most two decimals."), field=field
        )
    return int(amount * 100)


def local_time(text: str | None, *, zone: ZoneInfo, field: str) -> datetime:
    """A `datetime-local` form value, read in the display time zone; a problem is raised at the
    form's `field`."""
    try:
        moment = datetime.fromisoformat((text or "").strip())
    except ValueError:
        raise InvalidInput(
            gettext("Enter a date and time, such as 2026-12-31 14:00."), field=field
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return moment


def manage_page(
    request: Request,
    session,
    user: User,
    tender_id: int,
    *,
    errors: forms.FormErrors | None = None,
    error_form: str | None = None,
    values: dict | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    """The owning buyer's page of a tender; a refused step shows its problems in its form."""
    tender_service.owned_tender(session, buyer=user, tender_id=tender_id)  # 404 / 403 for others
    view = public_view(request, session, tender_id=tender_id, user=user)
    opened = view.opened_at is not None
    return render(
        request,
        "procurement/buyer_tender.html",
        {
            "manage": True,
            "tender": view,
            "bid_documents": bid_queries.bid_documents(
                session, organisation_id=user.organisation_id, tender_id=tender_id
            )
            if opened
            else [],
            "now": request.app.state.clock(),
            "errors": errors,
            "error_form": error_form,
            "values": values or {},
        },
        user=user,
        status_code=status_code,
    )


def run_step(
    request,
    session,
    user,
    tender_id,
    form_name,
    action,
    values=None,
    *,
    names: dict[str, str] | None = None,
    labels: dict[str, str] | None = None,
):
    """Run one step; on a problem, show the tender's page again with what was typed, each
    problem at its field (`names`: a schema's field → the control's id; `labels`: the controls'
    labels for the summary) or, naming none, at the top of the form."""
    tender_service.owned_tender(session, buyer=user, tender_id=tender_id)
    known = set((names or {}).values())
    try:
        action()
    except ValidationError as error:
        session.rollback()
        found = forms.from_validation(error, known=known, names=names, labels=labels)
        return manage_page(
            request,
            session,
            user,
            tender_id,
            errors=found,
            error_form=form_name,
            values=values,
            status_code=422,
        )
    except DomainError as error:
        session.rollback()
        found = forms.from_domain(error, known=known, names=names, labels=labels)
        return manage_page(
            request,
            session,
            user,
            tender_id,
            errors=found,
            error_form=form_name,
            values=values,
            status_code=error.status_code,
        )
    return RedirectResponse(f"/buyer/tenders/{tender_id}#{form_name}", status_code=303)
