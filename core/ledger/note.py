"""C2SP signed notes (c2sp.org/signed-note) and tlog checkpoints (c2sp.org/tlog-checkpoint).

Only Ed25519 signatures (type 0x01) are produced or checked.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

ED25519_TYPE = b"\x01"
SIGNATURE_PREFIX = "\u2014 "
ROOT_SIZE = 32
# The spec asks verifiers to cap signatures but accept at least 16; Go's note package uses 100.
MAX_SIGNATURES = 100
MAX_NOTE_CHARS = 1 << 20

_DECIMAL = re.compile(r"0|[1-9][0-9]*")
_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f]")
_HEX_ID = re.compile(r"[0-9a-f]{8}")


class NoteVerificationError(ValueError):
    """A signed note is malformed or lacks a valid signature from the expected key."""


@dataclass(frozen=True)
class Checkpoint:
    """The parsed body of a tlog checkpoint."""

    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...] = ()


# --- checkpoints ------------------------------------------------------------------------------


def checkpoint_body(origin: str, size: int, root: bytes) -> str:
    """Return the checkpoint note text for a tree of ``size`` leaves with hash ``root``."""
    if not origin or "\n" in origin or _CONTROL.search(origin):
        raise ValueError("checkpoint origin must be one non-empty line without control characters")
    if isinstance(size, bool) or not isinstance(size, int) or size < 0:
        raise ValueError(f"checkpoint tree size must be a non-negative integer, got {size!r}")
    if not isinstance(root, bytes) or len(root) != ROOT_SIZE:
        raise ValueError(f"checkpoint root hash must be {ROOT_SIZE} bytes")
    return f"{origin}\n{size}\n{base64.b64encode(root).decode('ascii')}\n"


def parse_checkpoint_body(text: str) -> Checkpoint:
    """Parse checkpoint note text, raising ValueError with the reason if it is malformed."""
    _check_text(text, "checkpoint text")
    if not text.endswith("\n"):
        raise ValueError("checkpoint text must end with a newline")
    lines = text[:-1].split("\n")
    if len(lines) < 3:
        raise ValueError("checkpoint needs origin, tree size and root hash lines")
    if any(not line for line in lines):
        raise ValueError("checkpoint lines must not be empty")
    origin, size_line, root_line, *extensions = lines
    if not _DECIMAL.fullmatch(size_line):
        raise ValueError(f"checkpoint tree size {size_line!r} is not a canonical decimal")
    root = _strict_b64(root_line, "checkpoint root hash")
    if len(root) != ROOT_SIZE:
        raise ValueError(f"checkpoint root hash must be {ROOT_SIZE} bytes, got {len(root)}")
    return Checkpoint(origin, int(size_line), root, tuple(extensions))


def _strict_b64(text: str, what: str) -> bytes:
    """Decode canonical standard base64, raising ValueError naming ``what`` otherwise."""
    try:
        raw = base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError) as exc:
        raise ValueError(f"{what} is not valid base64") from exc
    # Rejecting non-canonical encodings keeps one byte string per note.
    if base64.b64encode(raw).decode("ascii") != text:
        raise ValueError(f"{what} is not canonical base64")
    return raw


# --- keys ---------------------------------------------------------------------------------------


def _check_key_name(name: str) -> None:
    """Raise ValueError unless ``name`` is a valid note key name."""
    if not isinstance(name, str) or not name:
        raise ValueError("key name must be a non-empty string")
    if "+" in name or any(ch.isspace() for ch in name) or _CONTROL.search(name):
        raise ValueError(f"key name {name!r} must not contain spaces, '+' or control characters")


def _raw_public(public_key: Ed25519PublicKey) -> bytes:
    """Return the 32-byte RFC 8032 encoding of ``public_key``."""
    return public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def key_id(name: str, public_key: Ed25519PublicKey) -> bytes:
    """Return the 4-byte key ID SHA-256(name || 0x0A || 0x01 || public key)[:4]."""
    _check_key_name(name)
    material = name.encode("utf-8") + b"\n" + ED25519_TYPE + _raw_public(public_key)
    return hashlib.sha256(material).digest()[:4]


def verifier_key(name: str, public_key: Ed25519PublicKey) -> str:
    """Return the verifier key string ``<name>+<hex key ID>+<base64(0x01 || key)>``."""
    encoded = base64.b64encode(ED25519_TYPE + _raw_public(public_key)).decode("ascii")
    return f"{name}+{key_id(name, public_key).hex()}+{encoded}"


def parse_verifier_key(text: str) -> tuple[str, bytes, Ed25519PublicKey]:
    """Parse a verifier key string into (name, key ID, public key); raise ValueError if bad."""
    parts = text.split("+", 2) if isinstance(text, str) else []
    if len(parts) != 3:
        raise ValueError("verifier key must look like <name>+<key id>+<base64 key>")
    name, hex_id, encoded = parts
    _check_key_name(name)
    if not _HEX_ID.fullmatch(hex_id):
        raise ValueError("verifier key ID must be 8 lowercase hex digits")
    raw = _strict_b64(encoded, "verifier public key")
    if len(raw) != 33 or raw[:1] != ED25519_TYPE:
        raise ValueError("verifier key must be an Ed25519 (type 0x01) 32-byte public key")
    public_key = Ed25519PublicKey.from_public_bytes(raw[1:])
    if key_id(name, public_key) != bytes.fromhex(hex_id):
        raise ValueError("verifier key ID does not match its name and public key")
    return name, bytes.fromhex(hex_id), public_key


# --- signing and verifying ----------------------------------------------------------------------


def _check_text(text: str, what: str) -> bytes:
    """Return ``text`` as UTF-8 after checking the note-wide character rules."""
    if not isinstance(text, str):
        raise ValueError(f"{what} must be a string")
    if _CONTROL.search(text):
        raise ValueError(f"{what} must not contain control characters other than newline")
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValueError(f"{what} is not valid UTF-8") from exc


def sign_note(body: str, name: str, private_key: Ed25519PrivateKey) -> str:
    """Return ``body`` signed by ``private_key`` under key name ``name``."""
    data = _check_text(body, "note text")
    if not body.endswith("\n"):
        raise ValueError("note text must end with a newline")
    key = key_id(name, private_key.public_key())
    signature = base64.b64encode(key + private_key.sign(data)).decode("ascii")
    return f"{body}\n{SIGNATURE_PREFIX}{name} {signature}\n"


def _split_note(note: str) -> tuple[str, list[str]]:
    """Split a signed note into its text and its signature lines."""
    cut = note.rfind("\n\n")
    if cut < 0 or not note.endswith("\n"):
        raise NoteVerificationError("note has no signature block")
    lines = note[cut + 2 : -1].split("\n")
    if len(lines) > MAX_SIGNATURES:
        raise NoteVerificationError(f"note has more than {MAX_SIGNATURES} signatures")
    return note[: cut + 1], lines


def _parse_signature(line: str) -> tuple[str, bytes, bytes]:
    """Parse one signature line into (key name, key ID, signature bytes)."""
    if not line.startswith(SIGNATURE_PREFIX):
        raise NoteVerificationError(f"malformed signature line {line[:40]!r}")
    name, _, encoded = line[len(SIGNATURE_PREFIX) :].partition(" ")
    try:
        _check_key_name(name)
        raw = _strict_b64(encoded, "signature")
    except ValueError as exc:
        raise NoteVerificationError(f"malformed signature line: {exc}") from exc
    if len(raw) < 5:
        raise NoteVerificationError("signature is too short to hold a key ID")
    return name, raw[:4], raw[4:]


def verify_note(note: str, verifier_key_str: str) -> str:
    """Return the note text if it carries a valid signature by the given verifier key."""
    if isinstance(note, str) and len(note) > MAX_NOTE_CHARS:
        raise NoteVerificationError("note is too large")
    try:
        name, wanted_id, public_key = parse_verifier_key(verifier_key_str)
        _check_text(note, "note")
    except ValueError as exc:
        raise NoteVerificationError(str(exc)) from exc
    body, lines = _split_note(note)
    matching = [
        sig for n, kid, sig in map(_parse_signature, lines) if (n, kid) == (name, wanted_id)
    ]
    if not matching:
        raise NoteVerificationError(f"note has no signature from key {name}+{wanted_id.hex()}")
    signed = body.encode("utf-8")
    for signature in matching:
        # The spec says a failed signature from a known key should reject the whole note.
        try:
            public_key.verify(signature, signed)
        except InvalidSignature as exc:
            raise NoteVerificationError(f"bad signature from key {name}") from exc
    return body
