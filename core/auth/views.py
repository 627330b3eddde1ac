"""HTML routes of accounts: sign in, sign out, and the account page with API tokens."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from core import forms
from core.auth import service
from core.auth.api import client_address
from core.auth.csrf import verify_csrf
from core.auth.dependencies import SESSION_COOKIE, CurrentUser, OptionalUser
from core.auth.models import Role, TokenKind
from core.clock import ClockDep
from core.db import SessionDep
from core.errors import DomainError
from core.i18n import gettext
from core.types import Id

router = APIRouter(tags=["accounts"], include_in_schema=False)
CsrfChecked = Depends(verify_csrf)


# Where each role lands after signing in, unless it was on its way somewhere.
DASHBOARDS = {
    Role.SUPPLIER: "/supplier",
    Role.BUYER: "/buyer",
    Role.PERMIT_OFFICER: "/permits/officer",
    Role.APPLICANT: "/permits/mine",
    Role.ADMIN: "/admin",
    Role.AUDITOR: "/admin/actions",
}


def dashboard(role: str) -> str:
    """The page a person of this role starts from."""
    return DASHBOARDS.get(Role(role), "/account")


def _safe_next(target: str | None) -> str:
    # Only local paths: an open redirect would make the sign-in page a phishing tool.
    if (
        not target
        or not target.startswith("/")
        or target.startswith("//")
        or urlsplit(target).netloc
    ):
        return ""
    return target


@router.get("/signin", response_class=HTMLResponse)
def signin_form(request: Request, user: OptionalUser, next: str | None = None):
    """The sign-in form."""
    templates = request.app.state.templates
    return templates.TemplateResponse(
        request, "core/signin.html", {"user": user, "next": _safe_next(next), "errors": None}
    )


def _signin_page(request: Request, next: str, email: str, errors, status_code: int):
    return request.app.state.templates.TemplateResponse(
        request,
        "core/signin.html",
        {"user": None, "next": _safe_next(next), "errors": errors, "email": email},
        status_code=status_code,
    )


@router.post("/signin", dependencies=[CsrfChecked])
def signin(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    email: Annotated[str, Form(max_length=254)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    next: Annotated[str, Form()] = "",
):
    """Check the credentials and start a session in an HTTP-only cookie; a field left empty, or
    credentials that do not match, show the form again with the address kept."""
    settings = request.app.state.settings
    missing = {
        name: message
        for name, value, message in (
            ("email", email, gettext("Enter your email address.")),
            ("password", password, gettext("Enter your password.")),
        )
        if not value.strip()
    }
    if missing:
        return _signin_page(request, next, email, forms.FormErrors(fields=missing), 422)
    try:
        user = service.sign_in(
            session,
            email=email,
            password=password,
            client=client_address(request),
            throttle=request.app.state.signin_throttle,
            default_locale=request.app.state.settings.default_locale,
            now=clock(),
        )
    except DomainError as error:
        return _signin_page(request, next, email, forms.from_domain(error), error.status_code)
    lifetime = timedelta(hours=settings.session_hours)
    raw, _ = service.issue_token(
        session, user=user, kind=TokenKind.SESSION, now=clock(), lifetime=lifetime
    )
    response = RedirectResponse(_safe_next(next) or dashboard(user.role), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        raw,
        max_age=int(lifetime.total_seconds()),
        httponly=True,
        secure=settings.cookie_secure,
        samesite="lax",
    )
    return response


@router.post("/signout", dependencies=[CsrfChecked])
def signout(request: Request, session: SessionDep, clock: ClockDep):
    """End the session, here and on the server."""
    raw = request.cookies.get(SESSION_COOKIE)
    if raw:
        service.end_session(session, raw=raw, now=clock())
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/account", response_class=HTMLResponse)
def account(request: Request, user: CurrentUser, session: SessionDep):
    """Your account and your API tokens."""
    return request.app.state.templates.TemplateResponse(
        request,
        "core/account.html",
        {"user": user, "tokens": service.list_tokens(session, user=user), "new_token": None},
    )


@router.post("/account/tokens", response_class=HTMLResponse, dependencies=[CsrfChecked])
def create_token(
    request: Request,
    user: CurrentUser,
    session: SessionDep,
    clock: ClockDep,
    name: Annotated[str, Form(min_length=1, max_length=100)],
):
    """Create an API token and show its secret, this once."""
    raw, _ = service.issue_token(
        session, user=user, kind=TokenKind.API, now=clock(), lifetime=timedelta(days=90), name=name
    )
    return request.app.state.templates.TemplateResponse(
        request,
        "core/account.html",
        {"user": user, "tokens": service.list_tokens(session, user=user), "new_token": raw},
    )


@router.post("/account/tokens/{token_id}/revoke", dependencies=[CsrfChecked])
def revoke_token(token_id: Id, user: CurrentUser, session: SessionDep, clock: ClockDep):
    """Revoke an API token."""
    service.revoke_token(session, user=user, token_id=token_id, now=clock())
    return RedirectResponse("/account", status_code=303)
