"""JSON routes of joining: register, verify, reset or change a password, accept an invitation.

Each one that names an address answers the same whether the address has an account or not,
and is throttled per client address and per e-mail."""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request, status

from core.auth import onboarding, outbox
from core.auth.api import client_address
from core.auth.dependencies import CurrentUser
from core.auth.schemas import (
    Accepted,
    AccountReady,
    AccountRegistration,
    LinkToken,
    NewPassword,
    PasswordChange,
    PasswordResetRequest,
)
from core.clock import ClockDep
from core.db import SessionDep
from core.i18n import N_, gettext
from core.web import SettingsDep

router = APIRouter(prefix="/api/accounts", tags=["accounts"])
log = logging.getLogger(__name__)

# Said in the reader's language where shown: gettext here, `_()` on the page.
REGISTERED = N_(
    "Thank you. If this address can receive e-mail, a message with a link to confirm it is on "
    "its way; follow the link to finish."
)
RESET_REQUESTED = N_(
    "If an account uses this address, a message with a link to choose a new password is on "
    "its way. The link works once, for a short time."
)


def send_now(request: Request, session: SessionDep) -> None:
    """Send what the use case queued, after it committed; the mail job retries what fails."""
    try:
        outbox.deliver_pending(
            session, settings=request.app.state.settings, now=request.app.state.clock()
        )
    except Exception:  # a mail server down must not undo the registration: the job retries
        log.exception("account e-mail not sent now; the mail job will retry")


def throttle(request: Request, action: str, email: str | None = None) -> None:
    """Refuse a request past the rate for this client or this e-mail (429 with Retry-After)."""
    request.app.state.account_throttle.hit(action, client=client_address(request), email=email)


@router.post("", status_code=status.HTTP_202_ACCEPTED, response_model=Accepted)
def register(
    body: AccountRegistration,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
):
    """Register a supplier company's account holder or an applicant; a link to verify the
    address is mailed. Buyers, officers, auditors and admins are invited, never registered."""
    throttle(request, "register", body.email)
    onboarding.register(session, registration=body, now=clock(), settings=settings)
    send_now(request, session)
    return Accepted(detail=gettext(REGISTERED))


@router.post("/verify", response_model=AccountReady)
def verify(body: LinkToken, request: Request, session: SessionDep, clock: ClockDep):
    """Confirm an address with the token of the link mailed to it (single use, expires)."""
    throttle(request, "verify")
    return onboarding.verify_email(session, token=body.token, now=clock())


@router.post("/password-reset", status_code=status.HTTP_202_ACCEPTED, response_model=Accepted)
def request_password_reset(
    body: PasswordResetRequest,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
):
    """Mail a link to choose a new password; the answer is the same for every address."""
    throttle(request, "reset", body.email)
    onboarding.request_password_reset(session, email=body.email, now=clock(), settings=settings)
    send_now(request, session)
    return Accepted(detail=gettext(RESET_REQUESTED))


@router.post("/password-reset/confirm", response_model=AccountReady)
def confirm_password_reset(
    body: NewPassword, request: Request, session: SessionDep, clock: ClockDep
):
    """Choose a new password with the reset link's token; every session and API token stops."""
    throttle(request, "reset-confirm")
    return onboarding.reset_password(session, token=body.token, password=body.password, now=clock())


@router.post("/invitation/accept", response_model=AccountReady)
def accept_invitation(body: NewPassword, request: Request, session: SessionDep, clock: ClockDep):
    """Choose your first password with the invitation link's token."""
    throttle(request, "invitation")
    return onboarding.accept_invitation(
        session, token=body.token, password=body.password, now=clock()
    )


@router.post("/password", status_code=status.HTTP_204_NO_CONTENT)
def change_password(body: PasswordChange, user: CurrentUser, session: SessionDep, clock: ClockDep):
    """Change your password; your other sessions and API tokens stop working, this one too."""
    onboarding.change_password(
        session,
        user=user,
        current_password=body.current_password,
        new_password=body.new_password,
        now=clock(),
    )
