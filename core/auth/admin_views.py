"""HTML routes of administration: /admin for admins, /admin/actions for admins and auditors.
Every action lands back on /admin saying what happened (or what was wrong)."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import ValidationError

from core.auth import admin, queries
from core.auth.accounts_api import send_now
from core.auth.csrf import verify_csrf
from core.auth.dependencies import require_role
from core.auth.models import OrganisationStatus, Role, User
from core.auth.onboarding_views import problems
from core.auth.schemas import Invitation, OrganisationCreate
from core.clock import ClockDep
from core.db import SessionDep
from core.errors import DomainError
from core.i18n import gettext
from core.templating import render
from core.types import Id

router = APIRouter(tags=["administration"], include_in_schema=False)
CsrfChecked = Depends(verify_csrf)
AdminUser = Annotated[User, Depends(require_role(Role.ADMIN))]
Overseer = Annotated[User, Depends(require_role(Role.ADMIN, Role.AUDITOR))]
Reason = Annotated[str, Form(max_length=2000)]


def _back(message: str, *, bad: bool = False) -> RedirectResponse:
    return RedirectResponse(f"/admin?{'problem' if bad else 'done'}={quote(message)}", 303)


@router.get("/admin", response_class=HTMLResponse)
def dashboard(
    request: Request, user: AdminUser, session: SessionDep, done: str = "", problem: str = ""
):
    """What waits for the admins (companies to check), and every organisation."""
    return render(
        request,
        "core/admin.html",
        {
            "user": user,
            "pending": queries.organisations_for_admin(session, status=OrganisationStatus.PENDING),
            "organisations": queries.organisations_for_admin(session),
            "actions": queries.admin_actions(session, limit=20),
            "roles": [r.value for r in Role],
            "done": done,
            "problem": problem,
        },
    )


@router.get("/admin/actions", response_class=HTMLResponse)
def actions(request: Request, user: Overseer, session: SessionDep):
    """Every admin action: who, what, when and why."""
    context = {"user": user, "actions": queries.admin_actions(session)}
    return render(request, "core/admin_actions.html", context)


@router.post("/admin/organisations/{slug}/approve", dependencies=[CsrfChecked])
def approve(
    slug: str,
    request: Request,
    user: AdminUser,
    session: SessionDep,
    clock: ClockDep,
    reason: Reason = "",
):
    """Approve a pending supplier company."""
    try:
        admin.approve_organisation(
            session,
            admin=user,
            slug=slug,
            reason=reason,
            now=clock(),
            settings=request.app.state.settings,
        )
    except DomainError as error:
        return _back(error.message, bad=True)
    send_now(request, session)
    return _back(gettext("Approved %(slug)s: it may bid now.") % {"slug": slug})


@router.post("/admin/organisations/{slug}/reject", dependencies=[CsrfChecked])
def reject(
    slug: str,
    request: Request,
    user: AdminUser,
    session: SessionDep,
    clock: ClockDep,
    reason: Reason = "",
):
    """Reject a pending supplier company with the reason it is told."""
    if len(reason.strip()) < 3:
        return _back(gettext("Give the reason the company is told, to reject it."), bad=True)
    try:
        admin.reject_organisation(
            session,
            admin=user,
            slug=slug,
            reason=reason,
            now=clock(),
            settings=request.app.state.settings,
        )
    except DomainError as error:
        return _back(error.message, bad=True)
    send_now(request, session)
    return _back(gettext("Rejected %(slug)s; the company is told why.") % {"slug": slug})


@router.post("/admin/organisations/{slug}/deactivate", dependencies=[CsrfChecked])
def deactivate_organisation(
    slug: str, user: AdminUser, session: SessionDep, clock: ClockDep, reason: Reason = ""
):
    """Stop an organisation and its people acting."""
    if len(reason.strip()) < 3:
        return _back(gettext("Give a reason to deactivate an organisation."), bad=True)
    try:
        admin.deactivate_organisation(session, admin=user, slug=slug, reason=reason, now=clock())
    except DomainError as error:
        return _back(error.message, bad=True)
    return _back(
        gettext("Deactivated %(slug)s; its people can no longer sign in.") % {"slug": slug}
    )


@router.post("/admin/organisations", dependencies=[CsrfChecked])
def create_organisation(
    user: AdminUser,
    session: SessionDep,
    clock: ClockDep,
    slug: Annotated[str, Form(max_length=64)] = "",
    name: Annotated[str, Form(max_length=200)] = "",
    kind: Annotated[str, Form(max_length=32)] = "",
):
    """Create a buying entity or a department."""
    try:
        draft = OrganisationCreate.model_validate({"slug": slug, "name": name, "kind": kind})
        admin.create_organisation(session, admin=user, draft=draft, reason="", now=clock())
    except ValidationError as error:
        return _back(problems(error), bad=True)
    except DomainError as error:
        return _back(error.message, bad=True)
    return _back(gettext("Created %(name)s.") % {"name": name})


@router.post("/admin/invitations", dependencies=[CsrfChecked])
def invite(
    request: Request,
    user: AdminUser,
    session: SessionDep,
    clock: ClockDep,
    email: Annotated[str, Form(max_length=254)] = "",
    name: Annotated[str, Form(max_length=200)] = "",
    role: Annotated[str, Form(max_length=32)] = "",
    organisation: Annotated[str, Form(max_length=64)] = "",
    lead: Annotated[bool, Form()] = False,
):
    """Invite a person into an organisation and role."""
    try:
        invitation = Invitation.model_validate(
            {
                "email": email,
                "name": name,
                "role": role,
                "organisation": organisation or None,
                "lead": lead,
            }
        )
        admin.invite(
            session,
            inviter=user,
            invitation=invitation,
            now=clock(),
            settings=request.app.state.settings,
        )
    except ValidationError as error:
        return _back(problems(error), bad=True)
    except DomainError as error:
        return _back(error.message, bad=True)
    send_now(request, session)
    return _back(
        gettext("Invited %(email)s: they choose their password from the e-mailed link.")
        % {"email": email}
    )


@router.post("/admin/users/{user_id}/deactivate", dependencies=[CsrfChecked])
def deactivate_user(
    user_id: Id, user: AdminUser, session: SessionDep, clock: ClockDep, reason: Reason = ""
):
    """Close an account."""
    if len(reason.strip()) < 3:
        return _back(gettext("Give a reason to deactivate an account."), bad=True)
    try:
        closed = admin.deactivate_user(
            session, admin=user, user_id=user_id, reason=reason, now=clock()
        )
    except DomainError as error:
        return _back(error.message, bad=True)
    return _back(gettext("Deactivated %(email)s.") % {"email": closed.email})


@router.post("/admin/checkpoint", dependencies=[CsrfChecked])
def checkpoint(request: Request, user: AdminUser, session: SessionDep, clock: ClockDep):
    """Sign a checkpoint of the transparency log now."""
    size = admin.sign_checkpoint(
        session, admin=user, signer=request.app.state.log_signer, now=clock()
    )
    return _back(gettext("Signed a checkpoint of the log at %(size)s entries.") % {"size": size})
