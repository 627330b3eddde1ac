"""Who is calling, and may they? Pages speak session cookies; the API speaks bearer tokens."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request

from core.auth import service
from core.auth.models import Role, TokenKind, User
from core.clock import ClockDep
from core.db import SessionDep
from core.errors import NotAuthenticated, PermissionDenied
from core.i18n import gettext

SESSION_COOKIE = "prongsai_session"


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, credentials = header.partition(" ")
    if scheme.lower() != "bearer" or not credentials.strip():
        return None
    return credentials.strip()


def optional_user(request: Request, session: SessionDep, clock: ClockDep) -> User | None:
    """The signed-in user, or None for the public."""
    if request.url.path.startswith("/api/"):
        raw, kind = _bearer(request), TokenKind.API
        if raw is None and "authorization" in request.headers:
            raise NotAuthenticated(gettext("Send the token as `Authorization: Bearer <token>`."))
    else:
        raw, kind = request.cookies.get(SESSION_COOKIE), TokenKind.SESSION
    if raw is None:
        return None
    try:
        return service.resolve_token(session, raw=raw, kind=kind, now=clock())
    except NotAuthenticated:
        if kind is TokenKind.SESSION:
            return None  # a stale cookie just means "signed out" on a page
        raise


def current_user(user: Annotated[User | None, Depends(optional_user)], request: Request) -> User:
    """The signed-in user; a 401 that says how to sign in otherwise."""
    if user is None:
        if request.url.path.startswith("/api/"):
            raise NotAuthenticated(
                gettext(
                    "This needs an API token: send `Authorization: Bearer <token>` "
                    "(create one with POST /api/auth/tokens)."
                )
            )
        raise NotAuthenticated(gettext("Sign in to continue."))
    return user


OptionalUser = Annotated[User | None, Depends(optional_user)]
CurrentUser = Annotated[User, Depends(current_user)]


def require_role(*roles: Role) -> Callable[[User], User]:
    """A dependency letting through only users of one of these roles."""
    allowed = ", ".join(sorted(roles))

    def check(user: CurrentUser) -> User:
        if user.role not in roles:
            raise PermissionDenied(
                gettext("Your account (%(role)s) may not do this; it needs the role: %(allowed)s.")
                % {"role": user.role, "allowed": allowed}
            )
        return user

    return check
