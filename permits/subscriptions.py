"""Anyone may follow an application's public changes by email, once the address confirms.

Subscribing sends one e-mail, to the address itself, with a link to confirm: nothing else is
sent until it is followed (double opt-in), so no one can sign someone else up. An address may
follow a bounded number of applications, and have at most a few confirmations waiting, so the
form cannot be used to flood a stranger's inbox.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlmodel import Session, col, func, select

from core.db import stored_id
from core.errors import InvalidInput, RateLimited
from core.i18n import bilingual, gettext
from core.settings import Settings
from permits import forms
from permits.models import Notification, Subscription
from permits.service import get_application

PENDING_PER_ADDRESS = 3  # confirmations an address may have waiting at once


def subscribe(
    session: Session, *, number: str, email: str, now: datetime, settings: Settings
) -> Subscription:
    """Ask to follow an application: a confirmation e-mail goes to the address (once)."""
    application = get_application(session, number=number)
    email = email.strip().lower()
    if not forms.EMAIL.match(email) or len(email) > 254:
        raise InvalidInput(
            gettext("Enter an email address, such as name@example.com."), field="email"
        )
    existing = session.exec(
        select(Subscription).where(
            Subscription.application_id == application.id, Subscription.email == email
        )
    ).first()
    if existing is not None:
        return existing  # confirmed, or its confirmation already sent: nothing more to send
    _check_limits(session, email=email, settings=settings)
    subscription = Subscription(
        application_id=stored_id(application),
        email=email,
        token=secrets.token_urlsafe(32),
        created_at=now,
    )
    session.add(subscription)
    link = f"{str(settings.public_base_url).rstrip('/')}/permits/{application.tracking_number}"
    values = {"number": application.tracking_number}
    values["link"] = f"{link}/confirm?token={subscription.token}"
    subject, body = bilingual(
        settings.default_locale,
        lambda: (
            gettext("Confirm: e-mails about %(number)s") % values,
            gettext(
                "Someone asked for an e-mail at each public change of the permit application "
                "%(number)s, sent to this address.\n\nTo confirm, open: %(link)s\n\n"
                "If it was not you, ignore this message: nothing more will be sent."
            )
            % values,
        ),
    )
    session.add(
        Notification(
            application_id=stored_id(application),
            email=email,
            subject=subject,
            body=body,
            created_at=now,
        )
    )
    session.commit()
    return subscription


def _check_limits(session: Session, *, email: str, settings: Settings) -> None:
    mine = select(func.count()).select_from(Subscription).where(Subscription.email == email)
    if session.exec(mine).one() >= settings.permits_subscriptions_per_address:
        raise RateLimited(
            gettext(
                "This address already follows %(most)s "
                "applications, the most one address may follow. Unsubscribe from one first."
            )
            % {"most": settings.permits_subscriptions_per_address}
        )
    waiting = mine.where(col(Subscription.confirmed_at).is_(None))
    if session.exec(waiting).one() >= PENDING_PER_ADDRESS:
        raise RateLimited(
            gettext(
                "This address has confirmation e-mails waiting. Confirm them (or let them be) "
                "before following more applications."
            )
        )


def confirm(session: Session, *, token: str, now: datetime) -> bool:
    """Confirm a subscription from the link e-mailed to its address; False if unknown."""
    subscription = session.exec(select(Subscription).where(Subscription.token == token)).first()
    if subscription is None:
        return False
    if subscription.confirmed_at is None:
        subscription.confirmed_at = now
        session.add(subscription)
        session.commit()
    return True


def unsubscribe(session: Session, *, token: str) -> bool:
    """Stop the emails of one subscription; False if the link was already used."""
    subscription = session.exec(select(Subscription).where(Subscription.token == token)).first()
    if subscription is None:
        return False
    session.delete(subscription)
    session.commit()
    return True
