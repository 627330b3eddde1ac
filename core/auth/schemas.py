"""Request and response models of accounts; never tables."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, EmailStr, Field, model_validator

from core.auth.models import OrganisationKind, OrganisationStatus, Role, TokenKind
from core.i18n import N_
from core.types import Input


class UserPublic(BaseModel):
    id: int
    email: str
    display_name: str
    role: Role
    organisation_id: int | None
    organisation_name: str | None = None


class OrganisationPublic(BaseModel):
    id: int
    slug: str
    name: str
    name_th: str | None
    kind: OrganisationKind


class TokenRequest(Input):
    email: str = Field(max_length=254)
    password: str = Field(max_length=1024)
    name: str = Field(default="api", max_length=100)
    expires_in_days: int | None = Field(default=90, ge=1, le=366)


class TokenIssued(BaseModel):
    id: int
    token: str = Field(description="Shown once; send it as `Authorization: Bearer <token>`.")
    name: str
    expires_at: datetime | None


class TokenPublic(BaseModel):
    id: int
    kind: TokenKind
    name: str
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None


class OrganisationIn(Input):
    """A supplier company as it registers itself; the address and contact stay private."""

    name: str = Field(min_length=2, max_length=200, description="the company's legal name")
    name_th: str | None = Field(default=None, max_length=200)
    registration_number: str = Field(
        min_length=1,
        max_length=20,
        description="Thai juristic-person registration number: 13 digits, the last a check digit",
    )
    address: str = Field(min_length=5, max_length=500)
    contact_name: str = Field(min_length=2, max_length=200)
    contact_phone: str = Field(min_length=6, max_length=40)


class AccountRegistration(Input):
    """A person registering themselves: a supplier company's account holder, or an applicant."""

    role: Literal["supplier", "applicant"]
    email: EmailStr
    name: str = Field(min_length=2, max_length=200)
    password: str = Field(max_length=1024)
    organisation: OrganisationIn | None = None

    @model_validator(mode="after")
    def _organisation_for_suppliers_only(self) -> AccountRegistration:
        if self.role == "supplier" and self.organisation is None:
            raise ValueError(N_("a supplier registers with its company: give `organisation`"))
        if self.role == "applicant" and self.organisation is not None:
            raise ValueError(N_("an applicant registers as a person: leave out `organisation`"))
        return self


class Accepted(BaseModel):
    """The same answer whatever the address: it reveals nothing about who has an account."""

    detail: str


class LinkToken(Input):
    token: str = Field(min_length=1, max_length=200)


class NewPassword(Input):
    token: str = Field(min_length=1, max_length=200)
    password: str = Field(max_length=1024)


class PasswordResetRequest(Input):
    email: EmailStr


class PasswordChange(Input):
    current_password: str = Field(max_length=1024)
    new_password: str = Field(max_length=1024)


class AccountReady(BaseModel):
    """What a followed link did, and where the person goes next."""

    email: str
    role: Role
    organisation_status: OrganisationStatus | None
    detail: str
    next: str = "/signin"


class RegisteredSupplier(BaseModel):
    """An approved supplier company on the public register: never its contact."""

    slug: str
    name: str
    name_th: str | None
    registration_id: str | None
    registered_on: date


class Member(BaseModel):
    """A person acting for an organisation, as an admin sees them."""

    id: int
    email: str
    display_name: str
    role: Role
    is_lead: bool
    is_active: bool
    email_verified: bool


class OrganisationView(BaseModel):
    """A person's own organisation as their pages show it."""

    slug: str | None
    name: str | None
    status: OrganisationStatus | None
    status_reason: str | None


class OrganisationAdminView(BaseModel):
    id: int
    slug: str
    name: str
    name_th: str | None
    kind: OrganisationKind
    registration_id: str | None
    status: OrganisationStatus
    status_reason: str | None
    created_at: datetime
    members: list[Member] = []


class OrganisationCreate(Input):
    """A buying entity or government department, created by an admin."""

    slug: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{1,62}[a-z0-9]$")
    name: str = Field(min_length=2, max_length=200)
    name_th: str | None = Field(default=None, max_length=200)
    kind: Literal["buying_entity", "department"]
    registration_id: str | None = Field(default=None, max_length=64)


class Reason(Input):
    reason: str = Field(default="", max_length=2000)


class RequiredReason(Input):
    reason: str = Field(min_length=3, max_length=2000)


class Invitation(Input):
    """Invite a person into an organisation and role; they set their own password."""

    email: EmailStr
    name: str = Field(min_length=2, max_length=200)
    role: Role
    organisation: str | None = Field(default=None, description="the organisation's slug")
    lead: bool = Field(default=False, description="lead buyer or head officer of it")


class AdminActionView(BaseModel):
    id: int
    actor: str
    action: str
    subject: str
    reason: str
    created_at: datetime


class Rename(Input):
    name: str = Field(min_length=2, max_length=200)
    name_th: str | None = Field(default=None, max_length=200)
    reason: str = Field(default="", max_length=2000)


class RoleChange(Input):
    role: Role
    reason: str = Field(min_length=3, max_length=2000)
