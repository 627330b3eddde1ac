"""HTML routes of procurement."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from core.auth.dependencies import OptionalUser
from core.auth.models import OrganisationKind
from core.auth.queries import list_organisations
from core.db import SessionDep

router = APIRouter(include_in_schema=False)


@router.get("/buyers", response_class=HTMLResponse)
def buyers(request: Request, session: SessionDep, user: OptionalUser):
    """The public directory of buying entities."""
    return request.app.state.templates.TemplateResponse(
        request,
        "procurement/buyers.html",
        {
            "user": user,
            "buyers": list_organisations(session, kind=OrganisationKind.BUYING_ENTITY),
        },
    )
