"""The public site's pages."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from core.auth.dependencies import OptionalUser
from core.auth.queries import count_organisations
from core.db import SessionDep

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
def home(request: Request, session: SessionDep, user: OptionalUser):
    """The home page: what Prongsai is and who is on it."""
    return request.app.state.templates.TemplateResponse(
        request, "public_site/home.html", {"user": user, "counts": count_organisations(session)}
    )
