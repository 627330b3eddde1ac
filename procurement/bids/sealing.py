"""Sealed bids: HPKE (RFC 9180) to the tender's key, SHA-256 commitments, a time-locked key.

Each tender gets an X25519 key pair at publication. Bids are encrypted to its public key with
HPKE (DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, AES-128-GCM), bound to the tender by the HPKE
`info`. The private key is stored only encrypted (AES-256-GCM) under a key derived from the
deployment's opening key (a file outside the database) and the tender's id and opening time;
only the opening step asks for it, and only at or after the opening time. A database dump alone
cannot open a bid.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import secrets
from datetime import datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import hashes, hpke
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)

from core.settings import write_private_file

SUITE = hpke.Suite(hpke.KEM.X25519, hpke.KDF.HKDF_SHA256, hpke.AEAD.AES_128_GCM)
SALT_BYTES = 32


class SealingError(Exception):
    """A ciphertext does not open, or a commitment does not match."""


def canonical(value: Any) -> bytes:
    """The canonical JSON bytes of a bid (sorted keys, no whitespace, UTF-8)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def hpke_info(ocid: str) -> bytes:
    """Binds a ciphertext to one tender, so it cannot be replayed on another."""
    return f"prongsai-bid:{ocid}".encode()


def commitment(bid: dict[str, Any], salt: bytes) -> str:
    """SHA-256(salt ‖ canonical bid), hex: published at submission, checked at opening."""
    return hashlib.sha256(salt + canonical(bid)).hexdigest()


def committed_form(bid: dict[str, Any]) -> dict[str, Any]:
    """The bid as its commitment covers it: each document by its title and the SHA-256 of its
    content (recomputed here), not the content itself, so a receipt of a few kilobytes lets
    its bidder check the commitment, and the documents stay bound by their hashes."""
    if "documents" not in bid:
        return bid
    documents = []
    for document in bid["documents"]:
        content = base64.b64decode(document["content_base64"], validate=True)
        documents.append(
            {"title": document["title"], "sha256": hashlib.sha256(content).hexdigest()}
        )
    return {**bid, "documents": documents}


def bucket(length: int) -> int:
    """The padded size of a plaintext: a whole number of KiB up to 64 KiB, then of 64 KiB."""
    step = 1024 if length <= 64 * 1024 else 64 * 1024
    return -(-length // step) * step


def padded(bid: dict[str, Any], salt: bytes) -> bytes:
    """The sealed plaintext, padded with spaces to its bucket, so a ciphertext's length says
    nothing of the number of digits of its price. The pad is outside the commitment, and
    `unseal` reads only the bid and the salt, so bids sealed before padding open alike."""
    bare = canonical({"bid": bid, "pad": "", "salt": salt.hex()})
    return canonical({"bid": bid, "pad": " " * (bucket(len(bare)) - len(bare)), "salt": salt.hex()})


def new_salt() -> bytes:
    """A fresh random salt: it keeps a commitment from being tested against guessed prices."""
    return secrets.token_bytes(SALT_BYTES)


def seal(
    public_key: bytes, bid: dict[str, Any], *, ocid: str, salt: bytes | None = None
) -> tuple[bytes, str]:
    """Encrypt a bid with a salt (fresh unless given, for the bidder's receipt); returns
    (ciphertext, commitment), the commitment over the bid's committed form."""
    salt = new_salt() if salt is None else salt
    plaintext = padded(bid, salt)
    ciphertext = SUITE.encrypt(
        plaintext, X25519PublicKey.from_public_bytes(public_key), hpke_info(ocid)
    )
    return ciphertext, commitment(committed_form(bid), salt)


def unseal(
    private_key: bytes | X25519PrivateKey, ciphertext: bytes, *, ocid: str, expected: str
) -> dict[str, Any]:
    """Decrypt a bid and check it against its published commitment (an opening loads the
    tender's key once and passes it for every bid)."""
    try:
        if isinstance(private_key, bytes):
            private_key = X25519PrivateKey.from_private_bytes(private_key)
        plaintext = SUITE.decrypt(ciphertext, private_key, hpke_info(ocid))
        sealed = json.loads(plaintext)
        bid, salt = sealed["bid"], bytes.fromhex(sealed["salt"])
    except Exception as error:  # any failure to open is the bid's failure, never a crash
        raise SealingError("the ciphertext does not decrypt with this tender's key") from error
    try:
        matches = isinstance(bid, dict) and _matches(bid, salt, expected)
    except RecursionError:  # parsed, but nested too deep to write again: never a crash
        raise SealingError("the opened bid is nested too deeply to check") from None
    if not matches:
        raise SealingError("the opened bid does not match its commitment")
    return bid


def _matches(bid: dict[str, Any], salt: bytes, expected: str) -> bool:
    # Bids sealed before receipts carried their bid committed to it whole, documents' content
    # included, as clients sealing on their own machine may still do: either form opens. The
    # whole form is tried first and the committed form only if it fails (a bid without
    # documents is its own committed form): the committed form is never deeper than the whole,
    # so a bid the whole form checks never fails on the other's depth.
    if commitment(bid, salt) == expected:
        return True
    try:
        form = committed_form(bid)
    except (KeyError, TypeError, ValueError):  # a malformed document: only the whole form
        return False
    return form is not bid and commitment(form, salt) == expected


def _time_lock_key(opening_key: bytes, tender_id: int) -> bytes:
    # The opening time is enforced by the only code path that asks for the key (it can move
    # by amendment), so the derivation binds the tender only.
    info = f"prongsai-tender:{tender_id}".encode()
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(opening_key)


def new_tender_keys(opening_key: bytes, *, tender_id: int) -> tuple[bytes, bytes]:
    """A tender's public key, and its private key sealed for the opening (never kept clear)."""
    private = X25519PrivateKey.generate()
    raw = private.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    public = private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    nonce = os.urandom(12)
    key = _time_lock_key(opening_key, tender_id)
    return public, nonce + AESGCM(key).encrypt(nonce, raw, public)


def release_private_key(
    opening_key: bytes,
    *,
    tender_id: int,
    opening_at: datetime,
    public_key: bytes,
    sealed: bytes,
    now: datetime,
) -> bytes:
    """The tender's private key, and only at or after its opening time."""
    if now < opening_at:
        raise SealingError("the tender's key opens only at its opening time")
    key = _time_lock_key(opening_key, tender_id)
    return AESGCM(key).decrypt(sealed[:12], sealed[12:], public_key)


def seal_secret(opening_key: bytes, *, tender_id: int, label: str, secret: bytes) -> bytes:
    """Wrap another secret of a tender (the reserve-price seed) for its opening."""
    key = _time_lock_key(opening_key, tender_id)
    nonce = os.urandom(12)
    return nonce + AESGCM(key).encrypt(nonce, secret, label.encode())


def release_secret(
    opening_key: bytes,
    *,
    tender_id: int,
    label: str,
    sealed: bytes,
    opening_at: datetime,
    now: datetime,
) -> bytes:
    """A wrapped secret of the tender, and only at or after its opening time."""
    if now < opening_at:
        raise SealingError("the tender's secrets open only at its opening time")
    key = _time_lock_key(opening_key, tender_id)
    return AESGCM(key).decrypt(sealed[:12], sealed[12:], label.encode())


def load_opening_key(path: Path, *, may_create: bool) -> bytes:
    """The deployment's opening key (32 bytes in a 0600 file), made once before any tender."""
    if not path.exists():
        if not may_create:
            raise SealingError(
                f"the opening key is missing at {path} while sealed tenders exist: restore it "
                "(a new key would leave their bids unopenable, so none is made)"
            )
        write_private_file(path, secrets.token_bytes(32))
    data = path.read_bytes()
    if len(data) != 32:
        raise SealingError(f"the opening key at {path} must hold exactly 32 bytes")
    return data
