"""RFC 9162 (Certificate Transparency v2) Merkle tree maths over stored perfect subtrees.

Storage model: the hash of every perfect aligned subtree is kept as ``(level, index) -> hash``,
where node ``(level, index)`` covers leaves ``[index * 2**level, (index + 1) * 2**level)``.
Every operation first plans, from integers alone, which O(log n) nodes it needs, asks
``fetch`` for all of them in one call, then combines them. To serve several operations with a
single read, fetch the union of their plans and pass ``lambda _: nodes`` as ``fetch``.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Iterable, Mapping, Sequence

Coord = tuple[int, int]
Fetch = Callable[[Iterable[Coord]], Mapping[Coord, bytes]]

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()


class MissingNodeError(LookupError):
    """A node the plan needed was absent from what ``fetch`` returned."""


def leaf_hash(data: bytes) -> bytes:
    """Return the RFC 9162 leaf hash SHA-256(0x00 || data)."""
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """Return the RFC 9162 interior node hash SHA-256(0x01 || left || right)."""
    return hashlib.sha256(b"\x01" + left + right).digest()


# --- planning: pure functions over integers -------------------------------------------------


def _split(size: int) -> int:
    """Return the largest power of two strictly smaller than ``size`` (size >= 2)."""
    return 1 << ((size - 1).bit_length() - 1)


def _subtree_nodes(start: int, size: int) -> list[Coord]:
    """Return the perfect nodes, left to right, that make up the RFC subtree [start, start+size)."""
    # RFC subtrees start on a multiple of a power of two >= their size, so the binary digits of
    # the size, highest first, always land on aligned perfect nodes.
    nodes = []
    for level in range(size.bit_length() - 1, -1, -1):
        if size >> level & 1:
            nodes.append((level, start >> level))
            start += 1 << level
    return nodes


def _inclusion_ranges(index: int, size: int) -> list[tuple[int, int]]:
    """Return the (start, size) subtrees of PATH(index, D[size]), bottom-up as in the RFC."""
    ranges, start = [], 0
    while size > 1:
        k = _split(size)
        if index < k:
            ranges.append((start + k, size - k))
            size = k
        else:
            ranges.append((start, k))
            start, index, size = start + k, index - k, size - k
    ranges.reverse()
    return ranges


def _consistency_ranges(first: int, second: int) -> list[tuple[int, int]]:
    """Return the (start, size) subtrees of PROOF(first, D[second]) in RFC order."""
    if first in (0, second):
        return []
    ranges, start, whole = [], 0, True
    while first != second:
        k = _split(second)
        if first <= k:
            ranges.append((start + k, second - k))
            second = k
        else:
            ranges.append((start, k))
            start, first, second, whole = start + k, first - k, second - k, False
    if not whole:
        ranges.append((start, first))
    ranges.reverse()
    return ranges


def _nodes_for(ranges: Iterable[tuple[int, int]]) -> list[Coord]:
    """Return the distinct perfect nodes needed to hash every range, in first-use order."""
    return list(dict.fromkeys(c for start, size in ranges for c in _subtree_nodes(start, size)))


def _require(ok: bool, message: str) -> None:
    """Raise ValueError(message) unless ``ok``."""
    if not ok:
        raise ValueError(message)


def root_plan(size: int) -> list[Coord]:
    """Return the nodes ``root`` needs for a tree of ``size`` leaves."""
    _require(_is_count(size), f"tree size must be a non-negative integer, got {size!r}")
    return _subtree_nodes(0, size)


def inclusion_plan(index: int, size: int) -> list[Coord]:
    """Return the nodes ``inclusion_proof`` needs for leaf ``index`` in a tree of ``size``."""
    ok = _is_count(index) and _is_count(size) and index < size
    _require(ok, f"leaf index {index!r} is outside a tree of size {size!r}")
    return _nodes_for(_inclusion_ranges(index, size))


def consistency_plan(first: int, second: int) -> list[Coord]:
    """Return the nodes ``consistency_proof`` needs between sizes ``first`` and ``second``."""
    ok = _is_count(first) and _is_count(second) and first <= second
    _require(ok, f"need 0 <= first <= second, got first={first!r} second={second!r}")
    return _nodes_for(_consistency_ranges(first, second))


def append_plan(size: int) -> list[Coord]:
    """Return the existing nodes needed to append leaf number ``size`` (tree grows to size+1)."""
    _require(_is_count(size), f"tree size must be a non-negative integer, got {size!r}")
    plan, level, index = [], 0, size
    while index & 1:
        plan.append((level, index - 1))
        level, index = level + 1, index >> 1
    return plan


# --- combining fetched nodes ------------------------------------------------------------------


def _fetch_all(coords: list[Coord], fetch: Fetch) -> Mapping[Coord, bytes]:
    """Fetch ``coords`` in one call, or none if empty; raise MissingNodeError on gaps."""
    nodes = fetch(coords) if coords else {}
    _require_nodes(coords, nodes)
    return nodes


def _require_nodes(coords: Iterable[Coord], nodes: Mapping[Coord, bytes]) -> None:
    """Raise MissingNodeError unless every coordinate maps to a 32-byte hash."""
    # A short or absent hash would silently yield a wrong root, so fail loudly instead.
    bad = [c for c in coords if not _is_hash(nodes.get(c))]
    if bad:
        raise MissingNodeError(f"no valid 32-byte hash stored for nodes {bad}")


def _range_hash(start: int, size: int, nodes: Mapping[Coord, bytes]) -> bytes:
    """Return MTH of the RFC subtree [start, start+size) from its perfect nodes."""
    parts = [nodes[c] for c in _subtree_nodes(start, size)]
    acc = parts.pop()
    while parts:
        acc = node_hash(parts.pop(), acc)
    return acc


def root(size: int, fetch: Fetch) -> bytes:
    """Return the Merkle tree hash of the first ``size`` leaves."""
    if size == 0:
        return EMPTY_ROOT
    return _range_hash(0, size, _fetch_all(root_plan(size), fetch))


def inclusion_proof(index: int, size: int, fetch: Fetch) -> list[bytes]:
    """Return the RFC 9162 §2.1.3.1 inclusion PATH of leaf ``index`` in a tree of ``size``."""
    nodes = _fetch_all(inclusion_plan(index, size), fetch)
    return [_range_hash(start, n, nodes) for start, n in _inclusion_ranges(index, size)]


def consistency_proof(first: int, second: int, fetch: Fetch) -> list[bytes]:
    """Return the RFC 9162 §2.1.4.1 consistency PROOF from size ``first`` to ``second``."""
    nodes = _fetch_all(consistency_plan(first, second), fetch)
    return [_range_hash(start, n, nodes) for start, n in _consistency_ranges(first, second)]


def nodes_created(
    size: int, leaf: bytes, fetched: Mapping[Coord, bytes]
) -> list[tuple[int, int, bytes]]:
    """Return every (level, index, hash) to store when leaf data ``leaf`` becomes leaf ``size``."""
    needed = append_plan(size)
    _require_nodes(needed, fetched)
    acc = leaf_hash(leaf)
    created = [(0, size, acc)]
    for level, left in needed:
        acc = node_hash(fetched[(level, left)], acc)
        created.append((level + 1, left >> 1, acc))
    return created


def nodes_created_many(
    size: int, leaves: Iterable[bytes], fetched: Mapping[Coord, bytes]
) -> list[tuple[int, int, bytes]]:
    """Return every node to store when ``leaves`` are appended from leaf ``size`` on."""
    # Level by level rather than leaf by leaf: the new nodes of a level are a run of indices,
    # [size >> level, end >> level), each hashed from two children of the run below; only the
    # left child of the run's first node can predate the batch, and it is one of the nodes of
    # root_plan(size) (bit ``level`` of ``size`` set). The hashes are the RFC's either way.
    below = [leaf_hash(data) for data in leaves]
    end = size + len(below)
    created = [(0, size + offset, digest) for offset, digest in enumerate(below)]
    level, first = 0, size
    while (end >> (level + 1)) > (first >> 1):
        parent_first = first >> 1
        if first & 1:  # the run starts on a right child: its left sibling is stored already
            older = (level, first - 1)
            _require_nodes([older], fetched)
            below.insert(0, fetched[older])
            first -= 1
        count = (end >> (level + 1)) - parent_first
        sha256 = hashlib.sha256
        parents = [sha256(b"\x01" + below[2 * k] + below[2 * k + 1]).digest() for k in range(count)]
        level += 1
        created.extend((level, parent_first + k, digest) for k, digest in enumerate(parents))
        below, first = parents, parent_first
    return created


class MemoryTree:
    """An in-memory node store, for tests and for rebuilding a log from downloaded entries."""

    def __init__(self, leaves: Iterable[bytes] = ()) -> None:
        self.nodes: dict[Coord, bytes] = {}
        self._size = 0
        for data in leaves:
            self.append(data)

    @property
    def size(self) -> int:
        """Return the number of leaves appended so far."""
        return self._size

    def append(self, data: bytes) -> int:
        """Append leaf data and return its index."""
        fetched = {c: self.nodes[c] for c in append_plan(self._size)}
        for level, index, digest in nodes_created(self._size, data, fetched):
            self.nodes[(level, index)] = digest
        self._size += 1
        return self._size - 1

    def fetch(self, coords: Iterable[Coord]) -> dict[Coord, bytes]:
        """Return the stored hashes of the requested nodes that exist."""
        return {c: self.nodes[c] for c in coords if c in self.nodes}

    def root(self) -> bytes:
        """Return the root hash of the whole tree."""
        return root(self._size, self.fetch)


# --- verification (RFC 9162 §2.1.3.2 and §2.1.4.2); never raises -----------------------------


def _is_count(value: object) -> bool:
    """Return True for a non-negative int that is not a bool."""
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _is_hash(value: object) -> bool:
    """Return True for a bytes-like value of exactly HASH_SIZE bytes."""
    return isinstance(value, bytes | bytearray) and len(value) == HASH_SIZE


def _is_path(proof: object) -> bool:
    """Return True for a list or tuple whose items are all well-formed hashes."""
    return isinstance(proof, list | tuple) and all(_is_hash(p) for p in proof)


def _same(a: object, b: object) -> bool:
    """Return True iff both are bytes-like and equal, compared in constant time."""
    if not (isinstance(a, bytes | bytearray) and isinstance(b, bytes | bytearray)):
        return False
    return hmac.compare_digest(bytes(a), bytes(b))


def _shift_to_set_lsb(fn: int, sn: int) -> tuple[int, int]:
    """Right-shift fn and sn equally until fn's LSB is set or fn is 0."""
    while fn and not fn & 1:
        fn, sn = fn >> 1, sn >> 1
    return fn, sn


def verify_inclusion(
    leaf_hash: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes
) -> bool:
    """Return True iff ``proof`` puts ``leaf_hash`` at ``index`` in tree ``root`` of ``size``."""
    if not (_is_count(index) and _is_count(size) and index < size):
        return False
    if not (_is_hash(leaf_hash) and _is_hash(root) and _is_path(proof)):
        return False
    if len(proof) != len(_inclusion_ranges(index, size)):
        return False
    fn, sn, r = index, size - 1, bytes(leaf_hash)
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            fn, sn = _shift_to_set_lsb(fn, sn)
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and _same(r, root)


def verify_consistency(
    first: int, second: int, first_root: bytes, second_root: bytes, proof: Sequence[bytes]
) -> bool:
    """Return True iff ``proof`` shows tree ``second_root`` extends tree ``first_root``."""
    if not (_is_count(first) and _is_count(second) and first <= second and _is_path(proof)):
        return False
    if first == 0:
        # Every tree extends the empty one, provided the old root really is the empty root.
        if second == 0 and not _same(second_root, EMPTY_ROOT):
            return False
        return not proof and _same(first_root, EMPTY_ROOT) and _is_hash(second_root)
    if first == second:
        # Nothing is hashed here, so consistency is plain equality (as in transparency-dev).
        return not proof and _same(first_root, second_root)
    if not (_is_hash(first_root) and _is_hash(second_root)):
        return False
    if len(proof) != len(_consistency_ranges(first, second)):
        return False
    return _check_consistency_path(first, second, bytes(first_root), bytes(second_root), proof)


def _check_consistency_path(
    first: int, second: int, first_root: bytes, second_root: bytes, proof: Sequence[bytes]
) -> bool:
    """Run the RFC 9162 §2.1.4.2 steps 2-7 for 0 < first < second."""
    path = [bytes(p) for p in proof]
    if first & (first - 1) == 0:
        path.insert(0, first_root)
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            fn, sn = _shift_to_set_lsb(fn, sn)
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and _same(fr, first_root) and _same(sr, second_root)
