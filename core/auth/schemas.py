"""Request and response models of accounts; never tables."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from core.auth.models import OrganisationKind, Role, TokenKind
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
