"""The full-text objects of the search index, which SQLAlchemy models cannot describe.

On SQLite an FTS5 table with the trigram tokenizer (substring matching, so a Thai word is
found inside an unspaced Thai sentence) kept in step with public_search_document by
triggers; on PostgreSQL pg_trgm GIN indexes on its title and body. The migration
0007_public_search creates them. Alembic's autogenerate would report them as tables and
indexes to drop, so a comparator, registered on import, takes them out of its diff.
"""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import comparators
from alembic.operations import ops
from alembic.util import DispatchPriority, PriorityDispatchResult

FTS_TABLE = "public_search_fts"
# FTS5 keeps its index in these shadow tables, which SQLite lists as ordinary tables.
FTS_TABLES = frozenset(
    {FTS_TABLE, *(f"{FTS_TABLE}_{s}" for s in ("data", "idx", "content", "docsize", "config"))}
)
TRIGRAM_INDEXES = frozenset(
    {"ix_public_search_document_title_trgm", "ix_public_search_document_body_trgm"}
)


def _is_full_text_op(op: Any) -> bool:
    if isinstance(op, ops.DropTableOp):
        return op.table_name in FTS_TABLES
    if isinstance(op, ops.DropIndexOp):
        return op.index_name in TRIGRAM_INDEXES
    return False


def _prune(container: Any) -> None:
    kept = []
    for op in container.ops:
        if hasattr(op, "ops"):
            _prune(op)
            if not op.ops:
                continue
        if not _is_full_text_op(op):
            kept.append(op)
    container.ops[:] = kept


@comparators.dispatch_for("schema", priority=DispatchPriority.LAST)
def _ignore_full_text_objects(
    _autogen_context: Any, upgrade_ops: ops.UpgradeOps, _schemas: Any
) -> PriorityDispatchResult:
    """Drop from the diff what exists in the database on purpose but not in the models."""
    _prune(upgrade_ops)
    return PriorityDispatchResult.CONTINUE
