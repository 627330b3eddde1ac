"""JSON routes of procurement."""

from __future__ import annotations

from fastapi import APIRouter

from core.auth.models import OrganisationKind
from core.auth.queries import list_organisations
from core.auth.schemas import OrganisationPublic
from core.db import SessionDep

router = APIRouter(prefix="/api/procurement", tags=["procurement"])


@router.get("/buyers", response_model=list[OrganisationPublic])
def buyers(session: SessionDep):
    """Every buying entity registered on the platform."""
    return list_organisations(session, kind=OrganisationKind.BUYING_ENTITY)
