"""Demo permits: three types and a few hundred applications in every state; safe to re-run."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlmodel import Session, func, select

from core.auth import service as auth_service
from core.auth.models import Role, User
from core.db import stored_id
from core.settings import Settings, load_settings
from permits import catalogue, overdue, service
from permits.models import Application, ApplicationStatus, OfficerProfile, PermitType
from permits.record import current_stage
from permits.rules import Action
from permits.uploads import Upload

DEMO_PASSWORD = "prongsai-demo"  # noqa: S105 -- printed in the README; demo accounts only
PDF = b"%PDF-1.4\n% demo document\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
SUPERVISORS = {
    "bma-public-works": ("supervisor@bma-works.example", "Sakchai Phromma"),
    "bma-health": ("supervisor@bma-health.example", "Orawan Kittisak"),
    "phra-nakhon-district": ("supervisor@phranakhon.example", "Prasit Chaiwong"),
}
OFFICERS = {
    "bma-public-works": "officer@bma-works.example",
    "bma-health": "officer@bma-health.example",
    "phra-nakhon-district": "officer@phranakhon.example",
}
VALUES = {
    "BLD": lambda r, n: {
        "full_name": f"Demo Applicant {n}",
        "phone": "02 123 4567",
        "email": f"a{n}@example.com",
        "site_address": f"{n} Demo Road",
        "district": r.choice(["Phra Nakhon", "Pathum Wan", "Bang Rak", "Sathon"]),
        "building_use": r.choice(["Detached house", "Townhouse", "Shophouse", "Office"]),
        "floor_area_m2": str(r.randrange(80, 2400)),
    },
    "BIZ": lambda r, n: {
        "full_name": f"Demo Owner {n}",
        "national_id": "1100700000000",
        "phone": "0812345678",
        "business_name": f"Shop no. {n}",
        "business_kind": r.choice(["Retail shop", "Workshop", "Beauty salon", "Laundry"]),
        "premises_address": f"{n} Demo Lane",
    },
    "FOD": lambda r, n: {
        "full_name": f"Demo Cook {n}",
        "phone": "0899999999",
        "shop_name": f"Noodle stall {n}",
        "seats": str(r.randrange(4, 80)),
        "shop_address": f"{n} Soi Demo",
    },
}


def load(
    session: Session, *, now: datetime, settings: Settings | None = None, count: int = 300
) -> int:
    """Load the permit types, officers' badges and supervisors, and demo applications."""
    settings = settings or load_settings()
    catalogue.load_types(session, now=now)
    _officers(session, now)
    if session.exec(select(func.count()).select_from(Application)).one():
        return 0
    r = random.Random(2026)
    applicants = [_account(session, e) for e in ("applicant@example.com", "applicant2@example.com")]
    officers = {d: auth_service.get_user_by_email(session, email=e) for d, e in OFFICERS.items()}
    types = {t.code: catalogue.definition_of(t) for t in catalogue.latest_types(session)}
    # The session holds rows weakly: the walk keeps the few it looks up by key thousands of
    # times (permit types, officers' profiles) alive, so each is read once, not per transition.
    held = [*session.exec(select(PermitType)), *session.exec(select(OfficerProfile))]
    for n in range(count):
        code = r.choice(sorted(types))
        definition = types[code]
        moment = now - timedelta(days=r.randrange(1, 75), hours=r.randrange(0, 8))
        files = [
            Upload(d.code, f"{d.code}.pdf", PDF) for d in definition.documents if "pdf" in d.accept
        ]
        application = service.apply(
            session,
            applicant=r.choice(applicants),
            type_code=code,
            values=VALUES[code](r, n),
            files=files,
            now=moment,
            settings=settings,
        )
        number = application.tracking_number
        _walk(session, r, number, definition, officers, moment, now, settings)
    overdue.mark_overdue(session, now=now, settings=settings)
    del held
    return count


def _account(session: Session, email: str) -> User:
    user = auth_service.get_user_by_email(session, email=email)
    if user is None:
        raise LookupError(f"the demo needs the account {email}")
    return user


def _walk(session, r, number, definition, officers, moment, now, settings) -> None:
    position = 0
    while moment < now:
        stage = definition.stage(position)
        officer = officers[stage.department]
        pace = 1.6 if stage.unit == "business_days" else 0.05
        moment += timedelta(days=r.uniform(0.3, 1 + stage.duration * pace))
        if moment >= now:
            return
        service.claim(session, number=number, officer=officer, now=moment, settings=settings)
        roll = r.random()
        if roll < 0.08 and "request_information" in stage.transitions:
            service.act(
                session,
                number=number,
                action=Action.REQUEST_INFORMATION,
                actor=officer,
                now=moment,
                settings=settings,
                note="Please send a clearer copy of the drawings",
            )
            moment += timedelta(days=r.uniform(1, 12))
            if moment >= now:
                return
            service.act(
                session,
                number=number,
                action=Action.RESUME,
                actor=officer,
                now=moment,
                settings=settings,
            )
        elif roll < 0.13:
            service.act(
                session,
                number=number,
                action=Action.REJECT,
                actor=officer,
                now=moment,
                settings=settings,
                note="The site is in a zone where this use is not permitted",
            )
            return
        elif roll < 0.16:
            applicant = session.get(
                type(officer),
                session.exec(
                    select(Application.applicant_id).where(Application.tracking_number == number)
                ).one(),
            )
            service.act(
                session,
                number=number,
                action=Action.WITHDRAW,
                actor=applicant,
                now=moment,
                settings=settings,
            )
            return
        application = service.get_application(session, number=number)
        current = current_stage(session, application)
        assert current is not None  # the walk returns once the application is decided
        running = application.status == ApplicationStatus.IN_PROGRESS
        if running and current.overdue_at is None and current.due_at <= moment:
            # What the job would have marked by now (its run over the whole table follows
            # the walk, for the stages still running today).
            overdue.mark_stage_overdue(
                session, stage_id=stored_id(current), now=moment, settings=settings
            )
        if current.overdue_at is not None and r.random() < 0.7:
            service.explain_delay(
                session,
                number=number,
                officer=officer,
                now=moment,
                settings=settings,
                reason=r.choice(
                    [
                        "Inspector on leave",
                        "Backlog after floods",
                        "Waiting for the fire department's opinion",
                    ]
                ),
            )
        last = position == len(definition.stages) - 1
        service.act(
            session,
            number=number,
            action=Action.APPROVE if last else Action.ADVANCE,
            actor=officer,
            now=moment,
            settings=settings,
        )
        if last:
            return
        position += 1


def _officers(session: Session, now: datetime) -> None:
    for department, (email, name) in SUPERVISORS.items():
        supervisor = auth_service.get_user_by_email(session, email=email)
        if supervisor is None:
            supervisor = auth_service.create_user(
                session,
                email=email,
                display_name=name,
                role=Role.PERMIT_OFFICER,
                password=DEMO_PASSWORD,
                organisation_slug=department,
                now=now,
            )
        officer = auth_service.get_user_by_email(session, email=OFFICERS[department])
        for user, boss in ((supervisor, None), (officer, supervisor)):
            if user is not None and session.get(OfficerProfile, user.id) is None:
                session.add(
                    OfficerProfile(
                        user_id=stored_id(user),
                        badge_number=f"BKK-{user.id:05d}",
                        supervisor_id=boss.id if boss else None,
                    )
                )
    session.commit()
