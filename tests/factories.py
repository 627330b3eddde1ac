"""Factories for accounts, shared by every package's tests."""

from __future__ import annotations

import itertools
from datetime import datetime

from sqlmodel import Session

from core.auth import service as auth_service
from core.auth.models import ROLE_ORGANISATION, Organisation, OrganisationKind, Role, User

PASSWORD = "correct horse battery"
_numbers = itertools.count(1)


def organisation(session: Session, *, kind: OrganisationKind, now: datetime) -> Organisation:
    """A new organisation of one kind."""
    n = next(_numbers)
    return auth_service.create_organisation(
        session,
        slug=f"{kind.value.replace('_', '-')}-{n}",
        name=f"Test {kind} {n}",
        kind=kind,
        now=now,
    )


def user(session: Session, *, role: Role, now: datetime, password: str = PASSWORD) -> User:
    """A new user of one role, in a new organisation of the kind that role needs."""
    kind = ROLE_ORGANISATION[role]
    slug = organisation(session, kind=kind, now=now).slug if kind else None
    return auth_service.create_user(
        session,
        email=f"{role.value}{next(_numbers)}@test.example",
        display_name=f"Test {role}",
        role=role,
        password=password,
        organisation_slug=slug,
        now=now,
    )
