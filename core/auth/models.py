"""Tables of accounts: organisations, users, and their session and API tokens."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from core.db import UTCDateTime


class OrganisationKind(StrEnum):
    BUYING_ENTITY = "buying_entity"
    SUPPLIER = "supplier"
    DEPARTMENT = "department"


class Role(StrEnum):
    BUYER = "buyer"
    SUPPLIER = "supplier"
    PERMIT_OFFICER = "permit_officer"
    APPLICANT = "applicant"
    AUDITOR = "auditor"
    ADMIN = "admin"


# The organisation a user of each role must (or must not) belong to.
ROLE_ORGANISATION: dict[Role, OrganisationKind | None] = {
    Role.BUYER: OrganisationKind.BUYING_ENTITY,
    Role.SUPPLIER: OrganisationKind.SUPPLIER,
    Role.PERMIT_OFFICER: OrganisationKind.DEPARTMENT,
    Role.APPLICANT: None,
    Role.AUDITOR: None,
    Role.ADMIN: None,
}


class TokenKind(StrEnum):
    SESSION = "session"
    API = "api"


class OrganisationStatus(StrEnum):
    ACTIVE = "active"  # may act: a buying entity, a department, an approved supplier company
    PENDING = "pending"  # a self-registered supplier company awaiting an admin's check
    REJECTED = "rejected"
    DEACTIVATED = "deactivated"


class LinkPurpose(StrEnum):
    """What a single-use link sent by e-mail is for."""

    VERIFY_EMAIL = "verify_email"
    RESET_PASSWORD = "reset_password"  # noqa: S105 -- a purpose, not a secret
    INVITATION = "invitation"


class Organisation(SQLModel, table=True):
    __tablename__ = "auth_organisation"
    # the public directories, by name, a page at a time (the status carried along: they are
    # counted, and filtered by it, inside the index)
    __table_args__ = (
        sa.Index("ix_auth_organisation_kind_name_id", "kind", "name", "id", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(sa_type=sa.String(64), unique=True)
    name: str = Field(sa_type=sa.String(200))
    name_th: str | None = Field(default=None, sa_type=sa.String(200))
    kind: OrganisationKind = Field(sa_type=sa.String(32), index=True)
    registration_id: str | None = Field(default=None, sa_type=sa.String(64))
    created_at: datetime = Field(sa_type=UTCDateTime)
    status: OrganisationStatus = Field(
        default=OrganisationStatus.ACTIVE,
        sa_type=sa.String(16),
        sa_column_kwargs={"server_default": "active"},
        index=True,
    )
    status_reason: str | None = Field(default=None, sa_type=sa.Text)
    status_changed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class User(SQLModel, table=True):
    __tablename__ = "auth_user"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(sa_type=sa.String(254), unique=True)
    display_name: str = Field(sa_type=sa.String(200))
    role: Role = Field(sa_type=sa.String(32), index=True)
    organisation_id: int | None = Field(
        default=None, foreign_key="auth_organisation.id", index=True, ondelete="RESTRICT"
    )
    password_hash: str = Field(sa_type=sa.String(200))
    is_active: bool = True
    created_at: datetime = Field(sa_type=UTCDateTime)
    # None until the person follows the link sent to the address; they cannot sign in before.
    email_verified_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # An organisation's lead buyer or head officer, who may invite colleagues into it.
    is_lead: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})


class AuthToken(SQLModel, table=True):
    """A web session or an API token; only the SHA-256 of the secret is kept."""

    __tablename__ = "auth_token"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="auth_user.id", index=True, ondelete="CASCADE")
    kind: TokenKind = Field(sa_type=sa.String(16))
    name: str = Field(default="", sa_type=sa.String(100))
    token_hash: str = Field(sa_type=sa.String(64), unique=True)
    created_at: datetime = Field(sa_type=UTCDateTime)
    expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class AccountLink(SQLModel, table=True):
    """A single-use link sent by e-mail (verify, reset, invitation); only its SHA-256 is kept."""

    __tablename__ = "auth_account_link"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="auth_user.id", index=True, ondelete="CASCADE")
    purpose: LinkPurpose = Field(sa_type=sa.String(32))
    token_hash: str = Field(sa_type=sa.String(64), unique=True)
    created_at: datetime = Field(sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class AccountMail(SQLModel, table=True):
    """The accounts' e-mail outbox: links and notices, sent after the change commits."""

    __tablename__ = "auth_mail"

    id: int | None = Field(default=None, primary_key=True)
    to_email: str = Field(sa_type=sa.String(254))
    subject: str = Field(sa_type=sa.String(300))
    body: str = Field(sa_type=sa.Text)
    created_at: datetime = Field(sa_type=UTCDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)


class AdminAction(SQLModel, table=True):
    """Who did what to an account or organisation, when and why; auditors read it."""

    __tablename__ = "auth_admin_action"

    id: int | None = Field(default=None, primary_key=True)
    actor_id: int | None = Field(
        default=None, foreign_key="auth_user.id", index=True, ondelete="SET NULL"
    )
    actor: str = Field(sa_type=sa.String(254))  # kept as written: an operator at the CLI has no id
    action: str = Field(sa_type=sa.String(80), index=True)
    subject: str = Field(sa_type=sa.String(120))
    reason: str = Field(default="", sa_type=sa.Text)
    created_at: datetime = Field(sa_type=UTCDateTime, index=True)


class OrganisationCount(SQLModel, table=True):
    """How many organisations of a kind have a status, as the counting job last found them
    (core.auth.jobs): the public pages' counts read these few rows, not every organisation."""

    __tablename__ = "auth_organisation_count"

    kind: str = Field(primary_key=True, sa_type=sa.String(32))
    status: str = Field(primary_key=True, sa_type=sa.String(16))
    n: int = Field(sa_type=sa.BigInteger)
    counted_at: datetime = Field(sa_type=UTCDateTime)
