"""Reading the tree's stored nodes: what every root and proof is computed from."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from sqlmodel import Session

from core.ledger import merkle

# The nodes a plan names, in one statement written as the driver's SQL: building it through
# SQLAlchemy's expression language cost more than the database's answer. PostgreSQL joins the
# wanted (level, index) pairs as two arrays, one statement text whatever the plan, which the
# driver prepares once; SQLite answers one `level = ? AND index IN (...)` per level from the
# primary key (a row-value IN is a full scan there).
_NODES_BY_ARRAYS = (
    'SELECT n.level, n."index", n.hash FROM ledger_node AS n '
    "JOIN unnest(%s::smallint[], %s::bigint[]) AS wanted(level, idx) "
    'ON n.level = wanted.level AND n."index" = wanted.idx'
)


def fetcher(session: Session) -> merkle.Fetch:
    """Read the stored nodes a plan names, in the session's transaction."""

    def fetch(coords: Iterable[merkle.Coord]) -> dict[merkle.Coord, bytes]:
        wanted = set(coords)
        if not wanted:
            return {}
        connection = session.connection()
        if connection.dialect.name == "postgresql":
            levels, indices = [c[0] for c in wanted], [c[1] for c in wanted]
            rows = connection.exec_driver_sql(_NODES_BY_ARRAYS, (levels, indices))
        else:
            by_level: dict[int, list[int]] = defaultdict(list)
            for level, index in sorted(wanted):
                by_level[level].append(index)
            conditions, parameters = [], []
            for level, at in by_level.items():
                conditions.append(f'(level = ? AND "index" IN ({", ".join("?" for _ in at)}))')
                parameters += [level, *at]
            statement = (
                'SELECT level, "index", hash FROM ledger_node WHERE '  # noqa: S608 (marks only)
                + " OR ".join(conditions)
            )
            rows = connection.exec_driver_sql(statement, tuple(parameters))
        return {(level, index): bytes(digest) for level, index, digest in rows}

    return fetch
