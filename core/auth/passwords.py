"""Argon2id password hashing."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters


@cache
def _dummy_hash() -> str:
    """Verified against when the email is unknown, so a wrong email costs as long as a wrong
    password; made on first use, as hashing at import would slow every process's start."""
    return _hasher.hash("prongsai-timing-equaliser")


MIN_PASSWORD_LENGTH = 10


def hash_password(password: str) -> str:
    """Hash a password with Argon2id."""
    if _shared is not None and password == _shared[0]:
        return _shared[1]
    return _hasher.hash(password)


_shared: tuple[str, str] | None = None


@contextmanager
def one_hash_for(password: str) -> Iterator[None]:
    """Inside the block, every account given `password` gets the same salted hash, made once.

    For the demo only, whose accounts all share one published password: a hash per account
    would cost a second of Argon2 and protect nothing that the README does not already print.
    """
    global _shared
    _shared = (password, _hasher.hash(password))
    try:
        yield
    finally:
        _shared = None


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when the password matches; spends the same effort when there is no hash."""
    try:
        return (
            _hasher.verify(password_hash or _dummy_hash(), password) and password_hash is not None
        )
    except (VerificationError, InvalidHashError):
        return False
