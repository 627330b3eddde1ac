"""Officers' HTML routes: the department's work queue, acting on a stage, opening data."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse

from core import forms
from core.auth.csrf import verify_csrf
from core.clock import ClockDep
from core.db import SessionDep
from core.errors import InvalidInput
from core.i18n import gettext
from core.templating import render
from core.types import Id, Page
from permits import casework, information, service
from permits import personal_data as data_access
from permits.dependencies import NumberPath, Officer
from permits.rules import Action

router = APIRouter(include_in_schema=False)
CsrfChecked = Depends(verify_csrf)


def _render(request: Request, template: str, context: dict, status_code: int = 200):
    return render(request, f"permits/{template}", context, status_code=status_code)


@router.get("/permits/officer", response_class=HTMLResponse)
def queue(request: Request, session: SessionDep, user: Officer, clock: ClockDep, page: Page = 1):
    """The department's running stages, what falls due first on top, a page at a time."""
    found = casework.officer_queue(session, officer=user, now=clock(), page=page)
    return _render(request, "queue.html", {"user": user, "queue": found})


@router.get("/permits/officer/applications/{number}", response_class=HTMLResponse)
def work(number: NumberPath, request: Request, session: SessionDep, user: Officer, clock: ClockDep):
    """One application as its officer sees it: the public record and the actions allowed."""
    return _work_page(request, session, user, clock(), number, personal=False)


def _work_page(
    request,
    session,
    user,
    now,
    number,
    *,
    personal,
    errors: forms.FormErrors | None = None,
    values: dict[str, str] | None = None,
    status_code=200,
):
    page = casework.work_page(
        session,
        number=number,
        officer=user,
        settings=request.app.state.settings,
        now=now,
        personal=personal,
    )
    return _render(
        request,
        "work.html",
        {"user": user, **dict(page), "errors": errors, "values": values or {}},
        status_code=status_code,
    )


@router.post("/permits/officer/applications/{number}/claim", dependencies=[CsrfChecked])
def claim(
    number: NumberPath,
    request: Request,
    session: SessionDep,
    user: Officer,
    clock: ClockDep,
    assignee_id: Annotated[Id | None, Form()] = None,
):
    """Take the current stage, or give it to a colleague."""
    service.claim(
        session,
        number=number,
        officer=user,
        now=clock(),
        settings=request.app.state.settings,
        assignee_id=assignee_id,
    )
    return RedirectResponse(f"/permits/officer/applications/{number.upper()}", status_code=303)


@router.post(
    "/permits/officer/applications/{number}/act",
    response_class=HTMLResponse,
    dependencies=[CsrfChecked],
)
def act(
    number: NumberPath,
    request: Request,
    session: SessionDep,
    user: Officer,
    clock: ClockDep,
    action: Annotated[str, Form(max_length=40)] = "",
    note: Annotated[str, Form(max_length=1000)] = "",
    effective_date: Annotated[str, Form(max_length=40)] = "",
    expected_date: Annotated[str, Form(max_length=40)] = "",
    asks: Annotated[str, Form(max_length=20)] = "",
    asked_for: Annotated[str, Form(max_length=300)] = "",
):
    """Take a transition; the note is required to reject, request information or extend, and a
    request for information names the document or the answer it asks for. A refused action
    shows the form again with every problem at its field and what was typed."""
    settings = request.app.state.settings
    values = {
        "action": action,
        "note": note,
        "effective_date": effective_date,
        "expected_date": expected_date,
        "asks": asks,
        "asked_for": asked_for,
    }
    check = forms.Checker()
    chosen = check.read("action", _action, action)
    expected = check.read("expected", _date, expected_date, field="expected")
    effective_day = check.read("effective", _date, effective_date, field="effective")
    effective = None
    if effective_day is not None and effective_day < clock().astimezone(settings.zone).date():
        effective = datetime.combine(effective_day, time(12), settings.zone)
    asked = None
    if chosen is Action.REQUEST_INFORMATION:
        before = len(check.errors.fields)
        asked = check.read("asks", information.information_request, asks, asked_for)
        if asked is None and len(check.errors.fields) == before:
            check.add("asks", gettext("Say whether you ask for a document or an answer."))
    try:
        if check.errors or chosen is None:
            raise forms.Invalid(check.errors)
        service.act(
            session,
            number=number,
            action=chosen,
            actor=user,
            now=clock(),
            settings=settings,
            note=note,
            effective_at=effective,
            expected_date=expected,
            asked=asked,
        )
    except (InvalidInput, service.TransitionNotAllowed) as error:
        session.rollback()
        known = {"action", "note", "asks", "asked_for", "expected", "effective"}
        return _work_page(
            request,
            session,
            user,
            clock(),
            number,
            personal=False,
            errors=forms.from_domain(
                error, known=known, names={"expected_date": "expected"}
            ).ordered(["action", "note", "asks", "asked_for", "expected", "effective"]),
            values=values,
            status_code=error.status_code,
        )
    return RedirectResponse(f"/permits/officer/applications/{number.upper()}", status_code=303)


def _action(text: str) -> Action:
    try:
        return Action(text)
    except ValueError:
        raise InvalidInput(gettext("Choose an action."), field="action") from None


def _date(text: str, *, field: str) -> date | None:
    if not text.strip():
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput(gettext("Enter a date, such as 2026-12-31."), field=field) from None


@router.post("/permits/officer/applications/{number}/delay", dependencies=[CsrfChecked])
def explain(
    number: NumberPath,
    request: Request,
    session: SessionDep,
    user: Officer,
    clock: ClockDep,
    reason: Annotated[str, Form(min_length=3, max_length=1000)],
):
    """Publish the reason the stage is late."""
    service.explain_delay(
        session,
        number=number,
        officer=user,
        reason=reason,
        now=clock(),
        settings=request.app.state.settings,
    )
    return RedirectResponse(f"/permits/officer/applications/{number.upper()}", status_code=303)


@router.post(
    "/permits/officer/applications/{number}/personal-data",
    response_class=HTMLResponse,
    dependencies=[CsrfChecked],
)
def personal_data(
    number: NumberPath,
    request: Request,
    session: SessionDep,
    user: Officer,
    clock: ClockDep,
    reason: Annotated[str, Form(max_length=500)],
):
    """Open the applicant's personal data, giving the reason the applicant will see."""
    data_access.open_personal_data(session, number=number, officer=user, reason=reason, now=clock())
    return _work_page(request, session, user, clock(), number, personal=True)


@router.post(
    "/permits/officer/applications/{number}/documents/{document_id}", dependencies=[CsrfChecked]
)
def open_document(
    number: NumberPath,
    document_id: Id,
    request: Request,
    session: SessionDep,
    user: Officer,
    clock: ClockDep,
    reason: Annotated[str, Form(max_length=400)] = "",
):
    """Open an uploaded document, giving the reason the applicant's access log will show."""
    try:
        found = data_access.open_for_officer(
            session,
            number=number,
            document_id=document_id,
            officer=user,
            reason=reason,
            now=clock(),
            settings=request.app.state.settings,
        )
    except InvalidInput as error:
        return _work_page(
            request, session, user, clock(), number, personal=False,
            errors=forms.from_domain(error, names={"reason": f"doc-why-{document_id}"}),
            values={f"doc-why-{document_id}": reason}, status_code=error.status_code,
        )  # fmt: skip
    return FileResponse(found.path, media_type=found.content_type, filename=found.download_name)
