"""HTML routes of joining: register, the links' landing pages, password reset and change, and
the public register of approved supplier companies (with its JSON twin)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request, Response
from fastapi.responses import HTMLResponse
from pydantic import ValidationError

from core import forms
from core.auth import onboarding, queries, service
from core.auth.accounts_api import REGISTERED, RESET_REQUESTED, send_now, throttle
from core.auth.csrf import verify_csrf
from core.auth.dependencies import SESSION_COOKIE, CurrentUser, OptionalUser
from core.auth.schemas import AccountRegistration, PasswordResetRequest, RegisteredSupplier
from core.clock import ClockDep
from core.db import SessionDep
from core.errors import DomainError, InvalidInput, NotAuthenticated
from core.i18n import N_, gettext
from core.templating import render
from core.web import DirectoryName, DirectoryPage, directory_pager, page_headers

router = APIRouter(tags=["accounts"], include_in_schema=False)
api_router = APIRouter(prefix="/api", tags=["accounts"])
CsrfChecked = Depends(verify_csrf)
COMPANY_FIELDS = (
    "name",
    "name_th",
    "registration_number",
    "address",
    "contact_name",
    "contact_phone",
)


def problems(error: ValidationError) -> str:
    """A validation error as one sentence naming each field by its label, in the reader's
    language (never by its code)."""
    return gettext("Check the form — %(problems)s.") % {
        "problems": "; ".join(forms.said(error.errors()))
    }


def _message(request: Request, user, *, title: str, message: str, status_code: int = 200, **extra):
    context = {"user": user, "title": title, "message": message, **extra}
    return render(request, "core/message.html", context, status_code=status_code)


@router.get("/register", response_class=HTMLResponse)
def register_form(request: Request, user: OptionalUser, role: str = "supplier"):
    """The registration form: a supplier company, or an applicant for permits."""
    values = {"role": role if role in ("supplier", "applicant") else "supplier"}
    return render(request, "core/register.html", {"user": user, "values": values, "errors": None})


@router.post("/register", response_class=HTMLResponse, dependencies=[CsrfChecked])
async def register(request: Request, session: SessionDep, clock: ClockDep):
    """Register; on a mistake the form again, filled in (never the password), naming the field."""
    form = await request.form()
    values: dict[str, Any] = {k: str(v).strip() for k, v in form.items() if k != "csrf_token"}
    body: dict[str, Any] = {k: values.get(k, "") for k in ("role", "email", "name", "password")}
    if values.get("role") == "supplier":
        body["organisation"] = {k: values.get(f"organisation.{k}") or None for k in COMPANY_FIELDS}
    values.pop("password", None)
    try:
        registration = AccountRegistration.model_validate(body)
        throttle(request, "register", registration.email)
        onboarding.register(
            session, registration=registration, now=clock(), settings=request.app.state.settings
        )
    except ValidationError as error:
        context = {"user": None, "values": values, "errors": forms.from_validation(error)}
        return render(request, "core/register.html", context, status_code=422)
    except DomainError as error:
        session.rollback()
        context = {"user": None, "values": values, "errors": forms.from_domain(error)}
        return render(request, "core/register.html", context, status_code=error.status_code)
    send_now(request, session)
    return _message(request, None, title=N_("Check your e-mail"), message=REGISTERED)


@router.get("/verify", response_class=HTMLResponse)
def verify_form(request: Request, user: OptionalUser, token: str = ""):
    """Where the verification link lands: one button confirms (a mail scanner opening the
    link confirms nothing)."""
    return render(request, "core/verify.html", {"user": user, "token": token})


@router.post("/verify", response_class=HTMLResponse, dependencies=[CsrfChecked])
def verify(
    request: Request, session: SessionDep, clock: ClockDep, token: Annotated[str, Form()] = ""
):
    """Confirm the address; say what happens next."""
    try:
        throttle(request, "verify")
        ready = onboarding.verify_email(session, token=token, now=clock())
    except DomainError as error:
        return _message(
            request,
            None,
            title=N_("This link does not work"),
            message=error.message,
            status_code=error.status_code,
            bad=True,
        )
    return _message(
        request, None, title=N_("E-mail confirmed"), message=ready.detail, next="/signin"
    )


@router.get("/password-reset", response_class=HTMLResponse)
def reset_form(request: Request, user: OptionalUser):
    """Ask for a link to choose a new password."""
    return render(request, "core/password_reset.html", {"user": user, "errors": None})


@router.post("/password-reset", response_class=HTMLResponse, dependencies=[CsrfChecked])
def request_reset(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    email: Annotated[str, Form(max_length=254)] = "",
):
    """Mail the link if the address has an account; the page says the same either way."""
    try:
        wanted = PasswordResetRequest(email=email)
        throttle(request, "reset", wanted.email)
    except ValidationError as error:
        context = {"user": None, "errors": forms.from_validation(error), "email": email}
        return render(request, "core/password_reset.html", context, status_code=422)
    except DomainError as error:
        context = {"user": None, "errors": forms.from_domain(error), "email": email}
        return render(request, "core/password_reset.html", context, status_code=error.status_code)
    onboarding.request_password_reset(
        session, email=wanted.email, now=clock(), settings=request.app.state.settings
    )
    send_now(request, session)
    return _message(request, None, title=N_("Check your e-mail"), message=RESET_REQUESTED)


def _new_password_page(request: Request, *, action: str, token: str, errors=None, status_code=200):
    context = {"user": None, "action": action, "token": token, "errors": errors}
    return render(request, "core/password_new.html", context, status_code=status_code)


@router.get("/password-reset/confirm", response_class=HTMLResponse)
def reset_confirm_form(request: Request, token: str = ""):
    """Choose a new password (from the reset link)."""
    return _new_password_page(request, action="/password-reset/confirm", token=token)


@router.get("/invitation", response_class=HTMLResponse)
def invitation_form(request: Request, token: str = ""):
    """Choose your first password (from the invitation link)."""
    return _new_password_page(request, action="/invitation", token=token)


@router.post("/password-reset/confirm", response_class=HTMLResponse, dependencies=[CsrfChecked])
@router.post("/invitation", response_class=HTMLResponse, dependencies=[CsrfChecked])
def set_password(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    token: Annotated[str, Form()] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
):
    """Set the password the link allows; a weak one is refused and the link still works."""
    action = request.url.path
    use = onboarding.accept_invitation if action == "/invitation" else onboarding.reset_password
    try:
        throttle(request, "invitation" if action == "/invitation" else "reset-confirm")
        ready = use(session, token=token, password=password, now=clock())
    except DomainError as error:
        session.rollback()
        return _new_password_page(
            request,
            action=action,
            token=token,
            errors=forms.from_domain(error),
            status_code=error.status_code,
        )
    return _message(request, None, title=N_("Password set"), message=ready.detail, next="/signin")


@router.post("/account/password", response_class=HTMLResponse, dependencies=[CsrfChecked])
def change_password(
    request: Request,
    user: CurrentUser,
    session: SessionDep,
    clock: ClockDep,
    current_password: Annotated[str, Form(max_length=1024)] = "",
    new_password: Annotated[str, Form(max_length=1024)] = "",
):
    """Change your password; you stay signed in here, and everywhere else you are signed out.
    A wrong current password or a weak new one: the account page again, the problem at its
    field (a password is never written back into the page)."""
    try:
        if not current_password:
            raise InvalidInput(gettext("Enter your current password."), field="current_password")
        if not new_password:
            raise InvalidInput(gettext("Enter a new password."), field="new_password")
        onboarding.change_password(
            session,
            user=user,
            current_password=current_password,
            new_password=new_password,
            now=clock(),
            keep_token=request.cookies.get(SESSION_COOKIE),
        )
    except DomainError as error:
        session.rollback()
        if isinstance(error, NotAuthenticated):
            errors = forms.message(
                gettext("The current password is wrong; nothing was changed."),
                field_name="current_password",
            )
        else:
            errors = forms.from_domain(
                error,
                known={"current_password", "new_password"},
                names={"password": "new_password"},
            )
        context = {
            "user": user,
            "tokens": service.list_tokens(session, user=user),
            "new_token": None,
            "password_errors": errors,
        }
        return render(request, "core/account.html", context, status_code=422)
    message = N_("Your password is changed. Your other sessions and your API tokens are stopped.")
    return _message(request, user, title=N_("Password changed"), message=message, next="/account")


REGISTER_PAGE = 50  # companies a page of /supplier-register
REGISTER_API_PAGE = 1000


@router.get("/supplier-register", response_class=HTMLResponse)
def supplier_register_page(
    request: Request,
    session: SessionDep,
    user: OptionalUser,
    name: DirectoryName = "",
    page: DirectoryPage = 1,
):
    """The public register of approved supplier companies (never their contact), by name,
    REGISTER_PAGE a page; `name` finds them by a part of either name or the identifier."""
    suppliers, total = queries.supplier_register(
        session, name=name, offset=(page - 1) * REGISTER_PAGE, limit=REGISTER_PAGE
    )
    pager = directory_pager(name, page=page, per_page=REGISTER_PAGE, total=total)
    context = {"user": user, "suppliers": suppliers, **pager}
    return render(request, "core/supplier_register.html", context)


@api_router.get("/supplier-register", response_model=list[RegisteredSupplier])
def supplier_register(
    request: Request,
    response: Response,
    session: SessionDep,
    name: DirectoryName = "",
    page: DirectoryPage = 1,
    per_page: Annotated[int, Query(ge=1, le=REGISTER_API_PAGE)] = REGISTER_API_PAGE,
):
    """Approved supplier companies, by name, a page at a time (name, registration number,
    date of approval): `X-Total-Count` says how many match, a `Link` header with rel="next"
    names the next page."""
    suppliers, total = queries.supplier_register(
        session, name=name, offset=(page - 1) * per_page, limit=per_page
    )
    page_headers(request, response, page=page, per_page=per_page, total=total)
    return suppliers
