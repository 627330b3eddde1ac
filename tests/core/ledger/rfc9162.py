"""Independent proof verifiers transcribed from RFC 9162 §2.1.3.2 and §2.1.4.2.

The tests' own check of the product: it deliberately imports nothing from ``core``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

# RFC 9162 hashes are outputs of the log's hash algorithm; SHA-256 gives 32 bytes.
HASH_LEN = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()


def hash_children(left: bytes, right: bytes) -> bytes:
    """Return HASH(0x01 || left || right) as RFC 9162 §2.1.1 defines it."""
    return hashlib.sha256(b"\x01" + left + right).digest()


def _lsb(value: int) -> bool:
    """Return True iff the least significant bit of ``value`` is set."""
    return value & 1 == 1


def _all_hashes(*values: bytes) -> bool:
    """Return True iff every value has the hash algorithm's output length."""
    return all(len(v) == HASH_LEN for v in values)


def verify_inclusion(
    leaf_hash: bytes, leaf_index: int, tree_size: int, inclusion_path: Sequence[bytes], root: bytes
) -> bool:
    """Verify an inclusion proof following RFC 9162 §2.1.3.2 step by step."""
    if not _all_hashes(leaf_hash, root, *inclusion_path):
        return False
    # 1. leaf_index >= tree_size fails.
    if leaf_index >= tree_size:
        return False
    # 2. Set fn to leaf_index and sn to tree_size - 1.
    fn, sn = leaf_index, tree_size - 1
    # 3. Set r to hash.
    r = leaf_hash
    # 4. For each value p in the inclusion_path array:
    for p in inclusion_path:
        # a. If sn is 0, then stop the iteration and fail the proof verification.
        if sn == 0:
            return False
        # b. If LSB(fn) is set, or if fn is equal to sn, then:
        if _lsb(fn) or fn == sn:
            r = hash_children(p, r)
            if not _lsb(fn):
                while not _lsb(fn) and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = hash_children(r, p)
        # c. Finally, right-shift both fn and sn one time.
        fn >>= 1
        sn >>= 1
    # 5. sn must be 0 and r must equal the root hash.
    return sn == 0 and r == root


def verify_consistency(
    first: int,
    second: int,
    first_hash: bytes,
    second_hash: bytes,
    consistency_path: Sequence[bytes],
) -> bool:
    """Verify a consistency proof following RFC 9162 §2.1.4.2 step by step."""
    if first > second:
        return False
    # §2.1.4.2 covers 0 < first < second; the edges follow the transparency-dev conventions.
    if first == 0:
        if consistency_path or first_hash != EMPTY_ROOT or not _all_hashes(second_hash):
            return False
        return second > 0 or second_hash == EMPTY_ROOT
    if first == second:
        return not consistency_path and first_hash == second_hash
    if not _all_hashes(first_hash, second_hash, *consistency_path):
        return False
    # 1. If consistency_path is an empty array, stop and fail the proof verification.
    if not consistency_path:
        return False
    path = list(consistency_path)
    # 2. If first is an exact power of 2, then prepend first_hash to the consistency_path array.
    if first & (first - 1) == 0:
        path = [first_hash, *path]
    # 3. Set fn to first - 1 and sn to second - 1.
    fn, sn = first - 1, second - 1
    # 4. If LSB(fn) is set, then right-shift both fn and sn equally until LSB(fn) is not set.
    while _lsb(fn):
        fn >>= 1
        sn >>= 1
    # 5. Set both fr and sr to the first value in the consistency_path array.
    fr = sr = path[0]
    # 6. For each subsequent value c in the consistency_path array:
    for c in path[1:]:
        # a. If sn is 0, then stop the iteration and fail the proof verification.
        if sn == 0:
            return False
        # b. If LSB(fn) is set, or if fn is equal to sn, then:
        if _lsb(fn) or fn == sn:
            fr = hash_children(c, fr)
            sr = hash_children(c, sr)
            if not _lsb(fn):
                while not _lsb(fn) and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = hash_children(sr, c)
        # c. Finally, right-shift both fn and sn one time.
        fn >>= 1
        sn >>= 1
    # 7. fr must equal first_hash, sr must equal second_hash, and sn must be 0.
    return fr == first_hash and sr == second_hash and sn == 0
