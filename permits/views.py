"""HTML routes of permits."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from core.auth.dependencies import OptionalUser
from core.auth.models import OrganisationKind
from core.auth.queries import list_organisations
from core.db import SessionDep

router = APIRouter(include_in_schema=False)


@router.get("/departments", response_class=HTMLResponse)
def departments(request: Request, session: SessionDep, user: OptionalUser):
    """The public directory of permit-handling departments."""
    return request.app.state.templates.TemplateResponse(
        request,
        "permits/departments.html",
        {
            "user": user,
            "departments": list_organisations(session, kind=OrganisationKind.DEPARTMENT),
        },
    )
