"""Check a whole log, from a server's public API or straight from its database.

Every entry's hash is recomputed, the tree is rebuilt in O(log n) memory, every checkpoint's
signature is checked, its root compared with the rebuilt one, and each checkpoint is proved
consistent with the next. The first bad index is named.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Protocol

import httpx
from sqlmodel import Session

from core.ledger import merkle, note, service


@dataclass(frozen=True)
class SignedCheckpoint:
    tree_size: int
    root_hash: bytes
    note: str


class LogSource(Protocol):
    def verifier_key(self) -> str: ...
    def tree_size(self) -> int: ...
    def entries(self, size: int) -> Iterator[tuple[int, str, bytes]]: ...
    def checkpoints(self) -> list[SignedCheckpoint]: ...
    def consistency(self, first: int, second: int) -> list[bytes]: ...


@dataclass(frozen=True)
class Report:
    ok: bool
    tree_size: int
    checkpoints: int
    problem: str | None = None
    bad_index: int | None = None


class Frontier:
    """The right edge of a Merkle tree: enough to compute its root after each append."""

    def __init__(self) -> None:
        self.size = 0
        self._stack: list[tuple[int, bytes]] = []  # (level, hash), levels strictly decreasing

    def append(self, leaf: bytes) -> None:
        """Add a leaf hash, merging equal-sized subtrees."""
        level, digest = 0, leaf
        while self._stack and self._stack[-1][0] == level:
            _, left = self._stack.pop()
            level, digest = level + 1, merkle.node_hash(left, digest)
        self._stack.append((level, digest))
        self.size += 1

    def root(self) -> bytes:
        """The RFC 9162 root of the leaves appended so far."""
        if not self._stack:
            return merkle.EMPTY_ROOT
        acc = self._stack[-1][1]
        for _, digest in reversed(self._stack[:-1]):
            acc = merkle.node_hash(digest, acc)
        return acc


def verify(source: LogSource) -> Report:
    """Check every entry and checkpoint the source holds."""
    key = source.verifier_key()
    signed = sorted(source.checkpoints(), key=lambda c: c.tree_size)
    for checkpoint in signed:
        try:
            body = note.parse_checkpoint_body(note.verify_note(checkpoint.note, key))
        except ValueError as error:
            return _bad(checkpoint, f"checkpoint at size {checkpoint.tree_size}: {error}", signed)
        if (body.size, body.root) != (checkpoint.tree_size, checkpoint.root_hash):
            return _bad(checkpoint, "a checkpoint's fields differ from its signed note", signed)
    size = source.tree_size()
    if signed and signed[-1].tree_size > size:
        return Report(False, size, len(signed), "the log is shorter than a signed checkpoint", size)
    for older, newer in itertools.pairwise(signed):
        proof = source.consistency(older.tree_size, newer.tree_size)
        if not merkle.verify_consistency(
            older.tree_size, newer.tree_size, older.root_hash, newer.root_hash, proof
        ):
            return Report(
                False,
                size,
                len(signed),
                f"checkpoint {older.tree_size} is not consistent with checkpoint "
                f"{newer.tree_size}: history was rewritten",
                older.tree_size,
            )
    return _check_entries(source, size, signed)


def _check_entries(source: LogSource, size: int, signed: list[SignedCheckpoint]) -> Report:
    frontier, pending, previous = Frontier(), list(signed), 0
    while pending and pending[0].tree_size == 0:
        pending.pop(0)
    for index, text, stored_leaf in source.entries(size):
        if index != frontier.size:
            return Report(
                False,
                size,
                len(signed),
                f"entry {frontier.size} is missing or out of order",
                frontier.size,
            )
        data = text.encode()
        if merkle.leaf_hash(data) != stored_leaf:
            return Report(
                False, size, len(signed), f"entry {index} does not match its leaf hash", index
            )
        try:
            canonical = service.canonical_json(json.loads(text)) == text
        except ValueError:
            canonical = False
        if not canonical:
            return Report(False, size, len(signed), f"entry {index} is not canonical JSON", index)
        frontier.append(stored_leaf)
        if pending and frontier.size == pending[0].tree_size:
            checkpoint = pending.pop(0)
            if frontier.root() != checkpoint.root_hash:
                return Report(
                    False,
                    size,
                    len(signed),
                    f"entries {previous}..{checkpoint.tree_size - 1} do not hash to the root "
                    f"signed at size {checkpoint.tree_size}: one of them was changed",
                    previous,
                )
            previous = checkpoint.tree_size
    if frontier.size != size:
        return Report(False, size, len(signed), f"entry {frontier.size} is missing", frontier.size)
    return Report(True, size, len(signed))


def _bad(checkpoint: SignedCheckpoint, problem: str, signed: list[SignedCheckpoint]) -> Report:
    return Report(False, checkpoint.tree_size, len(signed), problem, None)


class DatabaseSource:
    """The log as this deployment's database holds it."""

    def __init__(self, session: Session, verifier_key: str) -> None:
        self.session = session
        self._key = verifier_key

    def verifier_key(self) -> str:
        return self._key

    def tree_size(self) -> int:
        return service.tree_size(self.session)

    def entries(self, size: int) -> Iterator[tuple[int, str, bytes]]:
        start = 0
        while start < size:
            # Read by index order, not by a range of indices, so a deleted row shows as a gap.
            page = service.entries_after(self.session, after=start - 1, limit=service.MAX_PAGE)
            if not page:
                return
            # The leaf hashes the tree signed, not the entry rows' own copies.
            leaves = service.tree_leaves(self.session, indices=[e.index for e in page])
            for entry in page:
                yield entry.index, entry.entry, leaves.get(entry.index, entry.leaf_hash)
            start = page[-1].index + 1

    def checkpoints(self) -> list[SignedCheckpoint]:
        found, after = [], -1
        while page := service.checkpoints(self.session, after_size=after):
            found += [SignedCheckpoint(c.tree_size, c.root_hash, c.note) for c in page]
            after = page[-1].tree_size
        return found

    def consistency(self, first: int, second: int) -> list[bytes]:
        return service.consistency_proof(self.session, first=first, second=second)


class HttpSource:
    """The log as a server publishes it under /api/ledger."""

    def __init__(self, base_url: str, client: httpx.Client | None = None) -> None:
        self._owned = client is None  # a client handed in is its owner's to close
        self.client = client or httpx.Client(base_url=base_url.rstrip("/"), timeout=30)

    def __enter__(self) -> HttpSource:
        return self

    def __exit__(self, *_exc: object) -> None:
        if self._owned:
            self.client.close()

    def _get(self, path: str, **params: int) -> dict[str, Any]:
        response = self.client.get(f"/api/ledger/{path}", params=params)
        response.raise_for_status()
        body: dict[str, Any] = response.json()
        return body

    def verifier_key(self) -> str:
        key: str = self._get("public-key")["verifier_key"]
        return key

    def tree_size(self) -> int:
        size: int = self._get("entries", start=0, end=0)["tree_size"]
        return size

    def entries(self, size: int) -> Iterator[tuple[int, str, bytes]]:
        start = 0
        while start < size:
            page = self._get("entries", start=start, end=size)["entries"]
            if not page:
                return
            for item in page:
                yield item["index"], item["entry"], bytes.fromhex(item["leaf_hash"])
            start = page[-1]["index"] + 1

    def checkpoints(self) -> list[SignedCheckpoint]:
        found, after = [], -1
        while page := self._get("checkpoints", after=after)["checkpoints"]:
            found += [
                SignedCheckpoint(c["tree_size"], bytes.fromhex(c["root_hash"]), c["note"])
                for c in page
            ]
            after = page[-1]["tree_size"]
        return found

    def consistency(self, first: int, second: int) -> list[bytes]:
        body = self._get("proof/consistency", first=first, second=second)
        return [bytes.fromhex(h) for h in body["consistency_path"]]
