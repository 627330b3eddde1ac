"""Response models of the transparency log; hashes are lowercase hex."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field


class CheckpointPublic(BaseModel):
    tree_size: int
    root_hash: str
    timestamp: datetime
    note: str = Field(description="The C2SP tlog-checkpoint signed note")


class VerifierKey(BaseModel):
    verifier_key: str = Field(description="<name>+<hex key ID>+<base64(0x01 || public key)>")
    origin: str
    key_id: str


class EntryPublic(BaseModel):
    index: int
    leaf_hash: str
    entry: str = Field(description="Canonical JSON; its UTF-8 bytes are the leaf data")


class EntriesPage(BaseModel):
    tree_size: int
    entries: list[EntryPublic]


class InclusionProof(BaseModel):
    index: int
    tree_size: int
    leaf_hash: str
    audit_path: list[str]


class ConsistencyProof(BaseModel):
    first: int
    second: int
    consistency_path: list[str]


class CheckpointList(BaseModel):
    checkpoints: list[CheckpointPublic]


class LogEntryRead(BaseModel):
    """One log entry as readers outside the ledger see it (the leaf hash in hex)."""

    index: int
    entry_type: str
    subject: str | None
    created_at: datetime
    entry: str
    leaf_hash: str


class SignedCheckpointRead(BaseModel):
    """A signed checkpoint as readers outside the ledger see it: the note and who signed when."""

    tree_size: int
    created_at: datetime
    key_id: str
    note: str
