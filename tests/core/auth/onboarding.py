"""Helpers of the onboarding tests: valid registration numbers, and links read from the outbox."""

from __future__ import annotations

import itertools
import re
from email import message_from_bytes
from email.message import Message
from pathlib import Path

from core.auth.models import Role
from tests import factories

STRONG = "plum-orbit-candle-47"
_serial = itertools.count(100_000)


def juristic(twelve: str | None = None) -> str:
    """A Thai juristic-person registration number with the right check digit."""
    digits = twelve or f"0105{next(_serial):08d}"
    total = sum(int(d) * (13 - i) for i, d in enumerate(digits))
    return digits + str((11 - total % 11) % 10)


def supplier_body(email: str, **overrides) -> dict:
    body = {
        "role": "supplier",
        "email": email,
        "name": "Khun Malee Srisuk",
        "password": STRONG,
        "organisation": {
            "name": "Chao Phraya Pipes Co., Ltd.",
            "registration_number": juristic(),
            "address": "88 Charoen Krung Road, Bangkok 10500",
            "contact_name": "Khun Malee Srisuk",
            "contact_phone": "+66 2 555 0123",
        },
    }
    body.update(overrides)
    return body


def applicant_body(email: str, **overrides) -> dict:
    body = {"role": "applicant", "email": email, "name": "Khun Anan", "password": STRONG}
    body.update(overrides)
    return body


def mails(data_dir: Path, to: str | None = None) -> list[Message]:
    """The account e-mails written to the outbox folder, oldest first (to one address)."""
    found = [
        message_from_bytes(p.read_bytes())
        for p in sorted((data_dir / "outbox").glob("accounts-*.eml"))
    ]
    return [m for m in found if to is None or m["To"] == to]


def body_of(mail: Message) -> str:
    return mail.get_payload(decode=True).decode()  # type: ignore[union-attr]


def last_link(data_dir: Path, to: str, path: str) -> str:
    """The token of the newest link to `path` mailed to `to`."""
    for mail in reversed(mails(data_dir, to)):
        found = re.search(rf"{re.escape(path)}\?token=([\w-]+)", body_of(mail))
        if found:
            return found.group(1)
    raise AssertionError(f"no {path} link was mailed to {to}")


def admin_headers(client, session, clock) -> dict:
    from tests.procurement.factories import headers_for

    return headers_for(client, factories.user(session, role=Role.ADMIN, now=clock()))


def token_for(client, email: str, password: str = STRONG):
    return client.post("/api/auth/tokens", json={"email": email, "password": password})
