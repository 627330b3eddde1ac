"""Factories of permits: departments, officers, types, applications, documents."""

from __future__ import annotations

import itertools
from datetime import datetime

from sqlmodel import Session

from core.auth import service as auth_service
from core.auth.models import OrganisationKind, Role, User
from core.settings import Settings
from permits import catalogue, service
from permits.insights import aggregates as permit_aggregates
from permits.models import Application, OfficerProfile
from permits.uploads import Upload
from tests import factories

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
DEPARTMENTS = ("bma-public-works", "bma-health", "phra-nakhon-district")
_numbers = itertools.count(1)
# Personal data that must never appear on a public page, feed, export or log entry.
SECRET_NAME = "Zzyzx Personal-Marker"
SECRET_PHONE = "+66 81 999 0001"
SECRET_EMAIL = "zzyzx.marker@private.example"
SECRET_ADDRESS = "77/7 Soi Secret-Marker"


def refresh_figures(session: Session, *, settings: Settings, now: datetime) -> None:
    """Read the changes into the public figures, as the scheduled job does every few seconds."""
    permit_aggregates.refresh(session, settings=settings, now=now)


def departments(session: Session, *, now: datetime) -> None:
    """The departments the shipped permit types name, and the types themselves."""
    for slug in DEPARTMENTS:
        if auth_service.get_organisation_by_slug(session, slug=slug) is None:
            auth_service.create_organisation(
                session, slug=slug, name=f"Dept {slug}", kind=OrganisationKind.DEPARTMENT, now=now
            )
    catalogue.load_types(session, now=now)


def officer(
    session: Session, *, department: str, now: datetime, supervisor: User | None = None
) -> User:
    """A permit officer of a department, with a badge number."""
    n = next(_numbers)
    user = auth_service.create_user(
        session,
        email=f"officer{n}@{department}.example",
        display_name=f"Officer {n}",
        role=Role.PERMIT_OFFICER,
        password=factories.PASSWORD,
        organisation_slug=department,
        now=now,
    )
    session.add(
        OfficerProfile(
            user_id=user.id,
            badge_number=f"B-{n:05d}",
            supervisor_id=supervisor.id if supervisor else None,
        )
    )
    session.commit()
    return user


def applicant(session: Session, *, now: datetime) -> User:
    """A new applicant account."""
    return factories.user(session, role=Role.APPLICANT, now=now)


def food_values() -> dict[str, str]:
    return {
        "full_name": SECRET_NAME,
        "phone": SECRET_PHONE,
        "shop_name": "Khao Man Gai Corner",
        "seats": "24",
        "shop_address": SECRET_ADDRESS,
    }


def food_files() -> list[Upload]:
    return [
        Upload("floor_plan", "plan.pdf", PDF),
        Upload("health_certificate", "health.png", PNG),
    ]


def food_application(
    session: Session, *, now: datetime, settings: Settings, applicant_user: User | None = None
) -> Application:
    """A food-sanitation application (FOD: intake 2 days, inspection 10, decision 5)."""
    return service.apply(
        session,
        applicant=applicant_user or applicant(session, now=now),
        type_code="FOD",
        values=food_values(),
        files=food_files(),
        now=now,
        settings=settings,
    )
