"""Tables of the transparency log."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from core.db import UTCDateTime


class LedgerHead(SQLModel, table=True):
    """One row: the log's size. Appenders lock it, so the tree has one order."""

    __tablename__ = "ledger_head"

    id: int = Field(default=1, primary_key=True)
    tree_size: int = Field(default=0, sa_type=sa.BigInteger)


class LedgerEntry(SQLModel, table=True):
    """One leaf: `entry` is the canonical JSON whose UTF-8 bytes are hashed."""

    __tablename__ = "ledger_entry"

    index: int = Field(
        primary_key=True, sa_type=sa.BigInteger, sa_column_kwargs={"autoincrement": False}
    )
    entry_type: str = Field(sa_type=sa.String(80), index=True)
    subject: str | None = Field(default=None, sa_type=sa.String(120), index=True)
    created_at: datetime = Field(sa_type=UTCDateTime)
    entry: str = Field(sa_type=sa.Text)
    leaf_hash: bytes = Field(sa_type=sa.LargeBinary(32))


class LedgerNode(SQLModel, table=True):
    """The hash of a perfect subtree covering leaves [index·2^level, (index+1)·2^level)."""

    __tablename__ = "ledger_node"

    level: int = Field(
        primary_key=True, sa_type=sa.SmallInteger, sa_column_kwargs={"autoincrement": False}
    )
    index: int = Field(
        primary_key=True, sa_type=sa.BigInteger, sa_column_kwargs={"autoincrement": False}
    )
    hash: bytes = Field(sa_type=sa.LargeBinary(32))


class LedgerCheckpoint(SQLModel, table=True):
    """A signed checkpoint (C2SP tlog-checkpoint note) of the tree at some size."""

    __tablename__ = "ledger_checkpoint"

    id: int | None = Field(default=None, primary_key=True)
    tree_size: int = Field(sa_type=sa.BigInteger, unique=True)
    root_hash: bytes = Field(sa_type=sa.LargeBinary(32))
    created_at: datetime = Field(sa_type=UTCDateTime)
    key_id: str = Field(sa_type=sa.String(8))
    note: str = Field(sa_type=sa.Text)
