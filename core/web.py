"""HTTP plumbing shared by every package: the settings dependency, security headers, request
logging and request-body limits."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Sequence
from typing import Annotated

from fastapi import Depends, Query, Request
from starlette.datastructures import Headers, MutableHeaders
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from core.settings import Settings

request_log = logging.getLogger("prongsai.request")


def get_settings(request: Request) -> Settings:
    """The deployment's settings, as the app factory was given them."""
    return request.app.state.settings


SettingsDep = Annotated[Settings, Depends(get_settings)]

# Pages use only our own scripts and styles; the API docs page needs its inline bootstrap.
CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; object-src 'none'; "
    "frame-ancestors 'none'"
)
DOCS_CSP = CSP.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'").replace(
    "style-src 'self'", "style-src 'self' 'unsafe-inline'"
)
SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "strict-origin-when-cross-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=()",
    "cross-origin-opener-policy": "same-origin",
}


class SecurityHeadersMiddleware:
    """Adds CSP, nosniff and frame-ancestors to every response."""

    def __init__(self, app: ASGIApp, *, docs_path: str = "/api/docs") -> None:
        self.app = app
        self.docs_path = docs_path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        csp = DOCS_CSP if scope["path"] == self.docs_path else CSP

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers.setdefault(name, value)
                headers.setdefault("content-security-policy", csp)
            await send(message)

        await self.app(scope, receive, send_with_headers)


class RequestLogMiddleware:
    """Logs method, path, status and duration; never bodies or query strings."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_and_note(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_note)
        finally:
            request_log.info(
                "%s %s %s %.1fms",
                scope["method"],
                scope["path"],
                status,
                (time.perf_counter() - started) * 1000,
            )


class BodyTooLarge(HTTPException):
    """A request body over its route's limit (413); the message names the limit."""

    def __init__(self, limit: int) -> None:
        super().__init__(
            status_code=413,
            detail=f"The request is too large: this address takes at most {limit:,} bytes. "
            "Send smaller files, or fewer at a time.",
        )


BodyLimit = tuple[str, str, int]  # method, path pattern (a regular expression), bytes


class BodyLimitMiddleware:
    """Refuses a request body over its route's limit: on the Content-Length before a byte is
    read, and by counting the bytes of a body streamed without one. The route's error
    handler answers the 413 (JSON under /api, a page elsewhere)."""

    def __init__(self, app: ASGIApp, *, default: int, routes: Sequence[BodyLimit] = ()) -> None:
        self.app = app
        self.default = default
        self.routes = [(method, re.compile(pattern), limit) for method, pattern, limit in routes]

    def limit_for(self, method: str, path: str) -> int:
        """The limit of the route that takes this request: a file route's, or the default."""
        for route_method, pattern, limit in self.routes:
            if route_method == method and pattern.fullmatch(path):
                return limit
        return self.default

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope["method"], scope["path"])
        declared = Headers(scope=scope).get("content-length", "")
        too_large = declared.isdigit() and int(declared) > limit
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            if too_large:  # refused before reading: the body stays on the wire
                raise BodyTooLarge(limit)
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        await self.app(scope, limited_receive, send)


def page_headers(request, response, *, page: int, per_page: int, total: int) -> None:
    """A paged JSON list's count and next page, in headers (the body stays a list):
    X-Total-Count, and an RFC 8288 Link with rel="next" while more follow."""
    response.headers["X-Total-Count"] = str(total)
    if page * per_page < total:
        following = request.url.include_query_params(page=page + 1)
        response.headers["Link"] = f'<{following}>; rel="next"'


# A directory's search (a part of a name or identifier) and page number.
DirectoryName = Annotated[str, Query(max_length=100)]
DirectoryPage = Annotated[int, Query(ge=1, le=100_000)]


def directory_pager(name: str, *, page: int, per_page: int, total: int) -> dict:
    """A directory page's search and its previous and next pages' queries (None at the ends),
    for a template's links."""
    here = {"name": name} if name.strip() else {}
    return {
        "name": name,
        "total": total,
        "previous_query": dict(here, page=page - 1) if page > 1 else None,
        "next_query": dict(here, page=page + 1) if page * per_page < total else None,
    }
