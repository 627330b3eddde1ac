"""Tests for core.ledger.merkle against RFC 9162 reference definitions and known answers."""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable, Iterable, Mapping

import pytest

from core.ledger import merkle
from tests.core.ledger import rfc9162

# RFC 6962 test leaves and the roots of their prefixes (as used by transparency-dev/merkle).
RFC6962_LEAVES = [
    bytes.fromhex(h)
    for h in (
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    )
]
RFC6962_ROOTS = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
KNOWN_INCLUSION = {
    (0, 8): ["96a296d224f285c6", "5f083f0a1a33ca07", "6b47aaf29ee3c2af"],
    (5, 8): ["bc1a0643b12e4d2d", "ca854ea128ed050b", "d37ee418976dd957"],
    (2, 3): ["fac54203e7cc696c"],
    (1, 5): ["6e340b9cffb37a98", "5f083f0a1a33ca07", "bc1a0643b12e4d2d"],
}
KNOWN_CONSISTENCY = {
    (1, 8): ["96a296d224f285c6", "5f083f0a1a33ca07", "6b47aaf29ee3c2af"],
    (6, 8): ["0ebc5d3437fbe2db", "ca854ea128ed050b", "d37ee418976dd957"],
    (2, 5): ["5f083f0a1a33ca07", "bc1a0643b12e4d2d"],
    (6, 7): ["0ebc5d3437fbe2db", "b08693ec2e721597", "d37ee418976dd957"],
}


# --- reference definitions, straight from RFC 9162 §2.1.1, §2.1.3.1 and §2.1.4.1 ---------------


def sha256(data: bytes) -> bytes:
    """Return SHA-256 of ``data``."""
    return hashlib.sha256(data).digest()


def split(n: int) -> int:
    """Return the largest power of two strictly smaller than ``n``."""
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def mth(leaves: list[bytes]) -> bytes:
    """Return MTH(D[n]) by the recursive definition."""
    if not leaves:
        return sha256(b"")
    if len(leaves) == 1:
        return sha256(b"\x00" + leaves[0])
    k = split(len(leaves))
    return sha256(b"\x01" + mth(leaves[:k]) + mth(leaves[k:]))


def ref_path(m: int, leaves: list[bytes]) -> list[bytes]:
    """Return PATH(m, D[n]) by the recursive definition."""
    if len(leaves) <= 1:
        return []
    k = split(len(leaves))
    if m < k:
        return [*ref_path(m, leaves[:k]), mth(leaves[k:])]
    return [*ref_path(m - k, leaves[k:]), mth(leaves[:k])]


def ref_subproof(m: int, leaves: list[bytes], whole: bool) -> list[bytes]:
    """Return SUBPROOF(m, D[n], b) by the recursive definition."""
    n = len(leaves)
    if m == n:
        return [] if whole else [mth(leaves)]
    k = split(n)
    if m <= k:
        return [*ref_subproof(m, leaves[:k], whole), mth(leaves[k:])]
    return [*ref_subproof(m - k, leaves[k:], False), mth(leaves[:k])]


def ref_proof(m: int, leaves: list[bytes]) -> list[bytes]:
    """Return PROOF(m, D[n]), empty when m is 0 or n."""
    return [] if m in (0, len(leaves)) else ref_subproof(m, leaves, True)


# --- helpers ----------------------------------------------------------------------------------


def entry(i: int) -> bytes:
    """Return the data of test leaf ``i``."""
    return f"entry {i}".encode()


LEAVES = [entry(i) for i in range(1025)]
TREE = merkle.MemoryTree(LEAVES)
PREFIX_ROOTS = {n: mth(LEAVES[:n]) for n in [*range(71), 512, 999, 1000, 1025]}


def is_valid_node(coord: tuple[int, int], size: int) -> bool:
    """Return True iff ``coord`` is a perfect aligned subtree inside a tree of ``size``."""
    level, index = coord
    return level >= 0 and index >= 0 and (index + 1) << level <= size


class CountingFetch:
    """A fetch wrapper that records calls and refuses nodes outside the tree."""

    def __init__(self, source: Callable[[tuple[int, int]], bytes], size: int) -> None:
        self.source, self.size = source, size
        self.calls: list[list[tuple[int, int]]] = []

    def __call__(self, coords: Iterable[tuple[int, int]]) -> Mapping[tuple[int, int], bytes]:
        asked = list(coords)
        self.calls.append(asked)
        bad = [c for c in asked if not is_valid_node(c, self.size)]
        assert not bad, f"asked for nodes outside a tree of size {self.size}: {bad}"
        return {c: self.source(c) for c in asked}

    @property
    def asked(self) -> int:
        """Return the total number of coordinates requested."""
        return sum(len(call) for call in self.calls)


def tree_fetch(size: int) -> CountingFetch:
    """Return a counting fetch over TREE limited to the first ``size`` leaves."""
    return CountingFetch(lambda c: TREE.nodes[c], size)


def both_verify_inclusion(leaf: bytes, index: int, size: int, proof: list, root: bytes) -> bool:
    """Return the product's verdict after checking the independent verifier agrees."""
    ours = merkle.verify_inclusion(leaf, index, size, proof, root)
    assert ours == rfc9162.verify_inclusion(leaf, index, size, proof, root)
    return ours


def both_verify_consistency(first: int, second: int, r1: bytes, r2: bytes, proof: list) -> bool:
    """Return the product's verdict after checking the independent verifier agrees."""
    ours = merkle.verify_consistency(first, second, r1, r2, proof)
    assert ours == rfc9162.verify_consistency(first, second, r1, r2, proof)
    return ours


def flip(proof: list[bytes], item: int, byte: int) -> list[bytes]:
    """Return a copy of ``proof`` with one bit flipped in ``proof[item][byte]``."""
    changed = bytearray(proof[item])
    changed[byte] ^= 0x01
    return [*proof[:item], bytes(changed), *proof[item + 1 :]]


def every_byte(proof: list[bytes]) -> list[tuple[int, int]]:
    """Return every (item, byte) position of ``proof``."""
    return [(item, byte) for item in range(len(proof)) for byte in range(len(proof[item]))]


# --- hashing and roots --------------------------------------------------------------------


def test_hash_primitives() -> None:
    assert sha256(b"") == merkle.EMPTY_ROOT
    assert merkle.leaf_hash(b"abc") == sha256(b"\x00abc")
    assert merkle.node_hash(b"L" * 32, b"R" * 32) == sha256(b"\x01" + b"L" * 32 + b"R" * 32)


def test_rfc6962_known_roots() -> None:
    tree = merkle.MemoryTree(RFC6962_LEAVES[:1])
    for n in range(1, 9):
        assert tree.root().hex() == RFC6962_ROOTS[n - 1]
        assert mth(RFC6962_LEAVES[:n]).hex() == RFC6962_ROOTS[n - 1]
        if n < 8:
            tree.append(RFC6962_LEAVES[n])
    assert tree.root().hex() == "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"


def test_rfc6962_known_proofs() -> None:
    tree = merkle.MemoryTree(RFC6962_LEAVES)
    for (index, size), want in KNOWN_INCLUSION.items():
        got = merkle.inclusion_proof(index, size, tree.fetch)
        assert [h.hex()[:16] for h in got] == want
    for (first, second), want in KNOWN_CONSISTENCY.items():
        got = merkle.consistency_proof(first, second, tree.fetch)
        assert [h.hex()[:16] for h in got] == want


@pytest.mark.parametrize("size", [*range(71), 1000, 1025])
def test_root_from_nodes_matches_reference(size: int) -> None:
    fetch = tree_fetch(size)
    assert merkle.root(size, fetch) == PREFIX_ROOTS[size]
    assert len(fetch.calls) <= 1
    assert merkle.MemoryTree(LEAVES[:size]).root() == PREFIX_ROOTS[size]


def test_memory_tree_stores_every_perfect_subtree() -> None:
    tree = merkle.MemoryTree(LEAVES[:70])
    expected = {
        (level, index): mth(LEAVES[index << level : (index + 1) << level])
        for level in range(7)
        for index in range(70 >> level)
    }
    assert tree.nodes == expected
    assert tree.size == 70


def test_nodes_created_many_matches_single_appends() -> None:
    base = merkle.MemoryTree(LEAVES[:37])
    fetched = base.fetch(merkle.root_plan(37))
    created = merkle.nodes_created_many(37, LEAVES[37:70], fetched)
    assert {(lv, ix): h for lv, ix, h in created} | base.nodes == merkle.MemoryTree(
        LEAVES[:70]
    ).nodes


@pytest.mark.parametrize("size", [0, 1, 2, 3, 5, 8, 13, 31, 32, 33, 63])
def test_a_batch_of_any_length_from_any_size_stores_the_single_appends_nodes(size: int) -> None:
    base = merkle.MemoryTree(LEAVES[:size])
    for count in (1, 2, 3, 7, 16, 70 - size):
        created = merkle.nodes_created_many(
            size, LEAVES[size : size + count], base.fetch(merkle.root_plan(size))
        )
        coords = [(lv, ix) for lv, ix, _ in created]
        assert len(coords) == len(set(coords)), "a node stored twice"
        assert {(lv, ix): h for lv, ix, h in created} | base.nodes == merkle.MemoryTree(
            LEAVES[: size + count]
        ).nodes


def test_a_batch_needing_a_missing_older_node_raises() -> None:
    fetched = TREE.fetch(merkle.root_plan(7))
    del fetched[(1, 2)]
    with pytest.raises(merkle.MissingNodeError):
        merkle.nodes_created_many(7, LEAVES[7:9], fetched)


def test_append_plan_and_nodes_created() -> None:
    assert merkle.append_plan(0) == []
    assert merkle.append_plan(7) == [(0, 6), (1, 2), (2, 0)]
    fetched = {c: TREE.nodes[c] for c in merkle.append_plan(7)}
    created = merkle.nodes_created(7, LEAVES[7], fetched)
    assert [(lv, ix) for lv, ix, _ in created] == [(0, 7), (1, 3), (2, 1), (3, 0)]
    assert all(TREE.nodes[(lv, ix)] == h for lv, ix, h in created)
    with pytest.raises(merkle.MissingNodeError):
        merkle.nodes_created(7, LEAVES[7], {})


# --- inclusion ------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [*range(1, 71), 1000, 1025])
def test_inclusion_proofs(size: int) -> None:
    root = PREFIX_ROOTS[size]
    indices = range(size) if size <= 70 else [0, 1, 511, 512, 999, size - 1, size // 3]
    for index in indices:
        fetch = tree_fetch(size)
        proof = merkle.inclusion_proof(index, size, fetch)
        assert len(fetch.calls) <= 1
        assert proof == ref_path(index, LEAVES[:size])
        leaf = merkle.leaf_hash(LEAVES[index])
        assert both_verify_inclusion(leaf, index, size, proof, root)
        assert not both_verify_inclusion(leaf, index, size, [*proof, root], root)
        if proof:
            assert not both_verify_inclusion(leaf, index, size, proof[:-1], root)
        if size > 1:
            assert not both_verify_inclusion(leaf, (index + 1) % size, size, proof, root)
        for item, byte in every_byte(proof) if size <= 40 else ():
            assert not both_verify_inclusion(leaf, index, size, flip(proof, item, byte), root)


@pytest.mark.parametrize("size", [1, 2, 3, 7, 8, 13, 32, 45, 70])
def test_inclusion_tampering_any_byte_is_rejected(size: int) -> None:
    root = PREFIX_ROOTS[size]
    for index in {0, size // 2, size - 1}:
        proof = merkle.inclusion_proof(index, size, TREE.fetch)
        leaf = merkle.leaf_hash(LEAVES[index])
        for item in range(len(proof)):
            for byte in range(32):
                assert not both_verify_inclusion(leaf, index, size, flip(proof, item, byte), root)
        for byte in range(32):
            assert not both_verify_inclusion(flip([leaf], 0, byte)[0], index, size, proof, root)
            assert not both_verify_inclusion(leaf, index, size, proof, flip([root], 0, byte)[0])


# --- consistency ----------------------------------------------------------------------------


@pytest.mark.parametrize("second", range(41))
def test_consistency_proofs_all_pairs(second: int) -> None:
    for first in range(second + 1):
        fetch = tree_fetch(second)
        proof = merkle.consistency_proof(first, second, fetch)
        assert len(fetch.calls) <= 1
        assert proof == ref_proof(first, LEAVES[:second])
        r1, r2 = PREFIX_ROOTS[first], PREFIX_ROOTS[second]
        assert both_verify_consistency(first, second, r1, r2, proof)
        for item, byte in every_byte(proof):
            tampered = flip(proof, item, byte)
            assert not both_verify_consistency(first, second, r1, r2, tampered)
        if first < second:
            assert not both_verify_consistency(first, second, r2, r1, proof)
            assert not both_verify_consistency(first, second, r1, r2, [*proof, r1])
        if 0 < first < second:
            assert not both_verify_consistency(first, second, r1, r2, proof[:-1])


@pytest.mark.parametrize(("first", "second"), [(1, 8), (3, 7), (6, 8), (13, 70), (32, 70)])
def test_consistency_tampering_any_byte_is_rejected(first: int, second: int) -> None:
    r1, r2 = PREFIX_ROOTS[first], PREFIX_ROOTS[second]
    proof = merkle.consistency_proof(first, second, TREE.fetch)
    for item in range(len(proof)):
        for byte in range(32):
            assert not both_verify_consistency(first, second, r1, r2, flip(proof, item, byte))
    for byte in range(32):
        assert not both_verify_consistency(first, second, flip([r1], 0, byte)[0], r2, proof)
        assert not both_verify_consistency(first, second, r1, flip([r2], 0, byte)[0], proof)


@pytest.mark.parametrize(("first", "second"), [(1, 1025), (512, 1000), (999, 1025), (1000, 1025)])
def test_consistency_proofs_bigger_trees(first: int, second: int) -> None:
    proof = merkle.consistency_proof(first, second, tree_fetch(second))
    assert proof == ref_proof(first, LEAVES[:second])
    assert both_verify_consistency(first, second, PREFIX_ROOTS[first], PREFIX_ROOTS[second], proof)


# --- bounded reads on a large synthetic tree -----------------------------------------------------


def uniform_store(levels: int) -> Callable[[tuple[int, int]], bytes]:
    """Return node hashes of a tree whose leaves are all equal, so any size is cheap."""
    hashes = [merkle.leaf_hash(b"same")]
    for _ in range(levels):
        hashes.append(merkle.node_hash(hashes[-1], hashes[-1]))
    return lambda coord: hashes[coord[0]]


def ceil_log2(n: int) -> int:
    """Return ceil(log2(n)) for n >= 1."""
    return (n - 1).bit_length()


def check_bounded(size: int, op: Callable[[CountingFetch], object]) -> object:
    """Run ``op`` with a counting fetch and assert the read bounds."""
    fetch = CountingFetch(uniform_store(size.bit_length()), size)
    result = op(fetch)
    assert len(fetch.calls) <= 2
    assert fetch.asked <= 2 * ceil_log2(size) + 2
    return result


@pytest.mark.parametrize("size", [2**20 + 12345, 2**20, 2**20 - 1, 2**40 + 2**33 - 7])
def test_reads_are_bounded_and_logarithmic(size: int) -> None:
    store = uniform_store(size.bit_length())
    root = check_bounded(size, lambda f: merkle.root(size, f))
    leaf = store((0, 0))
    for index in {0, 1, 12345, 2**20 - 2, size // 2, size - 2, size - 1}:
        proof = check_bounded(size, lambda f, i=index: merkle.inclusion_proof(i, size, f))
        assert both_verify_inclusion(leaf, index, size, proof, root)
    for first in [1, 2, 3, 12345, 2**19 + 1, 2**20 - 2, size // 2 + 1, size - 1, size]:
        proof = check_bounded(size, lambda f, m=first: merkle.consistency_proof(m, size, f))
        old_root = merkle.root(first, lambda coords: {c: store(c) for c in coords})
        assert both_verify_consistency(first, size, old_root, root, proof)


def test_reads_are_bounded_for_random_sizes() -> None:
    rng = random.Random(9162)
    for _ in range(300):
        size = rng.randrange(1, 2**48)
        index, first = rng.randrange(size), rng.randrange(1, size + 1)
        check_bounded(size, lambda f, n=size: merkle.root(n, f))
        check_bounded(size, lambda f, n=size, i=index: merkle.inclusion_proof(i, n, f))
        check_bounded(size, lambda f, n=size, m=first: merkle.consistency_proof(m, n, f))


def test_plans_stay_within_bound_for_every_small_tree() -> None:
    for size in range(1, 129):
        bound = 2 * ceil_log2(size) + 2
        assert len(merkle.root_plan(size)) <= bound
        assert all(len(merkle.inclusion_plan(i, size)) <= bound for i in range(size))
        assert all(len(merkle.consistency_plan(m, size)) <= bound for m in range(size + 1))


def test_empty_tree_needs_no_read() -> None:
    fetch = tree_fetch(0)
    assert merkle.root(0, fetch) == merkle.EMPTY_ROOT
    assert merkle.consistency_proof(0, 0, fetch) == []
    assert merkle.consistency_proof(0, 5, fetch) == []
    assert fetch.calls == []


# --- errors and malformed input --------------------------------------------------------------


def test_missing_or_corrupt_nodes_raise() -> None:
    with pytest.raises(merkle.MissingNodeError):
        merkle.root(5, lambda _coords: {})
    with pytest.raises(merkle.MissingNodeError):
        merkle.inclusion_proof(0, 5, lambda coords: dict.fromkeys(coords, b"short"))


@pytest.mark.parametrize(
    "call",
    [
        lambda: merkle.root(-1, TREE.fetch),
        lambda: merkle.inclusion_proof(5, 5, TREE.fetch),
        lambda: merkle.inclusion_proof(-1, 5, TREE.fetch),
        lambda: merkle.consistency_proof(6, 5, TREE.fetch),
        lambda: merkle.consistency_proof(-1, 5, TREE.fetch),
        lambda: merkle.append_plan(-3),
    ],
)
def test_invalid_arguments_raise_value_error(call: Callable[[], object]) -> None:
    with pytest.raises(ValueError):
        call()


GOOD_LEAF = merkle.leaf_hash(LEAVES[0])
GOOD_PROOF = merkle.inclusion_proof(0, 5, TREE.fetch)
R5, R8 = PREFIX_ROOTS[5], PREFIX_ROOTS[8]
C58 = merkle.consistency_proof(5, 8, TREE.fetch)
GOOD_PROOF_ARGS = (GOOD_LEAF, 0, 5, GOOD_PROOF, R5)


@pytest.mark.parametrize(
    "args",
    [
        (GOOD_LEAF, 0, 5, GOOD_PROOF, R5[:31]),
        (GOOD_LEAF[:31], 0, 5, GOOD_PROOF, R5),
        (GOOD_LEAF, 5, 5, GOOD_PROOF, R5),
        (GOOD_LEAF, -1, 5, GOOD_PROOF, R5),
        (GOOD_LEAF, 0, 0, [], merkle.EMPTY_ROOT),
        (GOOD_LEAF, True, 5, GOOD_PROOF, R5),
        (GOOD_LEAF, 0, 5, None, R5),
        (GOOD_LEAF, 0, 5, [*GOOD_PROOF[:-1], "x" * 32], R5),
        (GOOD_LEAF, 0, 5, [*GOOD_PROOF[:-1], None], R5),
        (None, 0, 5, GOOD_PROOF, R5),
        (GOOD_LEAF, "0", 5, GOOD_PROOF, R5),
        (GOOD_LEAF, 0, 5.0, GOOD_PROOF, R5),
    ],
)
def test_verify_inclusion_rejects_malformed_input(args: tuple) -> None:
    assert merkle.verify_inclusion(*GOOD_PROOF_ARGS) is True
    assert merkle.verify_inclusion(*args) is False


@pytest.mark.parametrize(
    "args",
    [
        (8, 5, R8, R5, C58),
        (5, 8, R5[:31], R8, C58),
        (5, 8, R5, R8 + b"\x00", C58),
        (5, 8, R5, R8, None),
        (5, 8, R5, R8, [*C58[:-1], b""]),
        (5, 8, R5, R8, [*C58, C58[0]]),
        (5, 8, None, R8, C58),
        (-1, 8, R5, R8, C58),
        (5, "8", R5, R8, C58),
        (0, 8, b"", R8, []),
        (0, 8, merkle.EMPTY_ROOT, R8[:5], []),
        (0, 0, merkle.EMPTY_ROOT, R8, []),
        (5, 5, R5, R8, []),
        (5, 5, R5, R5, [R5]),
        (5, 5, "x", "x", []),
    ],
)
def test_verify_consistency_rejects_malformed_input(args: tuple) -> None:
    assert merkle.verify_consistency(5, 8, R5, R8, C58) is True
    assert merkle.verify_consistency(*args) is False


def test_memory_tree_fetch_returns_only_present_nodes() -> None:
    tree = merkle.MemoryTree(LEAVES[:3])
    assert set(tree.fetch([(0, 2), (1, 1), (5, 0)])) == {(0, 2)}
    assert tree.append(b"x") == 3
    assert (1, 1) in tree.fetch([(1, 1)])
