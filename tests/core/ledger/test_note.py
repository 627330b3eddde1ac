"""Tests for core.ledger.note: C2SP signed notes and tlog checkpoints with Ed25519."""

from __future__ import annotations

import base64
import hashlib

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from core.ledger import note

NAME = "example.com/log"
# RFC 8032 §7.1 TEST 1.
RFC8032_SEED = bytes.fromhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
RFC8032_PUBLIC = bytes.fromhex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")
KEY = Ed25519PrivateKey.from_private_bytes(RFC8032_SEED)
OTHER_KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
ROOT = hashlib.sha256(b"some root").digest()
BODY = note.checkpoint_body(NAME, 5, ROOT)
VKEY = note.verifier_key(NAME, KEY.public_key())
NOTE = note.sign_note(BODY, NAME, KEY)

# The golang.org/x/mod/sumdb/note documentation example: an independent implementation's output.
GO_SIGNER_SEED = "AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
GO_VERIFIER_KEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
GO_TEXT = (
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n"
)
GO_NOTE = (
    GO_TEXT + "\n\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZ"
    "SNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"
)


def raw_public(key: Ed25519PrivateKey) -> bytes:
    """Return the 32-byte public key of ``key``."""
    return key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def expected_key_id(name: str, public: bytes) -> bytes:
    """Compute the C2SP Ed25519 key ID independently of the product."""
    return hashlib.sha256(name.encode() + b"\x0a" + b"\x01" + public).digest()[:4]


def signature_line(name: str, blob: bytes) -> str:
    """Return a signature line for an arbitrary key ID and signature blob."""
    return f"\u2014 {name} {base64.b64encode(blob).decode()}\n"


# --- checkpoints ---------------------------------------------------------------------------


def test_checkpoint_body_layout_and_round_trip() -> None:
    assert f"{NAME}\n5\n{base64.b64encode(ROOT).decode()}\n" == BODY
    assert note.parse_checkpoint_body(BODY) == note.Checkpoint(NAME, 5, ROOT)
    assert note.parse_checkpoint_body(note.checkpoint_body(NAME, 0, ROOT)).size == 0


def test_checkpoint_extension_lines_are_kept() -> None:
    parsed = note.parse_checkpoint_body(BODY + "ext one\next two\n")
    assert parsed.extensions == ("ext one", "ext two")
    assert (parsed.origin, parsed.size, parsed.root) == (NAME, 5, ROOT)


ROOT_LINE = base64.b64encode(ROOT).decode()


@pytest.mark.parametrize(
    "text",
    [
        "",
        f"{NAME}\n5\n{ROOT_LINE}",
        f"{NAME}\n5\n",
        f"\n5\n{ROOT_LINE}\n",
        f"{NAME}\n05\n{ROOT_LINE}\n",
        f"{NAME}\n+5\n{ROOT_LINE}\n",
        f"{NAME}\n 5\n{ROOT_LINE}\n",
        f"{NAME}\n-1\n{ROOT_LINE}\n",
        f"{NAME}\n\u0665\n{ROOT_LINE}\n",
        f"{NAME}\n1_000\n{ROOT_LINE}\n",
        f"{NAME}\nfive\n{ROOT_LINE}\n",
        f"{NAME}\n5\n{base64.b64encode(ROOT[:31]).decode()}\n",
        f"{NAME}\n5\n{ROOT_LINE[:-1]}\n",
        f"{NAME}\n5\n{ROOT_LINE}!\n",
        f"{NAME}\n5\n{ROOT_LINE}\n\nextension\n",
        f"{NAME}\n5\n{ROOT_LINE}\r\n",
        f"{NAME}\t\n5\n{ROOT_LINE}\n",
    ],
)
def test_malformed_checkpoint_bodies_are_rejected(text: str) -> None:
    with pytest.raises(ValueError):
        note.parse_checkpoint_body(text)


@pytest.mark.parametrize(
    ("origin", "size", "root"),
    [("", 5, ROOT), ("a\nb", 5, ROOT), (NAME, -1, ROOT), (NAME, True, ROOT), (NAME, 5, ROOT[:31])],
)
def test_checkpoint_body_rejects_bad_fields(origin: str, size: int, root: bytes) -> None:
    with pytest.raises(ValueError):
        note.checkpoint_body(origin, size, root)


# --- keys ------------------------------------------------------------------------------------


def test_rfc8032_key_known_answer() -> None:
    assert raw_public(KEY) == RFC8032_PUBLIC
    assert VKEY.startswith(f"{NAME}+")
    _, hex_id, encoded = VKEY.split("+", 2)
    assert hex_id == expected_key_id(NAME, RFC8032_PUBLIC).hex()
    assert base64.b64decode(encoded) == b"\x01" + RFC8032_PUBLIC
    # This key's base64 contains '+', so parsers must split on the first two '+' only.
    assert VKEY == "example.com/log+cc714670+AddamAGCsQq31Uv+08lkBzoO4XLz2qYjJa8CGmj3B1Ea"
    parsed_name, key_id, public = note.parse_verifier_key(VKEY)
    assert (parsed_name, key_id) == (NAME, expected_key_id(NAME, RFC8032_PUBLIC))
    assert public.public_bytes(Encoding.Raw, PublicFormat.Raw) == RFC8032_PUBLIC


@pytest.mark.parametrize("name", [NAME, "a", "PeterNeumann", "ex.org/ü", "x" * 200])
def test_key_id_matches_independent_computation(name: str) -> None:
    for key in (KEY, OTHER_KEY):
        assert note.key_id(name, key.public_key()) == expected_key_id(name, raw_public(key))


@pytest.mark.parametrize("name", ["", "a b", "a+b", "tab\there", "no\u00a0break", "line\n"])
def test_invalid_key_names_are_rejected(name: str) -> None:
    with pytest.raises(ValueError):
        note.verifier_key(name, KEY.public_key())
    with pytest.raises(ValueError):
        note.sign_note(BODY, name, KEY)


def wrong_type_key() -> str:
    """Return VKEY with its signature type byte changed."""
    name, hex_id, _ = VKEY.split("+", 2)
    encoded = base64.b64encode(b"\x02" + RFC8032_PUBLIC).decode()
    return f"{name}+{hex_id}+{encoded}"


@pytest.mark.parametrize(
    "text",
    [
        "",
        NAME,
        VKEY + "+extra",
        VKEY.replace("+", "+0", 1),
        VKEY.replace(VKEY.split("+", 2)[1], VKEY.split("+", 2)[1].upper()),
        VKEY.replace(VKEY.split("+", 2)[1], "00000000"),
        VKEY[:-4],
        VKEY + "=",
        "+" + VKEY.split("+", 1)[1],
        wrong_type_key(),
    ],
)
def test_malformed_verifier_keys_are_rejected(text: str) -> None:
    with pytest.raises(ValueError):
        note.parse_verifier_key(text)
    with pytest.raises(note.NoteVerificationError):
        note.verify_note(NOTE, text)


# --- signed notes ------------------------------------------------------------------------------


def test_sign_and_verify_round_trip() -> None:
    signature = base64.b64decode(NOTE.split(" ")[-1])
    assert NOTE.startswith(BODY + "\n\u2014 example.com/log ")
    assert NOTE.endswith("\n")
    assert len(signature) == 4 + 64
    assert signature[:4] == expected_key_id(NAME, RFC8032_PUBLIC)
    KEY.public_key().verify(signature[4:], BODY.encode())
    assert note.verify_note(NOTE, VKEY) == BODY


def test_go_sumdb_note_known_answer() -> None:
    seed = base64.b64decode(GO_SIGNER_SEED)
    assert seed[0] == 1
    key = Ed25519PrivateKey.from_private_bytes(seed[1:])
    assert note.verifier_key("PeterNeumann", key.public_key()) == GO_VERIFIER_KEY
    assert note.sign_note(GO_TEXT, "PeterNeumann", key) == GO_NOTE
    assert note.verify_note(GO_NOTE, GO_VERIFIER_KEY) == GO_TEXT


def test_tampered_size_is_rejected() -> None:
    tampered = NOTE.replace(f"{NAME}\n5\n", f"{NAME}\n6\n", 1)
    assert tampered != NOTE
    with pytest.raises(note.NoteVerificationError, match="bad signature"):
        note.verify_note(tampered, VKEY)


def test_tampered_root_is_rejected() -> None:
    other_root = base64.b64encode(hashlib.sha256(b"other root").digest()).decode()
    tampered = NOTE.replace(ROOT_LINE, other_root, 1)
    with pytest.raises(note.NoteVerificationError, match="bad signature"):
        note.verify_note(tampered, VKEY)


@pytest.mark.parametrize("byte", [4, 5, 30, 67])
def test_tampered_signature_is_rejected(byte: int) -> None:
    blob = bytearray(base64.b64decode(NOTE.split(" ")[-1]))
    blob[byte] ^= 0x01
    tampered = BODY + "\n" + signature_line(NAME, bytes(blob))
    with pytest.raises(note.NoteVerificationError, match="bad signature"):
        note.verify_note(tampered, VKEY)


def test_note_signed_by_another_key_is_rejected() -> None:
    forged = note.sign_note(BODY, NAME, OTHER_KEY)
    with pytest.raises(note.NoteVerificationError, match="no signature"):
        note.verify_note(forged, VKEY)


def test_other_key_claiming_our_key_id_is_rejected() -> None:
    blob = expected_key_id(NAME, RFC8032_PUBLIC) + OTHER_KEY.sign(BODY.encode())
    with pytest.raises(note.NoteVerificationError, match="bad signature"):
        note.verify_note(BODY + "\n" + signature_line(NAME, blob), VKEY)


@pytest.mark.parametrize("length", [1, 63, 65])
def test_wrong_length_signature_from_our_key_is_rejected(length: int) -> None:
    blob = expected_key_id(NAME, RFC8032_PUBLIC) + bytes(length)
    with pytest.raises(note.NoteVerificationError, match="bad signature"):
        note.verify_note(BODY + "\n" + signature_line(NAME, blob), VKEY)


def test_oversized_note_is_rejected() -> None:
    with pytest.raises(note.NoteVerificationError, match="too large"):
        note.verify_note("x" * note.MAX_NOTE_CHARS + NOTE, VKEY)


def test_unknown_signatures_are_ignored() -> None:
    cosigned = note.sign_note(BODY, "witness.example/w1", OTHER_KEY)
    both = cosigned + NOTE.split("\n\n", 1)[1]
    assert note.verify_note(both, VKEY) == BODY
    other_vkey = note.verifier_key("witness.example/w1", OTHER_KEY.public_key())
    assert note.verify_note(both, other_vkey) == BODY


def test_text_with_blank_lines_splits_at_the_last_one() -> None:
    text = "first\n\nsecond\n"
    assert note.verify_note(note.sign_note(text, NAME, KEY), VKEY) == text


SIG_LINE = NOTE.split("\n\n", 1)[1]


@pytest.mark.parametrize(
    "text",
    [
        "",
        BODY,
        BODY + SIG_LINE,
        NOTE[:-1],
        NOTE + "\n",
        BODY + "\n" + SIG_LINE.replace("\u2014 ", "-- ", 1),
        BODY + "\n" + SIG_LINE.replace(" ", "  ", 1),
        BODY + "\n" + SIG_LINE.replace("=\n", "\n"),
        BODY + "\n" + SIG_LINE.replace(NAME, NAME + "\t"),
        BODY + "\n" + signature_line(NAME, b"\x01\x02\x03\x04"),
        BODY + "\n" + f"\u2014 {NAME}\n",
        BODY + "\n" + SIG_LINE + "trailing text\n",
        BODY.replace("\n", "\r\n", 1) + "\n" + SIG_LINE,
        BODY + "\x00\n" + SIG_LINE,
        BODY + "\n" + SIG_LINE * (note.MAX_SIGNATURES + 1),
        "\ud800" + NOTE,
    ],
)
def test_malformed_notes_are_rejected(text: str) -> None:
    with pytest.raises(ValueError):
        note.verify_note(text, VKEY)


@pytest.mark.parametrize("body", ["no newline", "", "control\x07\n", "\ud800\n"])
def test_sign_note_rejects_malformed_text(body: str) -> None:
    with pytest.raises(ValueError):
        note.sign_note(body, NAME, KEY)


def test_verification_error_is_a_value_error() -> None:
    assert issubclass(note.NoteVerificationError, ValueError)
