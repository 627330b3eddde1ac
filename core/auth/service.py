"""Use cases of accounts. The only code that changes account state."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from core.auth import outbox, passwords
from core.auth.models import (
    ROLE_ORGANISATION,
    AuthToken,
    Organisation,
    OrganisationKind,
    OrganisationStatus,
    Role,
    TokenKind,
    User,
)
from core.auth.ratelimit import SigninThrottle
from core.errors import Conflict, InvalidInput, NotAuthenticated, NotFound
from core.i18n import N_, bilingual, gettext
from core.ledger import service as ledger_service

WRONG_CREDENTIALS = N_("Wrong email or password.")


def hash_token(raw: str) -> str:
    """The stored form of a session or API token."""
    return hashlib.sha256(raw.encode()).hexdigest()


def normalise_email(email: str) -> str:
    """Emails compare case-insensitively."""
    return email.strip().lower()


def get_organisation_by_slug(session: Session, *, slug: str) -> Organisation | None:
    """The organisation with that slug, if any."""
    return session.exec(select(Organisation).where(Organisation.slug == slug)).first()


def get_user_by_email(session: Session, *, email: str) -> User | None:
    """The user with that email, if any."""
    return session.exec(select(User).where(User.email == normalise_email(email))).first()


def create_organisation(
    session: Session,
    *,
    slug: str,
    name: str,
    kind: OrganisationKind,
    now: datetime,
    name_th: str | None = None,
    registration_id: str | None = None,
) -> Organisation:
    """Register an organisation (a public fact, so it goes into the log); its slug is new."""
    organisation = add_organisation(
        session,
        slug=slug,
        name=name,
        kind=kind,
        now=now,
        name_th=name_th,
        registration_id=registration_id,
    )
    session.commit()
    session.refresh(organisation)
    return organisation


def add_organisation(
    session: Session,
    *,
    slug: str,
    name: str,
    kind: OrganisationKind,
    now: datetime,
    name_th: str | None = None,
    registration_id: str | None = None,
    status: OrganisationStatus = OrganisationStatus.ACTIVE,
) -> Organisation:
    """Add an organisation in the caller's transaction; an active one is logged as registered
    now, a pending one (a supplier company awaiting its check) when an admin approves it."""
    if get_organisation_by_slug(session, slug=slug) is not None:
        raise Conflict(
            gettext("An organisation with the slug %(slug)s already exists.") % {"slug": repr(slug)}
        )
    organisation = Organisation(
        slug=slug,
        name=name,
        name_th=name_th,
        kind=kind,
        registration_id=registration_id,
        created_at=now,
        status=status,
        status_changed_at=now,
    )
    session.add(organisation)
    if status == OrganisationStatus.ACTIVE:
        log_registered(session, organisation=organisation, now=now)
    session.flush()
    return organisation


def log_registered(session: Session, *, organisation: Organisation, now: datetime) -> None:
    """The public fact that an organisation may now act, into the transparency log."""
    ledger_service.append(
        session,
        entry_type="core.organisation.registered",
        payload={
            "slug": organisation.slug,
            "name": organisation.name,
            "name_th": organisation.name_th,
            "kind": str(organisation.kind),
            "registration_id": organisation.registration_id,
        },
        now=now,
        subject=f"organisation:{organisation.slug}",
    )


def create_user(
    session: Session,
    *,
    email: str,
    display_name: str,
    role: Role,
    password: str,
    now: datetime,
    organisation_slug: str | None = None,
) -> User:
    """Create a user of one role, in the kind of organisation that role belongs to."""
    email = normalise_email(email)
    if len(password) < passwords.MIN_PASSWORD_LENGTH:
        raise InvalidInput(
            f"The password must be at least {passwords.MIN_PASSWORD_LENGTH} characters long."
        )
    if get_user_by_email(session, email=email) is not None:
        raise Conflict(f"A user with the email {email} already exists.")
    organisation_id = _organisation_for_role(session, role=role, slug=organisation_slug)
    user = User(
        email=email,
        display_name=display_name,
        role=role,
        organisation_id=organisation_id,
        password_hash=passwords.hash_password(password),
        created_at=now,
        email_verified_at=now,  # made by an operator, who vouches for the address
    )
    session.add(user)
    session.commit()
    session.refresh(user)
    return user


def _organisation_for_role(session: Session, *, role: Role, slug: str | None) -> int | None:
    wanted = ROLE_ORGANISATION[role]
    if wanted is None:
        if slug:
            raise InvalidInput(f"A user with the role {role} belongs to no organisation.")
        return None
    if not slug:
        raise InvalidInput(f"A user with the role {role} needs an organisation of kind {wanted}.")
    organisation = get_organisation_by_slug(session, slug=slug)
    if organisation is None:
        raise NotFound(f"No organisation has the slug {slug!r}.")
    if organisation.kind != wanted:
        raise InvalidInput(
            f"A {role} must belong to a {wanted}; {slug!r} is a {organisation.kind}."
        )
    return organisation.id


def sign_in(
    session: Session,
    *,
    email: str,
    password: str,
    client: str,
    throttle: SigninThrottle,
    now: datetime,
    default_locale: str,
) -> User:
    """Authenticate, unless the client's address has failed too often; a failure counts
    against that address, and past the limit the account's owner is told by e-mail."""
    throttle.check(client=client, email=email)
    try:
        return authenticate(session, email=email, password=password)
    except NotAuthenticated:
        if throttle.failed(client=client, email=email):
            _warn_owner(session, email=email, now=now, default_locale=default_locale)
        raise


def _warn_owner(session: Session, *, email: str, now: datetime, default_locale: str) -> None:
    user = get_user_by_email(session, email=email)
    if user is None:
        return
    subject, body = bilingual(
        default_locale,
        lambda: (
            gettext("Failed sign-in attempts on your Prongsai account"),
            gettext(
                "Someone has repeatedly tried to sign in to your account with a wrong password. "
                "Their address is being slowed down; you can still sign in as usual.\n\n"
                "If it was not you, make sure your password is long and used nowhere else."
            ),
        ),
    )
    outbox.queue(session, to=user.email, subject=subject, body=body, now=now)
    session.commit()


def authenticate(session: Session, *, email: str, password: str) -> User:
    """The active user with these credentials, or NotAuthenticated."""
    user = get_user_by_email(session, email=email)
    ok = passwords.verify_password(user.password_hash if user else None, password)
    if user is None or not ok or not user.is_active:
        raise NotAuthenticated(gettext(WRONG_CREDENTIALS))
    if user.email_verified_at is None:
        raise NotAuthenticated(
            gettext(
                "Confirm your e-mail address first: follow the link we sent to it. "
                "No e-mail? Register again with the same address and we send a new link."
            )
        )
    return user


def issue_token(
    session: Session,
    *,
    user: User,
    kind: TokenKind,
    now: datetime,
    lifetime: timedelta | None,
    name: str = "",
) -> tuple[str, AuthToken]:
    """Make a session or API token; the raw secret is returned once and never stored."""
    raw = secrets.token_urlsafe(32)
    token = AuthToken(
        user_id=user.id,  # type: ignore[arg-type]  # a stored user has its id
        kind=kind,
        name=name,
        token_hash=hash_token(raw),
        created_at=now,
        expires_at=now + lifetime if lifetime else None,
    )
    session.add(token)
    session.commit()
    session.refresh(token)
    return raw, token


def resolve_token(session: Session, *, raw: str, kind: TokenKind, now: datetime) -> User:
    """The user a live token belongs to; NotAuthenticated says why it is not live."""
    # One query for the token and its user: every authenticated request asks this.
    found = session.exec(
        select(AuthToken, User)
        .join(User, col(User.id) == col(AuthToken.user_id))
        .where(AuthToken.token_hash == hash_token(raw))
    ).first()
    token, user = found if found is not None else (None, None)
    if token is None or token.kind != kind:
        raise NotAuthenticated(
            gettext("This token is not valid. Sign in again or create a new token.")
        )
    if token.revoked_at is not None:
        raise NotAuthenticated(gettext("This token was revoked. Create a new one."))
    if token.expires_at is not None and token.expires_at <= now:
        raise NotAuthenticated(
            gettext("This token has expired. Sign in again or create a new token.")
        )
    if user is None or not user.is_active:
        raise NotAuthenticated(gettext("This account is disabled."))
    return user


def list_tokens(session: Session, *, user: User) -> list[AuthToken]:
    """The user's API tokens, newest first."""
    query = (
        select(AuthToken)
        .where(AuthToken.user_id == user.id, AuthToken.kind == TokenKind.API)
        .order_by(col(AuthToken.id).desc())
    )
    return list(session.exec(query))


def revoke_token(session: Session, *, user: User, token_id: int, now: datetime) -> AuthToken:
    """Revoke one of the user's own tokens; revoking twice is harmless."""
    token = session.get(AuthToken, token_id)
    if token is None or token.user_id != user.id:
        raise NotFound(gettext("You have no token with id %(id)s.") % {"id": token_id})
    if token.revoked_at is None:
        token.revoked_at = now
        session.add(token)
        session.commit()
        session.refresh(token)
    return token


def end_session(session: Session, *, raw: str, now: datetime) -> None:
    """Sign out: the session token stops working at once."""
    token = session.exec(select(AuthToken).where(AuthToken.token_hash == hash_token(raw))).first()
    if token is not None and token.revoked_at is None:
        token.revoked_at = now
        session.add(token)
        session.commit()
