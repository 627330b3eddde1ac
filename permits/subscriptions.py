"""Anyone may follow an application's public changes by email, and stop."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlmodel import Session, select

from core.errors import InvalidInput
from permits import forms
from permits.models import Subscription
from permits.service import get_application


def subscribe(session: Session, *, number: str, email: str, now: datetime) -> Subscription:
    """Anyone may follow an application's public changes by email (re-subscribing is a no-op)."""
    application = get_application(session, number=number)
    email = email.strip().lower()
    if not forms.EMAIL.match(email) or len(email) > 254:
        raise InvalidInput("Give a valid email address.", field="email")
    existing = session.exec(
        select(Subscription).where(
            Subscription.application_id == application.id, Subscription.email == email
        )
    ).first()
    if existing is not None:
        return existing
    subscription = Subscription(
        application_id=application.id,
        email=email,
        token=secrets.token_urlsafe(32),
        created_at=now,
    )
    session.add(subscription)
    session.commit()
    return subscription


def unsubscribe(session: Session, *, token: str) -> bool:
    """Stop the emails of one subscription; False if the link was already used."""
    subscription = session.exec(select(Subscription).where(Subscription.token == token)).first()
    if subscription is None:
        return False
    session.delete(subscription)
    session.commit()
    return True
