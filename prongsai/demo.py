"""Demo data: a realistic small deployment, loaded by `prongsai demo`; safe to re-run."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from core.auth import passwords
from core.auth import service as auth_service
from core.auth.models import OrganisationKind, Role
from core.settings import Settings, load_settings
from permits import demo as permits_demo
from permits.insights import aggregates as permit_aggregates
from procurement import demo as procurement_demo
from procurement.insights import aggregates as insight_aggregates
from public_site.search import index as search_index

DEMO_PASSWORD = "prongsai-demo"  # noqa: S105 -- printed in the README; demo accounts only

ORGANISATIONS = [
    (
        "bma-procurement",
        OrganisationKind.BUYING_ENTITY,
        "Bangkok Metropolitan Administration, Procurement Division",
        "กองพัสดุ กรุงเทพมหานคร",
        "0994000009999",
    ),
    (
        "moph-supplies",
        OrganisationKind.BUYING_ENTITY,
        "Ministry of Public Health, Office of the Permanent Secretary",
        "สำนักงานปลัดกระทรวงสาธารณสุข",
        "0994000158173",
    ),
    (
        "doh-highways",
        OrganisationKind.BUYING_ENTITY,
        "Department of Highways",
        "กรมทางหลวง",
        "0994000160097",
    ),
    (
        "siam-civil",
        OrganisationKind.SUPPLIER,
        "Siam Civil Works Co., Ltd.",
        "บริษัท สยามซีวิลเวิร์คส จำกัด",
        "0105551234567",
    ),
    (
        "chaophraya-it",
        OrganisationKind.SUPPLIER,
        "Chao Phraya IT Services Co., Ltd.",
        "บริษัท เจ้าพระยา ไอที เซอร์วิสเซส จำกัด",
        "0105559876543",
    ),
    (
        "lanna-medical",
        OrganisationKind.SUPPLIER,
        "Lanna Medical Supplies Co., Ltd.",
        "บริษัท ล้านนา เมดิคอล ซัพพลายส์ จำกัด",
        "0505561112223",
    ),
    (
        "andaman-build",
        OrganisationKind.SUPPLIER,
        "Andaman Construction Partnership",
        "ห้างหุ้นส่วนจำกัด อันดามัน คอนสตรัคชั่น",
        "0833554445556",
    ),
    (
        "bma-public-works",
        OrganisationKind.DEPARTMENT,
        "BMA Department of Public Works, Building Control Division",
        "สำนักการโยธา กองควบคุมอาคาร",
        None,
    ),
    (
        "bma-health",
        OrganisationKind.DEPARTMENT,
        "BMA Health Department, Food Sanitation Office",
        "สำนักอนามัย กองสุขาภิบาลอาหาร",
        None,
    ),
    (
        "phra-nakhon-district",
        OrganisationKind.DEPARTMENT,
        "Phra Nakhon District Office",
        "สำนักงานเขตพระนคร",
        None,
    ),
]

USERS = [
    ("admin@prongsai.example", "Platform Administrator", Role.ADMIN, None),
    ("auditor@oag.example", "Office of the Auditor General (demo)", Role.AUDITOR, None),
    ("buyer@bma.example", "Somchai Prasert", Role.BUYER, "bma-procurement"),
    ("buyer@moph.example", "Nattaya Boonmee", Role.BUYER, "moph-supplies"),
    ("buyer@doh.example", "Kittipong Saetang", Role.BUYER, "doh-highways"),
    ("bids@siam-civil.example", "Wichai Thongdee", Role.SUPPLIER, "siam-civil"),
    ("bids@chaophraya-it.example", "Ploy Chaiyaporn", Role.SUPPLIER, "chaophraya-it"),
    ("bids@lanna-medical.example", "Anong Kaewmanee", Role.SUPPLIER, "lanna-medical"),
    ("bids@andaman-build.example", "Surachai Meechai", Role.SUPPLIER, "andaman-build"),
    ("officer@bma-works.example", "Pimchanok Rattana", Role.PERMIT_OFFICER, "bma-public-works"),
    ("officer@bma-health.example", "Thanawat Srisuk", Role.PERMIT_OFFICER, "bma-health"),
    ("officer@phranakhon.example", "Jiraporn Wongsa", Role.PERMIT_OFFICER, "phra-nakhon-district"),
    ("applicant@example.com", "Malee Suksawat", Role.APPLICANT, None),
    ("applicant2@example.com", "Arthit Chanthara", Role.APPLICANT, None),
]


@dataclass(frozen=True)
class DemoSummary:
    organisations_created: int
    users_created: int


def load(session: Session, *, now: datetime, settings: Settings | None = None) -> DemoSummary:
    """Create whatever part of the demo deployment is missing."""
    with passwords.one_hash_for(DEMO_PASSWORD):
        return _load(session, now=now, settings=settings)


def _load(session: Session, *, now: datetime, settings: Settings | None) -> DemoSummary:
    organisations = users = 0
    for slug, kind, name, name_th, registration_id in ORGANISATIONS:
        if auth_service.get_organisation_by_slug(session, slug=slug) is None:
            auth_service.create_organisation(
                session,
                slug=slug,
                kind=kind,
                name=name,
                name_th=name_th,
                registration_id=registration_id,
                now=now,
            )
            organisations += 1
    for email, display_name, role, organisation_slug in USERS:
        if auth_service.get_user_by_email(session, email=email) is None:
            auth_service.create_user(
                session,
                email=email,
                display_name=display_name,
                role=role,
                password=DEMO_PASSWORD,
                organisation_slug=organisation_slug,
                now=now,
            )
            users += 1
    permits_demo.load(session, now=now)
    settings = settings or load_settings()
    procurement_demo.load(session, now=now, settings=settings)
    search_index.refresh(session, now=now)  # searchable at once, not at the job's next run
    insight_aggregates.refresh(session, now=now)  # the figures too
    permit_aggregates.refresh(session, settings=settings, now=now)
    return DemoSummary(organisations_created=organisations, users_created=users)
