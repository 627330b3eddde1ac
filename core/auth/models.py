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


class Organisation(SQLModel, table=True):
    __tablename__ = "auth_organisation"

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(sa_type=sa.String(64), unique=True)
    name: str = Field(sa_type=sa.String(200))
    name_th: str | None = Field(default=None, sa_type=sa.String(200))
    kind: OrganisationKind = Field(sa_type=sa.String(32), index=True)
    registration_id: str | None = Field(default=None, sa_type=sa.String(64))
    created_at: datetime = Field(sa_type=UTCDateTime)


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


class Notice(SQLModel, table=True):
    """An e-mail to an account's owner about the account itself (failed sign-ins), queued in
    the transaction that has cause to send it and sent by the outbox job."""

    __tablename__ = "auth_notice"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="auth_user.id", index=True, ondelete="CASCADE")
    recipient: str = Field(sa_type=sa.String(254))
    subject: str = Field(sa_type=sa.String(200))
    body: str = Field(sa_type=sa.Text)
    created_at: datetime = Field(sa_type=UTCDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
