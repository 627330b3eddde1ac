"""CSRF protection for every HTML form: a signed double-submit token.

A random seed lives in an HTTP-only, SameSite=Strict cookie; each form carries the seed
signed with the deployment's secret (itsdangerous). A request forged from another site
cannot read the cookie, so it cannot produce the matching signed token.
"""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from http.cookies import SimpleCookie
from typing import Any

from fastapi import Request
from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from core.errors import PermissionDenied
from core.i18n import N_, gettext

COOKIE = "prongsai_csrf"
FIELD = "csrf_token"
MAX_AGE_SECONDS = 24 * 3600
FAILED = N_("This form has expired or did not come from this site. Reload the page and try again.")


class CsrfCookieMiddleware:
    """Gives every browser a CSRF seed cookie the first time it visits."""

    def __init__(self, app: ASGIApp, *, secure: bool) -> None:
        self.app = app
        self.secure = secure

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith("/api/"):
            await self.app(scope, receive, send)
            return
        if COOKIE in Request(scope).cookies:
            await self.app(scope, receive, send)
            return
        seed = secrets.token_urlsafe(32)
        scope.setdefault("state", {})["csrf_seed"] = seed

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                cookie: SimpleCookie = SimpleCookie()
                cookie[COOKIE] = seed
                # Morsel takes flags as truthy values, though typeshed says str.
                attributes: dict[str, Any] = {
                    "path": "/",
                    "httponly": True,
                    "samesite": "Strict",
                    "secure": self.secure,
                }
                cookie[COOKIE].update(attributes)
                MutableHeaders(scope=message).append("set-cookie", cookie.output(header="").strip())
            await send(message)

        await self.app(scope, receive, send_with_cookie)


def _serializer(request: Request) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(request.app.state.settings.secret(), salt="prongsai-csrf")


def _seed(request: Request) -> str | None:
    return request.cookies.get(COOKIE) or getattr(request.state, "csrf_seed", None)


def csrf_token(request: Request) -> str:
    """The token a form on this page must send back (a template global)."""
    seed = _seed(request)
    if seed is None:
        raise RuntimeError("CsrfCookieMiddleware is not installed")
    return _serializer(request).dumps(seed)


async def verify_csrf(request: Request) -> AsyncIterator[None]:
    """Refuse a form post whose token does not match this browser's cookie."""
    # The route reads the same parsed form; its uploaded files close once the route is done.
    form = await request.form()
    try:
        submitted = form.get(FIELD)
        seed = request.cookies.get(COOKIE)
        if not isinstance(submitted, str) or seed is None:
            raise PermissionDenied(gettext(FAILED))
        try:
            expected = _serializer(request).loads(submitted, max_age=MAX_AGE_SECONDS)
        except BadSignature:
            raise PermissionDenied(gettext(FAILED)) from None
        if not secrets.compare_digest(str(expected), seed):
            raise PermissionDenied(gettext(FAILED))
        yield
    finally:
        await form.close()
