"""What other packages read from the transparency log, as schemas rather than table rows."""

from __future__ import annotations

from sqlmodel import Session

from core.ledger import service
from core.ledger.models import LedgerCheckpoint, LedgerEntry
from core.ledger.schemas import CheckpointPublic, LogEntryRead, SignedCheckpointRead


def _entry(entry: LedgerEntry) -> LogEntryRead:
    return LogEntryRead(
        index=entry.index,
        entry_type=entry.entry_type,
        subject=entry.subject,
        created_at=entry.created_at,
        entry=entry.entry,
        leaf_hash=entry.leaf_hash.hex(),
    )


def tree_size(session: Session) -> int:
    """The number of entries committed to the log."""
    return service.tree_size(session)


def log_entries(session: Session, *, start: int, end: int) -> list[LogEntryRead]:
    """Entries [start, end), as service.entries bounds them."""
    return [_entry(e) for e in service.entries(session, start=start, end=end)]


def latest_checkpoint(session: Session) -> SignedCheckpointRead | None:
    """The newest signed checkpoint, if any."""
    checkpoint = service.latest_checkpoint(session)
    if checkpoint is None:
        return None
    return SignedCheckpointRead(
        tree_size=checkpoint.tree_size,
        created_at=checkpoint.created_at,
        key_id=checkpoint.key_id,
        note=checkpoint.note,
    )


def checkpoint_public(checkpoint: LedgerCheckpoint) -> CheckpointPublic:
    """A signed checkpoint as the API publishes it (the root hash in hex)."""
    return CheckpointPublic(
        tree_size=checkpoint.tree_size,
        root_hash=checkpoint.root_hash.hex(),
        timestamp=checkpoint.created_at,
        note=checkpoint.note,
    )


def latest_checkpoint_public(session: Session) -> CheckpointPublic | None:
    """The newest signed checkpoint as the API publishes it, if any."""
    checkpoint = service.latest_checkpoint(session)
    return checkpoint_public(checkpoint) if checkpoint is not None else None


def checkpoints_public(session: Session, *, after_size: int) -> list[CheckpointPublic]:
    """Every signed checkpoint larger than `after_size`, oldest first (pages of 1,000)."""
    return [checkpoint_public(c) for c in service.checkpoints(session, after_size=after_size)]
