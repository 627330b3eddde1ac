"""Every account e-mail, one test per kind: subject and body in both languages, the Thai half in
Thai (never the English repeated) and every placeholder filled."""

from __future__ import annotations

import pytest
from sqlmodel import col, select

from core import i18n
from core.auth import admin, mails, onboarding, service
from core.auth.models import AccountMail, Organisation, Role
from core.auth.schemas import AccountRegistration, Invitation
from core.errors import NotAuthenticated
from prongsai.app import LOCALE_DIR
from tests import factories
from tests.core.auth.onboarding import STRONG, supplier_body
from tests.emails import assert_bilingual


@pytest.fixture(autouse=True)
def catalogues():
    i18n.use_catalogues(LOCALE_DIR)


def mail_to(session, email: str) -> AccountMail:
    """The last e-mail queued to an address."""
    return session.exec(
        select(AccountMail).where(AccountMail.to_email == email).order_by(col(AccountMail.id))
    ).all()[-1]


def register_company(session, clock, settings, email: str) -> Organisation:
    body = supplier_body(email)
    onboarding.register(
        session,
        registration=AccountRegistration.model_validate(body),
        now=clock(),
        settings=settings,
    )
    number = body["organisation"]["registration_number"]
    return session.exec(select(Organisation).where(Organisation.registration_id == number)).one()


class Throttled:
    """A sign-in throttle whose every failure is one too many."""

    def check(self, **_: str) -> None:
        return None

    def failed(self, **_: str) -> bool:
        return True


def test_the_failed_sign_in_warning(session, clock):
    user = factories.user(session, role=Role.APPLICANT, now=clock())
    with pytest.raises(NotAuthenticated):
        service.sign_in(
            session,
            email=user.email,
            password="not the password",
            client="198.51.100.9",
            throttle=Throttled(),  # type: ignore[arg-type]
            now=clock(),
            default_locale="en",
        )
    mail = mail_to(session, user.email)
    said = assert_bilingual(mail.subject, mail.body)
    assert "เข้าสู่ระบบ" in said["th"][0]


def test_the_verification_link(session, clock, settings):
    email = "malee@chao-phraya-pipes.example"
    register_company(session, clock, settings, email)
    mail = mail_to(session, email)
    assert_bilingual(mail.subject, mail.body, values=("Khun Malee Srisuk",))


def test_the_notice_that_someone_tried_to_register_an_address_in_use(session, clock, settings):
    user = factories.user(session, role=Role.APPLICANT, now=clock())
    body = {"role": "applicant", "email": user.email, "name": "Someone Else", "password": STRONG}
    onboarding.register(
        session,
        registration=AccountRegistration.model_validate(body),
        now=clock(),
        settings=settings,
    )
    mail = mail_to(session, user.email)
    said = assert_bilingual(mail.subject, mail.body, values=(user.display_name,))
    assert "/password-reset" in said["th"][1]


def test_the_password_reset_link(session, clock, settings):
    user = factories.user(session, role=Role.APPLICANT, now=clock())
    onboarding.request_password_reset(session, email=user.email, now=clock(), settings=settings)
    mail = mail_to(session, user.email)
    said = assert_bilingual(mail.subject, mail.body, values=(user.display_name,))
    assert "นาที" in said["th"][1]  # the link's lifetime, in Thai words


def test_the_invitation(settings):
    subject, body = mails.invitation(
        settings,
        name="Khun Anong",
        inviter="Khun Prasert",
        role="permit_officer",
        organisation="Khon Kaen Municipality",
        link="https://prongsai.example/invitation?token=abc",
        days=7,
    )
    said = assert_bilingual(
        subject, body, values=("Khun Anong", "Khun Prasert", "Khon Kaen Municipality")
    )
    assert "permit officer" in said["en"][1]
    assert "เจ้าหน้าที่" in said["th"][1]  # the role in Thai words


def test_the_invitation_through_the_admin(session, clock, settings):
    boss = factories.user(session, role=Role.ADMIN, now=clock())
    admin.invite(
        session,
        inviter=boss,
        invitation=Invitation(email="anong@example.org", name="Khun Anong", role=Role.AUDITOR),
        now=clock(),
        settings=settings,
    )
    mail = mail_to(session, "anong@example.org")
    assert_bilingual(mail.subject, mail.body, values=("Khun Anong", boss.display_name))


def test_the_approval_of_a_company(session, clock, settings):
    email = "approved@chao-phraya-pipes.example"
    company = register_company(session, clock, settings, email)
    boss = factories.user(session, role=Role.ADMIN, now=clock())
    admin.approve_organisation(
        session, admin=boss, slug=company.slug, reason="", now=clock(), settings=settings
    )
    mail = mail_to(session, email)
    assert_bilingual(mail.subject, mail.body, values=(company.name,))


def test_the_refusal_of_a_company_quotes_the_reason_in_both_halves(session, clock, settings):
    email = "refused@chao-phraya-pipes.example"
    company = register_company(session, clock, settings, email)
    boss = factories.user(session, role=Role.ADMIN, now=clock())
    reason = "The registration certificate is for another company."
    admin.reject_organisation(
        session, admin=boss, slug=company.slug, reason=reason, now=clock(), settings=settings
    )
    mail = mail_to(session, email)
    said = assert_bilingual(mail.subject, mail.body, values=(company.name, reason))
    assert reason in said["th"][1]  # as the administrator wrote it


def test_a_thai_deployment_writes_thai_first(session, clock, settings):
    thai = settings.model_copy(update={"default_locale": "th"})
    user = factories.user(session, role=Role.APPLICANT, now=clock())
    onboarding.request_password_reset(session, email=user.email, now=clock(), settings=thai)
    mail = mail_to(session, user.email)
    assert_bilingual(mail.subject, mail.body, first="th", values=(user.display_name,))
