import pytest

from procurement.bids import sealing

OPENING_KEY = bytes(range(32))


def test_a_sealed_bid_opens_with_the_released_key_and_matches_its_commitment():
    from datetime import UTC, datetime

    public, sealed_private = sealing.new_tender_keys(OPENING_KEY, tender_id=7)
    bid = {"price": {"amount": 123_456, "currency": "THB"}}
    ciphertext, commitment = sealing.seal(public, bid, ocid="ocds-abc123-7")
    assert b"123456" not in ciphertext
    opening_at = datetime(2026, 12, 1, tzinfo=UTC)
    private = sealing.release_private_key(
        OPENING_KEY,
        tender_id=7,
        opening_at=opening_at,
        public_key=public,
        sealed=sealed_private,
        now=opening_at,
    )
    assert sealing.unseal(private, ciphertext, ocid="ocds-abc123-7", expected=commitment) == bid


def test_the_key_is_not_released_before_the_opening_time():
    from datetime import UTC, datetime, timedelta

    public, sealed_private = sealing.new_tender_keys(OPENING_KEY, tender_id=7)
    opening_at = datetime(2026, 12, 1, tzinfo=UTC)
    with pytest.raises(sealing.SealingError, match="only at its opening time"):
        sealing.release_private_key(
            OPENING_KEY,
            tender_id=7,
            opening_at=opening_at,
            public_key=public,
            sealed=sealed_private,
            now=opening_at - timedelta(microseconds=1),
        )


def test_a_ciphertext_is_bound_to_its_tender_and_a_wrong_commitment_is_caught():
    from datetime import UTC, datetime

    public, sealed_private = sealing.new_tender_keys(OPENING_KEY, tender_id=7)
    at = datetime(2026, 12, 1, tzinfo=UTC)
    private = sealing.release_private_key(
        OPENING_KEY, tender_id=7, opening_at=at, public_key=public, sealed=sealed_private, now=at
    )
    ciphertext, commitment = sealing.seal(public, {"price": 1}, ocid="ocds-abc123-7")
    with pytest.raises(sealing.SealingError, match="does not decrypt"):
        sealing.unseal(private, ciphertext, ocid="ocds-abc123-8", expected=commitment)
    with pytest.raises(sealing.SealingError, match="does not match its commitment"):
        sealing.unseal(private, ciphertext, ocid="ocds-abc123-7", expected="0" * 64)


def test_the_private_key_cannot_be_unwrapped_with_another_opening_key():
    from datetime import UTC, datetime

    public, sealed_private = sealing.new_tender_keys(OPENING_KEY, tender_id=7)
    at = datetime(2026, 12, 1, tzinfo=UTC)
    with pytest.raises(Exception):  # noqa: B017, PT011 -- AES-GCM refuses; the exact class is internal
        sealing.release_private_key(
            bytes(32), tender_id=7, opening_at=at, public_key=public, sealed=sealed_private, now=at
        )


def test_a_bid_nested_near_the_parsers_depth_is_refused_never_a_crash():
    """A client sealing on its own machine can send any plaintext: one nested just deep enough
    to parse but too deep to serialise again must make that bid invalid, not stop the opening
    (whose caller is one stack frame deeper or shallower from one run to the next: every depth
    around the limit is tried)."""
    import sys

    from cryptography.hazmat.primitives.asymmetric.x25519 import (
        X25519PrivateKey,
        X25519PublicKey,
    )

    private = X25519PrivateKey.generate()
    public = private.public_key()
    ocid = "ocds-abc123-8"
    limit = sys.getrecursionlimit()
    refused = 0
    for depth in range(limit - 200, limit + 5):
        nested = "[" * depth + "]" * depth
        bid = '{"price": {"amount": 1, "currency": "THB"}, "x": ' + nested + "}"
        plaintext = ('{"bid": ' + bid + ', "salt": "00"}').encode()
        ciphertext = sealing.SUITE.encrypt(
            plaintext, X25519PublicKey.from_public_bytes(public.public_bytes_raw()),
            sealing.hpke_info(ocid),
        )  # fmt: skip
        with pytest.raises(sealing.SealingError):
            sealing.unseal(private, ciphertext, ocid=ocid, expected="ab" * 32)
        refused += 1
    assert refused == 205
