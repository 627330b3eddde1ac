"""Idempotency-Keys of bid submissions: scoped, keyed-hashed, and leased.

A key belongs to (supplier, method, target): the same key on another tender is another
request. Neither the key nor the clear request is stored. The key is kept as its SHA-256; the
request as an HMAC-SHA256 under the server's secret (a 0600 file in the data folder, like the
opening key) *and the client's key*, which only the client holds. A database dump, even with
the secret file beside it, therefore lets nobody test guessed prices against the stored hash,
as long as the client's key is random (a UUID, or the form's 144 random bits). A claim is a
lease: a claim left by a crash between claiming and saving expires, and the retry that finds it
takes it over. At the opening the tender's keys are deleted: bidding is over, nothing retries.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, delete, select, update

from core.i18n import N_, gettext
from core.settings import Settings, write_private_file
from procurement.bids.models import IdempotencyKey
from procurement.exceptions import IdempotencyConflict, IdempotencyMismatch

LEASE = timedelta(seconds=60)  # far longer than a submission takes, short enough for a retry
STILL_IN_PROGRESS = N_("A request with this Idempotency-Key is still in progress; retry shortly.")


def server_key(settings: Settings) -> bytes:
    """The deployment's idempotency secret (32 bytes in a 0600 file), made on first use."""
    path = settings.data_dir / "idempotency-key"
    if not path.exists():
        with contextlib.suppress(FileExistsError):  # another worker made it first
            write_private_file(path, secrets.token_bytes(32))
    return path.read_bytes()


def key_digest(key: str) -> str:
    """What the table keeps of a client's Idempotency-Key: its SHA-256."""
    return hashlib.sha256(key.encode()).hexdigest()


def request_hash(settings: Settings, *, key: str, target: str, body: bytes) -> str:
    """HMAC-SHA256 of the request under the server secret and the client's key: equal requests
    compare, and none can be guessed from what the server keeps."""
    return hmac.new(
        server_key(settings) + key.encode(), target.encode() + b"\n" + body, hashlib.sha256
    ).hexdigest()


def bid_target(tender_id: int) -> str:
    """The method and route target a bid's key is scoped to."""
    return f"POST /tenders/{tender_id}/bids"


def claim(
    session: Session,
    *,
    supplier_id: int,
    target: str,
    key: str,
    digest: str,
    now: datetime,
) -> int | None:
    """Claim a key before the work; the bid id of a finished request with it, or None.

    Raises IdempotencyMismatch for the same key with another body, IdempotencyConflict while
    another request holds a live lease on it.
    """
    scope = (
        IdempotencyKey.supplier_id == supplier_id,
        IdempotencyKey.target == target,
        IdempotencyKey.key == key_digest(key),
    )
    existing = session.exec(select(IdempotencyKey).where(*scope)).first()
    if existing is None:
        session.add(
            IdempotencyKey(
                supplier_id=supplier_id,
                target=target,
                key=key_digest(key),
                request_hash=digest,
                created_at=now,
                lease_expires_at=now + LEASE,
            )
        )
        try:
            session.commit()  # claimed before the work, so a concurrent retry sees it
        except IntegrityError:
            session.rollback()
            raise IdempotencyConflict(gettext(STILL_IN_PROGRESS)) from None
        return None
    if not hmac.compare_digest(existing.request_hash, digest):
        raise IdempotencyMismatch(
            gettext("This Idempotency-Key was already used with a different request body.")
        )
    if existing.bid_id is not None:
        return existing.bid_id
    # Unfinished: take the claim over only if its lease has run out (its request crashed).
    taken = session.exec(
        update(IdempotencyKey)
        .where(
            col(IdempotencyKey.id) == existing.id,
            col(IdempotencyKey.bid_id).is_(None),
            col(IdempotencyKey.lease_expires_at) <= now,
        )
        .values(lease_expires_at=now + LEASE)
    )
    session.commit()
    if taken.rowcount != 1:
        raise IdempotencyConflict(gettext(STILL_IN_PROGRESS))
    return None


def finish(session: Session, *, supplier_id: int, target: str, key: str, bid_id: int) -> None:
    """Tie the key to the bid it made, in the bid's own transaction."""
    row = session.exec(
        select(IdempotencyKey).where(
            IdempotencyKey.supplier_id == supplier_id,
            IdempotencyKey.target == target,
            IdempotencyKey.key == key_digest(key),
        )
    ).one()
    row.bid_id = bid_id
    session.add(row)


def release(session: Session, *, supplier_id: int, target: str, key: str) -> None:
    """Give a claim back after a refused request, so a corrected retry may use the key."""
    session.exec(
        delete(IdempotencyKey).where(
            col(IdempotencyKey.supplier_id) == supplier_id,
            col(IdempotencyKey.target) == target,
            col(IdempotencyKey.key) == key_digest(key),
            col(IdempotencyKey.bid_id).is_(None),
        )
    )
    session.commit()


def forget_tender(session: Session, *, tender_id: int) -> None:
    """Delete a tender's keys once its bids are opened, in the opening's transaction: bidding
    is over, so no request will retry with them."""
    session.exec(delete(IdempotencyKey).where(col(IdempotencyKey.target) == bid_target(tender_id)))
