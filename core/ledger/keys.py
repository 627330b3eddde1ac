"""The log's Ed25519 signing key: made once for an empty log, never silently replaced."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    load_pem_private_key,
)

from core.ledger import note
from core.settings import write_private_file


class SigningKeyError(Exception):
    """The signing key is missing, unreadable or not the one the log was signed with."""


@dataclass(frozen=True)
class LogSigner:
    """Signs checkpoints under the log's origin name."""

    name: str
    private_key: Ed25519PrivateKey

    @property
    def key_id(self) -> str:
        """The 4-byte key ID, as 8 hex digits."""
        return note.key_id(self.name, self.private_key.public_key()).hex()

    @property
    def verifier_key(self) -> str:
        """The public verifier key in signed-note form."""
        return note.verifier_key(self.name, self.private_key.public_key())

    def sign(self, body: str) -> str:
        """A signed note of the body."""
        return note.sign_note(body, self.name, self.private_key)


def load_signer(path: Path, *, name: str, may_create: bool) -> LogSigner:
    """Read the key at path; create it only when allowed (an empty log) and absent."""
    if not path.exists():
        if not may_create:
            raise SigningKeyError(
                f"the transparency log's signing key is missing at {path}, and the log already "
                "has entries: restore the key file (or set PRONGSAI_LOG_SIGNING_KEY_FILE); "
                "a new key is never made over an existing log"
            )
        key = Ed25519PrivateKey.generate()
        pem = key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
        write_private_file(path, pem)
        return LogSigner(name=name, private_key=key)
    try:
        loaded = load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError, TypeError) as error:
        raise SigningKeyError(
            f"the transparency log's signing key at {path} cannot be read ({error})"
        ) from None
    if not isinstance(loaded, Ed25519PrivateKey):
        raise SigningKeyError(f"the signing key at {path} is not an Ed25519 private key")
    return LogSigner(name=name, private_key=loaded)
