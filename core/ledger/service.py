"""Use cases of the transparency log: append, read, prove, checkpoint."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from core import bulk
from core.ledger import merkle, note
from core.ledger.exceptions import LedgerInconsistent, LedgerRangeError
from core.ledger.keys import LogSigner, SigningKeyError, load_signer
from core.ledger.models import LedgerCheckpoint, LedgerEntry
from core.ledger.nodes import fetcher
from core.settings import Settings

MAX_PAGE = 1000
ENTRY_TYPE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*){2}$")


_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def canonical_json(value: Any) -> str:
    """UTF-8-ready JSON with sorted keys and no insignificant whitespace."""
    _reject_floats(value)
    return _CANONICAL.encode(value)


def _reject_floats(value: Any) -> None:
    # Floats have no single canonical text; money and measures go in as integers or strings.
    # A loop over a stack, not recursion: it runs on every entry of every batch.
    pending = [value]
    while pending:
        item = pending.pop()
        kind = type(item)
        if kind is str or kind is int or item is None:
            continue
        if isinstance(item, float):
            raise ValueError("log payloads hold no floats: use integers or decimal strings")
        if isinstance(item, Mapping):
            pending.extend(item.values())
        elif isinstance(item, list | tuple):
            pending.extend(item)


def format_time(moment: datetime) -> str:
    """RFC 3339 UTC with microseconds, as entries carry it."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def entry_text(*, entry_type: str, payload: Mapping[str, Any], now: datetime) -> str:
    """The canonical JSON text of one log entry."""
    return _entry_text(entry_type, payload, format_time(now))


def _entry_text(entry_type: str, payload: Mapping[str, Any], time: str) -> str:
    if not ENTRY_TYPE.match(entry_type):
        raise ValueError(f"entry type {entry_type!r} is not shaped domain.subject.action")
    return canonical_json({"type": entry_type, "time": time, "payload": dict(payload)})


@dataclass(frozen=True, slots=True)
class Appended:
    """An entry as appended: the values of its stored row (not a row the session tracks)."""

    index: int
    entry_type: str
    subject: str | None
    created_at: datetime
    entry: str
    leaf_hash: bytes


def append(
    session: Session,
    *,
    entry_type: str,
    payload: Mapping[str, Any],
    now: datetime,
    subject: str | None = None,
) -> Appended:
    """Add one entry in the caller's transaction; it commits with the change it records."""
    return append_many(session, items=[(entry_type, payload, subject)], now=now)[0]


def append_many(
    session: Session,
    *,
    items: Sequence[tuple[str, Mapping[str, Any], str | None]],
    now: datetime,
) -> list[Appended]:
    """Add several entries, in order, with one lock and one read of the tree."""
    if not items:
        return []
    time = format_time(now)
    texts = [_entry_text(t, p, time) for t, p, _ in items]
    session.flush()  # the change this entry records goes first, as a query would flush it
    # The head row is the log's lock: one UPDATE takes it and reserves the indices, so
    # appenders queue on it and the tree never forks (one statement, not a locking read and
    # a write: the log's hot path).
    reserved = session.execute(_RESERVE, {"count": len(items)}).scalar_one()
    size = reserved - len(items)
    fetched = _frontier(session, size) or fetcher(session)(merkle.root_plan(size))
    leaves = [text.encode() for text in texts]
    created = merkle.nodes_created_many(size, leaves, fetched)
    _keep_frontier(session, size + len(leaves), {**fetched, **{(lv, i): d for lv, i, d in created}})
    # The leaf hashes are the level-0 nodes, created first and in order.
    entries = [
        Appended(size + offset, entry_type, subject, now, text, created[offset][2])
        for offset, ((entry_type, _, subject), text) in enumerate(zip(items, texts, strict=True))
    ]
    # Written as plain rows through the driver (COPY on PostgreSQL, one executemany on
    # SQLite), not as ORM objects or compiled multi-row INSERTs, whose per-row work cost more
    # than the hashing; the time, the same for the whole batch, is converted once.
    stamp = bulk.stored(session, LedgerEntry.__table__.c.created_at, now)  # type: ignore[attr-defined]
    bulk.insert_rows(session, "ledger_node", ("level", "index", "hash"), created)
    bulk.insert_rows(
        session,
        "ledger_entry",
        ("index", "entry_type", "subject", "created_at", "entry", "leaf_hash"),
        [(e.index, e.entry_type, e.subject, stamp, e.entry, e.leaf_hash) for e in entries],
    )
    return entries


_RESERVE = text(
    "UPDATE ledger_head SET tree_size = tree_size + :count WHERE id = 1 RETURNING tree_size"
)


# The right edge of the tree this session last appended to: the nodes the next append reads.
# A session appending many times in one transaction (the demo, a batch) reads them once. Any
# rollback, a savepoint's included, forgets it (below); a size that is no longer the head's
# means another writer appended since, and the edge is read from the table again.
_FRONTIER = "core.ledger.frontier"


def _frontier(session: Session, size: int) -> dict[merkle.Coord, bytes] | None:
    kept: tuple[int, dict[merkle.Coord, bytes]] | None = session.info.get(_FRONTIER)
    return kept[1] if kept is not None and kept[0] == size else None


def _keep_frontier(session: Session, size: int, known: Mapping[merkle.Coord, bytes]) -> None:
    plan = merkle.root_plan(size)
    if all(coord in known for coord in plan):
        session.info[_FRONTIER] = (size, {coord: known[coord] for coord in plan})
    else:
        session.info.pop(_FRONTIER, None)


@event.listens_for(Session, "after_soft_rollback")
def _forget_frontier(session: Session, _previous_transaction: object) -> None:
    session.info.pop(_FRONTIER, None)


def tree_size(session: Session) -> int:
    """The number of entries committed to the log."""
    session.flush()  # as the ORM would before a query: an append not yet written counts
    statement = "SELECT tree_size FROM ledger_head WHERE id = 1"
    return int(session.connection().exec_driver_sql(statement).scalar_one())


def root_hash(session: Session, *, size: int) -> bytes:
    """The Merkle tree hash of the first `size` entries."""
    _check_size(session, size)
    return merkle.root(size, fetcher(session))


def _check_size(session: Session, size: int) -> int:
    current = tree_size(session)
    if size < 0 or size > current:
        raise LedgerRangeError(f"tree_size must be between 0 and {current}; got {size}.")
    return current


def inclusion_proof(session: Session, *, index: int, size: int) -> list[bytes]:
    """The audit path of entry `index` in the tree of `size` entries."""
    _check_size(session, size)
    if not 0 <= index < size:
        raise LedgerRangeError(
            f"index must be between 0 and {size - 1} for tree_size {size}; got {index}."
            if size
            else "The tree of size 0 has no entries to prove."
        )
    return merkle.inclusion_proof(index, size, fetcher(session))


def inclusion_proofs(
    session: Session, *, indices: Iterable[int], size: int
) -> dict[int, list[bytes]]:
    """The audit paths of several entries in one tree, their nodes read in one query (the
    receipts of a batch of bids)."""
    _check_size(session, size)
    wanted = sorted(set(indices))
    if any(not 0 <= index < size for index in wanted):
        raise LedgerRangeError(f"every index must be below tree_size {size}; got {wanted}.")
    plans = [merkle.inclusion_plan(index, size) for index in wanted]
    nodes = fetcher(session)({coord for plan in plans for coord in plan})
    return {index: merkle.inclusion_proof(index, size, lambda _: nodes) for index in wanted}


def consistency_proof(session: Session, *, first: int, second: int) -> list[bytes]:
    """The proof that the tree of `second` entries extends the tree of `first`."""
    current = _check_size(session, second)
    if not 0 <= first <= second:
        raise LedgerRangeError(
            f"first must be between 0 and second ({second}), and second at most {current}; "
            f"got first={first}."
        )
    return merkle.consistency_proof(first, second, fetcher(session))


def entries(session: Session, *, start: int, end: int) -> list[LedgerEntry]:
    """Entries [start, end), at most MAX_PAGE of them; fewer when `end` is past the tree."""
    current = tree_size(session)
    if start < 0 or end < start:
        raise LedgerRangeError(f"Need 0 <= start <= end; got start={start}, end={end}.")
    if start > current:
        raise LedgerRangeError(f"start must be between 0 and {current}; got {start}.")
    end = min(end, start + MAX_PAGE, current)
    query = (
        select(LedgerEntry)
        .where(LedgerEntry.index >= start, LedgerEntry.index < end)
        .order_by(col(LedgerEntry.index))
    )
    return list(session.exec(query))


def tree_leaves(session: Session, *, indices: Iterable[int]) -> dict[int, bytes]:
    """The leaf hashes the tree holds at these indices (what the checkpoints signed)."""
    coords = [(0, index) for index in indices]
    return {index: digest for (_, index), digest in fetcher(session)(coords).items()}


def entries_after(session: Session, *, after: int, limit: int = MAX_PAGE) -> list[LedgerEntry]:
    """The stored entries with an index above `after`, in index order (for auditing)."""
    query = (
        select(LedgerEntry)
        .where(LedgerEntry.index > after)
        .order_by(col(LedgerEntry.index))
        .limit(min(limit, MAX_PAGE))
    )
    return list(session.exec(query))


def entries_about(session: Session, *, subject: str, limit: int = 200) -> list[LedgerEntry]:
    """The entries recorded about one subject (a tender, an application), oldest first."""
    query = (
        select(LedgerEntry)
        .where(LedgerEntry.subject == subject)
        .order_by(col(LedgerEntry.index))
        .limit(limit)
    )
    return list(session.exec(query))


def latest_checkpoint(session: Session) -> LedgerCheckpoint | None:
    """The newest signed checkpoint, if any."""
    query = select(LedgerCheckpoint).order_by(col(LedgerCheckpoint.tree_size).desc()).limit(1)
    return session.exec(query).first()


def checkpoints(
    session: Session, *, after_size: int = -1, limit: int = MAX_PAGE
) -> list[LedgerCheckpoint]:
    """Signed checkpoints larger than `after_size`, smallest first."""
    query = (
        select(LedgerCheckpoint)
        .where(LedgerCheckpoint.tree_size > after_size)
        .order_by(col(LedgerCheckpoint.tree_size))
        .limit(min(limit, MAX_PAGE))
    )
    return list(session.exec(query))


def make_checkpoint(session: Session, *, signer: LogSigner, now: datetime) -> LedgerCheckpoint:
    """Sign the current tree and commit, unless the newest checkpoint already covers it."""
    size = tree_size(session)
    latest = latest_checkpoint(session)
    if latest is not None and latest.tree_size >= size:
        return latest
    root = root_hash(session, size=size)
    if latest is not None:
        proof = consistency_proof(session, first=latest.tree_size, second=size)
        if not merkle.verify_consistency(latest.tree_size, size, latest.root_hash, root, proof):
            raise LedgerInconsistent(
                f"the tree at size {size} is not consistent with the checkpoint signed at "
                f"size {latest.tree_size}; refusing to sign. Run `prongsai ledger verify`."
            )
    body = note.checkpoint_body(signer.name, size, root)
    checkpoint = LedgerCheckpoint(
        tree_size=size, root_hash=root, created_at=now, key_id=signer.key_id, note=signer.sign(body)
    )
    session.add(checkpoint)
    try:
        session.commit()
    except IntegrityError:  # another process signed this very size a moment ago
        session.rollback()
        latest = latest_checkpoint(session)
        if latest is None:
            message = "a checkpoint was refused as a duplicate, yet none exists"
            raise LedgerInconsistent(message) from None
        return latest
    session.refresh(checkpoint)
    return checkpoint


def prove_appended(
    session: Session, *, size: int, indices: Sequence[int], signer: LogSigner | None, now: datetime
) -> tuple[bytes, dict[int, list[bytes]], LedgerCheckpoint | None]:
    """For an appender still holding the head row, its tree of `size` entries: the root, the
    inclusion proof of each of `indices`, and a checkpoint signed over it (when a signer is
    given; checked consistent with the newest one first), added to the transaction. One read
    of the stored nodes, less the tree's right edge the appends kept: a batch's receipts."""
    latest = latest_checkpoint(session) if signer is not None else None
    plans = [merkle.root_plan(size), *(merkle.inclusion_plan(i, size) for i in indices)]
    if latest is not None:
        plans.append(merkle.consistency_plan(latest.tree_size, size))
    nodes = dict(_frontier(session, size) or {})
    nodes |= fetcher(session)({c for plan in plans for c in plan if c not in nodes})
    root = merkle.root(size, lambda _: nodes)
    proofs = {i: merkle.inclusion_proof(i, size, lambda _: nodes) for i in indices}
    if signer is None:
        return root, proofs, None
    if latest is not None:
        proof = merkle.consistency_proof(latest.tree_size, size, lambda _: nodes)
        if not merkle.verify_consistency(latest.tree_size, size, latest.root_hash, root, proof):
            raise LedgerInconsistent(f"the tree at size {size} does not extend the last checkpoint")
    body = note.checkpoint_body(signer.name, size, root)
    checkpoint = LedgerCheckpoint(
        tree_size=size, root_hash=root, created_at=now, key_id=signer.key_id, note=signer.sign(body)
    )
    session.add(checkpoint)
    return root, proofs, checkpoint


def open_signer(session: Session, *, settings: Settings) -> LogSigner:
    """The log's signer: made for an empty log, checked against the signed history otherwise."""
    latest = latest_checkpoint(session)
    empty = latest is None and tree_size(session) == 0
    signer = load_signer(settings.signing_key_path, name=settings.origin, may_create=empty)
    if latest is not None and latest.key_id != signer.key_id:
        raise SigningKeyError(
            f"the signing key at {settings.signing_key_path} (key ID {signer.key_id}, origin "
            f"{signer.name}) is not the key that signed this log's checkpoints "
            f"(key ID {latest.key_id}); restore the original key and origin"
        )
    return signer
