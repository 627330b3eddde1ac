"""The admins' page of permits: the types in force with their versions, the national holidays
and the local closures that stop every permit clock, and declaring a closure."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import ValidationError

from core import forms
from core.auth.csrf import verify_csrf
from core.auth.dependencies import require_role
from core.auth.models import Role, User
from core.clock import ClockDep
from core.db import SessionDep
from core.errors import DomainError
from core.formatting import format_when
from core.i18n import current_locale, gettext
from core.templating import render
from permits import catalogue
from permits.schemas import ClosureIn

router = APIRouter(include_in_schema=False)
AdminUser = Annotated[User, Depends(require_role(Role.ADMIN))]


@router.get("/admin/permits", response_class=HTMLResponse)
def setup(
    request: Request, user: AdminUser, session: SessionDep, clock: ClockDep, done: str = "",
    problem: str = "",
):  # fmt: skip
    """Permit types in force, holidays and closures."""
    found = catalogue.setup_for_admin(session, settings=request.app.state.settings, now=clock())
    context = {"user": user, **dict(found), "done": done, "problem": problem}
    return render(request, "permits/admin.html", context)


@router.post("/admin/permits/closures", dependencies=[Depends(verify_csrf)])
def declare_closure(
    request: Request,
    user: AdminUser,  # noqa: ARG001 -- the role check is the dependency's effect
    session: SessionDep,
    clock: ClockDep,
    closure_date: Annotated[str, Form(max_length=10)] = "",
    reason: Annotated[str, Form(max_length=200)] = "",
):
    """Declare a local closure (logged); due dates computed from now on skip it."""
    try:
        closure = ClosureIn(closure_date=date.fromisoformat(closure_date), reason=reason)
        catalogue.add_closure(
            session, closure_date=closure.closure_date, reason=closure.reason, now=clock()
        )
    except ValueError as error:  # a malformed date, or a ValidationError (a ValueError too)
        if not isinstance(error, ValidationError):
            message = gettext("Give the date as YYYY-MM-DD.")
        elif current_locale() == "en":
            message = error.errors()[0]["msg"]
        else:  # pydantic's own words are English only
            message = forms.problem_text(error.errors()[0])
        return RedirectResponse(f"/admin/permits?problem={quote(message)}", 303)
    except DomainError as error:
        return RedirectResponse(f"/admin/permits?problem={quote(error.message)}", 303)
    when = format_when(closure.closure_date, "date", zone=request.app.state.settings.zone)
    done = gettext("%(date)s is declared closed.") % {"date": when}
    return RedirectResponse(f"/admin/permits?done={quote(done)}", 303)
