"""Thousands of rows in one statement's time: the log's nodes and entries, an opening's bids
and notices.

On SQLite one executemany (sqlite3 loops in C); on PostgreSQL COPY (psycopg formats the rows
in C, one round trip), and an UPDATE by primary key from rows copied into a temporary table,
never one round trip or one ORM object per row. COPY sends no query parameters, so the NUL
guard the engine keeps for every query (core.db) is done here."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Connection
from sqlmodel import Session

from core.errors import InvalidInput
from core.types import contains_nul

# A column's type in the temporary table of an update (PostgreSQL).
PG_TYPES = {int: "bigint", str: "text"}


def insert_rows(
    session: Session, table: str, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]
) -> None:
    """INSERT rows (values as the driver takes them) in the session's transaction."""
    if not rows:
        return
    connection = session.connection()
    names = ", ".join(f'"{name}"' for name in columns)  # quoted: the log's "index", "level"
    if connection.dialect.name == "postgresql":
        _copy(connection, f"COPY {table} ({names}) FROM STDIN", rows)
        return
    marks = ", ".join("?" for _ in columns)
    connection.exec_driver_sql(f"INSERT INTO {table} ({names}) VALUES ({marks})", list(rows))  # noqa: S608


def update_rows(
    session: Session,
    table: str,
    columns: Sequence[tuple[str, type]],
    rows: Sequence[tuple[Any, ...]],
) -> None:
    """UPDATE rows by primary key: each row is the new values of `columns` (name, Python type),
    then the id."""
    if not rows:
        return
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        staged = f"{table}_staged"
        definition = ", ".join(f"{name} {PG_TYPES[kind]}" for name, kind in columns)
        names = ", ".join(name for name, _ in columns)
        connection.exec_driver_sql(
            f"CREATE TEMPORARY TABLE {staged} ({definition}, id bigint) ON COMMIT DROP"
        )
        _copy(connection, f"COPY {staged} ({names}, id) FROM STDIN", rows)
        assignments = ", ".join(f"{name} = s.{name}" for name, _ in columns)
        connection.exec_driver_sql(
            f"UPDATE {table} AS t SET {assignments} FROM {staged} AS s WHERE t.id = s.id"  # noqa: S608
        )
        connection.exec_driver_sql(f"DROP TABLE {staged}")
        return
    assignments = ", ".join(f"{name} = ?" for name, _ in columns)
    connection.exec_driver_sql(f"UPDATE {table} SET {assignments} WHERE id = ?", list(rows))  # noqa: S608


def stored(session: Session, column: ColumnElement[Any], value: Any) -> Any:
    """`value` as the driver takes it for `column`, as the ORM would write it (a UTC time is
    text with microseconds on SQLite)."""
    dialect = session.get_bind().dialect
    process = column.type.dialect_impl(dialect).bind_processor(dialect)
    return process(value) if process is not None else value


def _copy(connection: Connection, statement: str, rows: Sequence[tuple[Any, ...]]) -> None:
    if contains_nul(rows):
        raise InvalidInput("Text may not contain NUL (\\x00) characters.")
    driver = connection.connection.driver_connection
    assert driver is not None  # an open connection in a transaction
    with driver.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)
