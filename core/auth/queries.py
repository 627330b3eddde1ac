"""Public reads of the organisation directory (no personal data: users are never listed)."""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import Session, select

from core.auth.models import Organisation, OrganisationKind
from core.auth.schemas import OrganisationPublic


def list_organisations(session: Session, *, kind: OrganisationKind) -> list[OrganisationPublic]:
    """Every organisation of one kind, by name."""
    query = select(Organisation).where(Organisation.kind == kind).order_by(Organisation.name)
    return [OrganisationPublic.model_validate(o, from_attributes=True) for o in session.exec(query)]


def count_organisations(session: Session) -> dict[OrganisationKind, int]:
    """How many organisations of each kind are registered."""
    rows = session.exec(select(Organisation.kind, func.count()).group_by(Organisation.kind))
    counts = dict.fromkeys(OrganisationKind, 0)
    counts.update({OrganisationKind(kind): n for kind, n in rows})
    return counts
