"""JSON routes of accounts: API tokens and "who am I"."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Request, status

from core.auth import service
from core.auth.dependencies import CurrentUser
from core.auth.models import TokenKind
from core.auth.schemas import TokenIssued, TokenPublic, TokenRequest, UserPublic
from core.clock import ClockDep
from core.db import SessionDep
from core.types import Id

router = APIRouter(prefix="/api/auth", tags=["accounts"])


def client_address(request: Request) -> str:
    """The caller's address, for throttling."""
    return request.client.host if request.client else "unknown"


@router.post("/tokens", status_code=status.HTTP_201_CREATED, response_model=TokenIssued)
def create_token(body: TokenRequest, request: Request, session: SessionDep, clock: ClockDep):
    """Exchange an email and password for a bearer API token (shown once)."""
    user = service.sign_in(
        session,
        email=body.email,
        password=body.password,
        client=client_address(request),
        throttle=request.app.state.signin_throttle,
        default_locale=request.app.state.settings.default_locale,
        now=clock(),
    )
    lifetime = timedelta(days=body.expires_in_days) if body.expires_in_days else None
    raw, token = service.issue_token(
        session, user=user, kind=TokenKind.API, now=clock(), lifetime=lifetime, name=body.name
    )
    return TokenIssued(
        id=token.id,  # type: ignore[arg-type]  # a stored token has its id
        token=raw,
        name=token.name,
        expires_at=token.expires_at,
    )


@router.get("/tokens", response_model=list[TokenPublic])
def list_tokens(user: CurrentUser, session: SessionDep):
    """Your API tokens (their secrets are never shown again)."""
    return [
        TokenPublic.model_validate(t, from_attributes=True)
        for t in service.list_tokens(session, user=user)
    ]


@router.delete("/tokens/{token_id}", response_model=TokenPublic)
def revoke_token(token_id: Id, user: CurrentUser, session: SessionDep, clock: ClockDep):
    """Revoke one of your API tokens; it stops working at once."""
    token = service.revoke_token(session, user=user, token_id=token_id, now=clock())
    return TokenPublic.model_validate(token, from_attributes=True)


@router.get("/me", response_model=UserPublic)
def me(user: CurrentUser):
    """The account this token belongs to."""
    return UserPublic.model_validate(user, from_attributes=True)
