"""JSON routes of administration (`admin`): organisations checked, created and deactivated;
people invited and deactivated; the record of every admin action (admins and auditors)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, status

from core.auth import admin, queries
from core.auth.accounts_api import send_now
from core.auth.dependencies import require_role
from core.auth.models import OrganisationStatus, Role, User
from core.auth.schemas import (
    AdminActionView,
    Invitation,
    Member,
    OrganisationAdminView,
    OrganisationCreate,
    Reason,
    Rename,
    RequiredReason,
    RoleChange,
)
from core.clock import ClockDep
from core.db import SessionDep
from core.types import Id
from core.web import SettingsDep

router = APIRouter(prefix="/api/admin", tags=["administration"])
AdminUser = Annotated[User, Depends(require_role(Role.ADMIN))]
Inviter = Annotated[User, Depends(require_role(Role.ADMIN, Role.BUYER, Role.PERMIT_OFFICER))]
Overseer = Annotated[User, Depends(require_role(Role.ADMIN, Role.AUDITOR))]


def _view(session, slug: str) -> OrganisationAdminView:
    return queries.organisation_for_admin(session, slug=slug)


@router.get("/organisations", response_model=list[OrganisationAdminView])
def organisations(_admin: AdminUser, session: SessionDep, status: OrganisationStatus | None = None):
    """Organisations with the people acting for them; `?status=pending` for those to check."""
    return queries.organisations_for_admin(session, status=status)


@router.post(
    "/organisations", status_code=status.HTTP_201_CREATED, response_model=OrganisationAdminView
)
def create_organisation(
    body: OrganisationCreate, user: AdminUser, session: SessionDep, clock: ClockDep
):
    """Create a buying entity or a government department (logged as registered)."""
    admin.create_organisation(session, admin=user, draft=body, reason="", now=clock())
    return _view(session, body.slug)


@router.post("/organisations/{slug}/approve", response_model=OrganisationAdminView)
def approve(
    slug: str,
    user: AdminUser,
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    body: Reason | None = None,
):
    """Approve a pending supplier company: it may bid, and the public register lists it."""
    reason = body.reason if body else ""
    admin.approve_organisation(
        session,
        admin=user,
        slug=slug,
        reason=reason,
        now=clock(),
        settings=request.app.state.settings,
    )
    send_now(request, session)
    return _view(session, slug)


@router.post("/organisations/{slug}/reject", response_model=OrganisationAdminView)
def reject(
    slug: str,
    body: RequiredReason,
    user: AdminUser,
    request: Request,
    session: SessionDep,
    clock: ClockDep,
):
    """Reject a pending supplier company with the reason it is told."""
    admin.reject_organisation(
        session,
        admin=user,
        slug=slug,
        reason=body.reason,
        now=clock(),
        settings=request.app.state.settings,
    )
    send_now(request, session)
    return _view(session, slug)


@router.post("/organisations/{slug}/deactivate", response_model=OrganisationAdminView)
def deactivate_organisation(
    slug: str, body: RequiredReason, user: AdminUser, session: SessionDep, clock: ClockDep
):
    """Stop an organisation and its people acting (logged)."""
    admin.deactivate_organisation(session, admin=user, slug=slug, reason=body.reason, now=clock())
    return _view(session, slug)


@router.post("/organisations/{slug}/rename", response_model=OrganisationAdminView)
def rename(slug: str, body: Rename, user: AdminUser, session: SessionDep, clock: ClockDep):
    """Rename an organisation; the log keeps the old name beside the new."""
    admin.rename_organisation(
        session,
        admin=user,
        slug=slug,
        name=body.name,
        name_th=body.name_th,
        reason=body.reason,
        now=clock(),
    )
    return _view(session, slug)


@router.post("/invitations", status_code=status.HTTP_202_ACCEPTED, response_model=Member)
def invite(
    body: Invitation,
    user: Inviter,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
):
    """Invite a person into an organisation and role; they choose their password from the
    mailed link. Admins invite anyone; a lead buyer or head officer, colleagues into their
    own organisation only."""
    invited = admin.invite(session, inviter=user, invitation=body, now=clock(), settings=settings)
    send_now(request, session)
    return invited


@router.post("/users/{user_id}/deactivate", response_model=Member)
def deactivate_user(
    user_id: Id, body: RequiredReason, user: AdminUser, session: SessionDep, clock: ClockDep
):
    """Close an account: it cannot sign in, and its sessions and API tokens stop."""
    return admin.deactivate_user(
        session, admin=user, user_id=user_id, reason=body.reason, now=clock()
    )


@router.post("/users/{user_id}/role", response_model=Member)
def change_role(
    user_id: Id, body: RoleChange, user: AdminUser, session: SessionDep, clock: ClockDep
):
    """Give a person another role that fits their organisation (they sign in again)."""
    return admin.change_role(
        session, admin=user, user_id=user_id, role=body.role, reason=body.reason, now=clock()
    )


@router.get("/actions", response_model=list[AdminActionView])
def actions(_user: Overseer, session: SessionDep):
    """Every admin action, newest first: who, what, when and why (admins and auditors)."""
    return queries.admin_actions(session)
