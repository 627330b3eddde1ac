"""Idempotency-Keys of bid submissions: scoped, keyed-hashed, kept with their bid.

A key belongs to (supplier, method, target): the same key on another tender is another
request. Neither the key nor the clear request is stored. The key is kept as its SHA-256; the
request as an HMAC-SHA256 under the server's secret (a 0600 file in the data folder, like the
opening key) *and the client's key*, which only the client holds. A database dump, even with
the secret file beside it, therefore lets nobody test guessed prices against the stored hash,
as long as the client's key is random (a UUID, or the form's 144 random bits). A key is
written with the bid it made, in the bid's transaction, so a crash leaves neither; a retry
finds the bid or records it. (Earlier versions claimed a key first, leased for a minute; such a
claim left by a crash is taken over once its lease runs out.) At the opening the tender's keys
are deleted: bidding is over, nothing retries.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import secrets
from datetime import datetime, timedelta
from pathlib import Path

from sqlmodel import Session, col, delete, select

from core.errors import DomainError
from core.i18n import N_, gettext
from core.settings import Settings, write_private_file
from procurement.bids.models import IdempotencyKey
from procurement.exceptions import IdempotencyConflict, IdempotencyMismatch

LEASE = timedelta(seconds=60)  # of an earlier version's claim (settle, below)
STILL_IN_PROGRESS = N_("A request with this Idempotency-Key is still in progress; retry shortly.")


_SERVER_KEYS: dict[Path, bytes] = {}  # read once per process: every keyed bid needs it


def server_key(settings: Settings) -> bytes:
    """The deployment's idempotency secret (32 bytes in a 0600 file), made on first use."""
    path = settings.data_dir / "idempotency-key"
    if (known := _SERVER_KEYS.get(path)) is not None:
        return known
    if not path.exists():
        with contextlib.suppress(FileExistsError):  # another worker made it first
            write_private_file(path, secrets.token_bytes(32))
    key = _SERVER_KEYS[path] = path.read_bytes()
    return key


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


def finished(
    session: Session, *, supplier_id: int, target: str, key: str, request_hash: str, now: datetime
) -> int | None:
    """The bid of a finished request with this key (`key` is its digest), or None when it is
    new: a look before the sealing, so a repeated request is answered at once. The key is
    settled again, under the tender's lock, when the bid is recorded (procurement.bids.recording).

    Raises IdempotencyMismatch for the same key with another body, IdempotencyConflict while a
    claim on it is live.
    """
    row = session.exec(
        select(IdempotencyKey).where(
            IdempotencyKey.supplier_id == supplier_id,
            IdempotencyKey.target == target,
            IdempotencyKey.key == key,
        )
    ).first()
    if row is None:
        return None
    outcome = settle(row, request_hash=request_hash, now=now)
    if isinstance(outcome, DomainError):
        raise outcome
    return outcome


def settle(row: IdempotencyKey, *, request_hash: str, now: datetime) -> int | DomainError | None:
    """What a stored key means for a request bearing it: the bid it made (a repeat), a refusal
    (another body; a live claim), or None: a claim whose lease ran out, to be taken over.

    Keys are written with their bid, in one transaction, so an unfinished claim is only what a
    version before group commit left when it crashed between claiming and saving."""
    if not hmac.compare_digest(row.request_hash, request_hash):
        return mismatch()
    if row.bid_id is not None:
        return row.bid_id
    if row.lease_expires_at > now:
        return IdempotencyConflict(gettext(STILL_IN_PROGRESS))
    return None


def mismatch() -> IdempotencyMismatch:
    return IdempotencyMismatch(
        gettext("This Idempotency-Key was already used with a different request body.")
    )


def forget_tender(session: Session, *, tender_id: int) -> None:
    """Delete a tender's keys once its bids are opened, in the opening's transaction: bidding
    is over, so no request will retry with them."""
    session.exec(delete(IdempotencyKey).where(col(IdempotencyKey.target) == bid_target(tender_id)))
