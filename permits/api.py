"""JSON routes of permits."""

from __future__ import annotations

from fastapi import APIRouter

from core.auth.models import OrganisationKind
from core.auth.queries import list_organisations
from core.auth.schemas import OrganisationPublic
from core.db import SessionDep

router = APIRouter(prefix="/api/permits", tags=["permits"])


@router.get("/departments", response_model=list[OrganisationPublic])
def departments(session: SessionDep):
    """Every government department that handles permit applications."""
    return list_organisations(session, kind=OrganisationKind.DEPARTMENT)
