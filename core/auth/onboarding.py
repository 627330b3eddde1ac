"""Use cases of joining: self-registration, e-mail verification, password reset and change,
and accepting an invitation. Every answer about an address is the same whether it has an
account or not; what differs goes by e-mail to the address's owner."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlmodel import Session, col, select, update

from core.auth import outbox, passwords, rules
from core.auth.exceptions import LinkNotUsable, WeakPassword, WrongRegistrationNumber
from core.auth.models import (
    AccountLink,
    AuthToken,
    LinkPurpose,
    Organisation,
    OrganisationKind,
    OrganisationStatus,
    Role,
    User,
)
from core.auth.schemas import AccountReady, AccountRegistration, OrganisationIn
from core.auth.service import add_organisation, get_user_by_email, hash_token, normalise_email
from core.errors import Conflict, NotAuthenticated
from core.i18n import bilingual, gettext, localized, ngettext
from core.settings import Settings

# A supplier company's private details (address, contact) are kept by procurement, which
# registers here how to store them; they commit with the account. (Core imports no domain.)
SupplierDetailsHook = Callable[[Session, int, OrganisationIn, str, datetime], None]
_supplier_details_hooks: list[SupplierDetailsHook] = []

# An invited person's stored hash until they choose a password: no password ever matches it.
UNUSABLE_PASSWORD = "!"  # noqa: S105 -- a marker, not a secret


def on_supplier_registered(hook: SupplierDetailsHook) -> SupplierDetailsHook:
    """Register a function that stores a newly registered supplier company's details."""
    if hook not in _supplier_details_hooks:
        _supplier_details_hooks.append(hook)
    return hook


def base_url(settings: Settings) -> str:
    """The deployment's public address, for the links in e-mail."""
    return str(settings.public_base_url).rstrip("/")


def new_link(
    session: Session, *, user: User, purpose: LinkPurpose, now: datetime, lifetime: timedelta
) -> str:
    """A single-use link's secret (returned once; only its hash is kept)."""
    raw = secrets.token_urlsafe(32)
    session.add(
        AccountLink(
            user_id=user.id,  # type: ignore[arg-type]  # a stored user has its id
            purpose=purpose,
            token_hash=hash_token(raw),
            created_at=now,
            expires_at=now + lifetime,
        )
    )
    return raw


def use_link(session: Session, *, raw: str, purpose: LinkPurpose, now: datetime) -> User:
    """The user a live link of this purpose was sent to; the link is used up."""
    link = session.exec(
        select(AccountLink).where(AccountLink.token_hash == hash_token(raw)).with_for_update()
    ).first()
    if link is None or link.purpose != purpose:
        raise LinkNotUsable(gettext("This link is not valid. Copy the whole link from the e-mail."))
    if link.used_at is not None:
        raise LinkNotUsable(
            gettext("This link was used already; each link works once. Ask for a new one.")
        )
    if link.expires_at <= now:
        raise LinkNotUsable(gettext("This link has expired. Ask for a new one."))
    user = session.get(User, link.user_id)
    if user is None or not user.is_active:
        raise LinkNotUsable(gettext("The account this link was sent for is closed."))
    link.used_at = now
    session.add(link)
    return user


def check_password(password: str, *, email: str, name: str) -> None:
    """Refuse a new password the policy refuses, saying why."""
    problem = rules.password_problem(password, user_inputs=[email, email.split("@")[0], name])
    if problem:
        raise WeakPassword(localized(problem), field="password")


def register(
    session: Session, *, registration: AccountRegistration, now: datetime, settings: Settings
) -> None:
    """Register a supplier company's account holder or an applicant, and mail the link that
    verifies the address. An address that has an account gets a notice instead (and, if it
    was never verified, a new link): the answer to the caller is the same either way."""
    email = normalise_email(registration.email)
    check_password(registration.password, email=email, name=registration.name)
    company = registration.organisation
    if company is not None:
        problem = rules.juristic_number_problem(company.registration_number)
        if problem:
            raise WrongRegistrationNumber(
                gettext("The registration number %(problem)s.") % {"problem": localized(problem)},
                field="organisation.registration_number",
            )
        _refuse_a_registered_company(session, number=company.registration_number)
    password_hash = passwords.hash_password(registration.password)  # same cost either way
    existing = get_user_by_email(session, email=email)
    if existing is not None:
        _notify_owner(session, user=existing, now=now, settings=settings)
        session.commit()
        return
    organisation_id = None
    if company is not None:
        organisation_id = _add_supplier_company(session, company=company, email=email, now=now)
    user = User(
        email=email,
        display_name=registration.name,
        role=Role(registration.role),
        organisation_id=organisation_id,
        password_hash=password_hash,
        created_at=now,
        is_lead=company is not None,
    )
    session.add(user)
    session.flush()
    _mail_verification(session, user=user, now=now, settings=settings)
    session.commit()


def _refuse_a_registered_company(session: Session, *, number: str) -> None:
    # Checked before the address, so the answer never depends on whether the address is known.
    taken = session.exec(
        select(Organisation.id).where(
            Organisation.kind == OrganisationKind.SUPPLIER,
            Organisation.registration_id == number,
            col(Organisation.status).in_([OrganisationStatus.ACTIVE, OrganisationStatus.PENDING]),
        )
    ).first()
    if taken is not None:
        # The register of companies is public, so this reveals nothing about any person.
        raise Conflict(
            gettext(
                "A company with the registration number %(number)s is already registered. "
                "Ask its account holder to invite you, or write to the platform's administrators."
            )
            % {"number": number}
        )


def _add_supplier_company(
    session: Session, *, company: OrganisationIn, email: str, now: datetime
) -> int:
    number = company.registration_number
    slug = f"supplier-{number}"
    if session.exec(select(Organisation.id).where(Organisation.slug == slug)).first():
        slug = f"{slug}-{secrets.token_hex(2)}"  # a rejected registration kept its slug
    organisation = add_organisation(
        session,
        slug=slug,
        name=company.name,
        name_th=company.name_th,
        kind=OrganisationKind.SUPPLIER,
        registration_id=number,
        now=now,
        status=OrganisationStatus.PENDING,
    )
    organisation_id: int = organisation.id  # type: ignore[assignment]  # flushed
    for hook in _supplier_details_hooks:
        hook(session, organisation_id, company, email, now)
    return organisation_id


def _mail_verification(session: Session, *, user: User, now: datetime, settings: Settings) -> None:
    hours = settings.account_link_hours
    raw = new_link(
        session,
        user=user,
        purpose=LinkPurpose.VERIFY_EMAIL,
        now=now,
        lifetime=timedelta(hours=hours),
    )
    values = {"name": user.display_name, "link": f"{base_url(settings)}/verify?token={raw}"}

    def render() -> tuple[str, str]:
        return gettext("Confirm your e-mail address for Prongsai"), (
            gettext(
                "Hello %(name)s,\n\nSomeone (we hope you) registered this address on Prongsai. "
                "To confirm it, open\n\n%(link)s\n\n"
            )
            % values
            + ngettext(
                "The link works once, within %(num)s hour.",
                "The link works once, within %(num)s hours.",
                hours,
            )
            % {"num": hours}
            + " "
            + gettext("If it was not you, ignore this e-mail.")
        )

    subject, body = bilingual(settings.default_locale, render)
    outbox.queue(session, to=user.email, subject=subject, body=body, now=now)


def _notify_owner(session: Session, *, user: User, now: datetime, settings: Settings) -> None:
    if user.email_verified_at is None and user.password_hash != UNUSABLE_PASSWORD:
        _mail_verification(session, user=user, now=now, settings=settings)
        return
    values = {"name": user.display_name, "link": f"{base_url(settings)}/password-reset"}

    def render() -> tuple[str, str]:
        return gettext("Someone tried to register your address on Prongsai"), gettext(
            "Hello %(name)s,\n\nSomeone tried to register a new Prongsai account with this "
            "address, which already has one. Nothing was changed.\n\n"
            "If you have forgotten your password, reset it at %(link)s"
        ) % values

    subject, body = bilingual(settings.default_locale, render)
    outbox.queue(session, to=user.email, subject=subject, body=body, now=now)


def verify_email(session: Session, *, token: str, now: datetime) -> AccountReady:
    """Confirm the address a verification link was sent to; the account may then sign in."""
    user = use_link(session, raw=token, purpose=LinkPurpose.VERIFY_EMAIL, now=now)
    if user.email_verified_at is None:
        user.email_verified_at = now
        session.add(user)
    status = _organisation_status(session, user)
    session.commit()
    if status == OrganisationStatus.PENDING:
        detail = gettext(
            "Your e-mail address is confirmed. You can sign in now. Your company can bid once "
            "an administrator has checked its registration; we will write to you."
        )
    else:
        detail = gettext("Your e-mail address is confirmed. You can sign in now.")
    return AccountReady(email=user.email, role=user.role, organisation_status=status, detail=detail)


def _organisation_status(session: Session, user: User) -> OrganisationStatus | None:
    if user.organisation_id is None:
        return None
    organisation = session.get(Organisation, user.organisation_id)
    return organisation.status if organisation else None


def request_password_reset(
    session: Session, *, email: str, now: datetime, settings: Settings
) -> None:
    """Mail a short-lived reset link to the address if it has an active account; else nothing."""
    user = get_user_by_email(session, email=email)
    if user is None or not user.is_active:
        return
    minutes = settings.password_reset_minutes
    raw = new_link(
        session,
        user=user,
        purpose=LinkPurpose.RESET_PASSWORD,
        now=now,
        lifetime=timedelta(minutes=minutes),
    )
    values = {
        "name": user.display_name,
        "link": f"{base_url(settings)}/password-reset/confirm?token={raw}",
    }

    def render() -> tuple[str, str]:
        return gettext("Reset your Prongsai password"), (
            gettext("Hello %(name)s,\n\nTo choose a new password, open\n\n%(link)s\n\n") % values
            + ngettext(
                "The link works once, within %(num)s minute.",
                "The link works once, within %(num)s minutes.",
                minutes,
            )
            % {"num": minutes}
            + " "
            + gettext(
                "Choosing a new password signs you out everywhere and stops every API token. "
                "If you did not ask, ignore this e-mail: your password stays as it is."
            )
        )

    subject, body = bilingual(settings.default_locale, render)
    outbox.queue(session, to=user.email, subject=subject, body=body, now=now)
    session.commit()


def reset_password(session: Session, *, token: str, password: str, now: datetime) -> AccountReady:
    """Set a new password from a reset link; every session and API token stops working."""
    user = use_link(session, raw=token, purpose=LinkPurpose.RESET_PASSWORD, now=now)
    check_password(password, email=user.email, name=user.display_name)
    _set_password(session, user=user, password=password, now=now)
    # Following the link proves the address, as the verification link would have.
    user.email_verified_at = user.email_verified_at or now
    session.commit()
    return AccountReady(
        email=user.email,
        role=user.role,
        organisation_status=_organisation_status(session, user),
        detail=gettext(
            "Your password is changed, and you are signed out everywhere. Sign in again."
        ),
    )


def accept_invitation(
    session: Session, *, token: str, password: str, now: datetime
) -> AccountReady:
    """Set the invited person's first password; their address is verified by the link."""
    user = use_link(session, raw=token, purpose=LinkPurpose.INVITATION, now=now)
    check_password(password, email=user.email, name=user.display_name)
    _set_password(session, user=user, password=password, now=now)
    user.email_verified_at = user.email_verified_at or now
    session.commit()
    return AccountReady(
        email=user.email,
        role=user.role,
        organisation_status=_organisation_status(session, user),
        detail=gettext("Your password is set. Sign in to start."),
    )


def change_password(
    session: Session,
    *,
    user: User,
    current_password: str,
    new_password: str,
    now: datetime,
    keep_token: str | None = None,
) -> None:
    """Change a signed-in person's password; their other sessions and tokens stop working."""
    if not passwords.verify_password(user.password_hash, current_password):
        raise NotAuthenticated(gettext("The current password is wrong; nothing was changed."))
    check_password(new_password, email=user.email, name=user.display_name)
    _set_password(session, user=user, password=new_password, now=now, keep_token=keep_token)
    session.commit()


def _set_password(
    session: Session, *, user: User, password: str, now: datetime, keep_token: str | None = None
) -> None:
    user.password_hash = passwords.hash_password(password)
    session.add(user)
    revoke = (
        update(AuthToken)
        .where(col(AuthToken.user_id) == user.id, col(AuthToken.revoked_at).is_(None))
        .values(revoked_at=now)
    )
    if keep_token is not None:
        revoke = revoke.where(col(AuthToken.token_hash) != hash_token(keep_token))
    session.exec(revoke)
