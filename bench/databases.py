"""The benchmarks' databases: a new empty one for each run, and how to drop it; the line that
heads a run's figures."""

from __future__ import annotations

import os
import platform
import secrets
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url


def fresh_database(
    server: str | None, folder: Path, *, label: str, given: str | None = None
) -> tuple[str, Callable[[], None]]:
    """`given` (an empty database of the caller's, kept), a new database on the PostgreSQL
    `server` (dropped by the returned function), or a SQLite file in `folder`."""
    if given:
        return given, lambda: None
    if not server:
        return f"sqlite:///{folder / f'{label}.sqlite3'}", lambda: None
    name = f"prongsai_bench_{label}_{secrets.token_hex(4)}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return make_url(server).set(database=name).render_as_string(hide_password=False), drop


def run_header(dialect: str, *details: str) -> str:
    """The first line of a run's figures: date, machine, Python, database, what was run, and
    the load average (the machines are shared)."""
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    parts = [
        f"# {datetime.now(UTC):%Y-%m-%d}",
        platform.node(),
        f"Python {platform.python_version()}",
        dialect,
        *details,
        f"load average {load}",
    ]
    return " · ".join(parts)
