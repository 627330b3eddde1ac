"""Time budgets for the statements of a search, and on PostgreSQL a walk in the sort order."""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager

import sqlalchemy as sa
from sqlmodel import Session


class QueryTooSlow(Exception):
    """A statement ran past its time budget and was stopped."""


@contextmanager
def time_budget(
    session: Session, milliseconds: int, planner: dict[str, str] | None = None
) -> Iterator[None]:
    """Abort the statements run inside after `milliseconds` (QueryTooSlow): counts are a
    courtesy, and a page has a faster way to be found, so neither may hold the site up.
    `planner`: PostgreSQL settings for the statements inside (SET LOCAL, then set back).
    """
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        settings = {"statement_timeout": str(milliseconds), **(planner or {})}
        before = dict(zip(settings, _read(connection, settings), strict=True))
        nested = connection.begin_nested()
        try:
            _write(connection, settings)
            yield
        except sa.exc.OperationalError as error:
            nested.rollback()  # also undoes the settings
            raise QueryTooSlow from error
        except BaseException:  # the caller gave up (a walk not filled): not the budget's
            nested.rollback()  # settings either, or the statements after it would run under it
            raise
        else:
            _write(connection, before)
            nested.commit()
        return
    raw = connection.connection.driver_connection
    assert raw is not None  # the session's connection is checked out
    deadline = time.monotonic() + milliseconds / 1000
    raw.set_progress_handler(lambda: int(time.monotonic() > deadline), 10_000)
    try:
        yield
    except sa.exc.OperationalError as error:
        raise QueryTooSlow from error
    finally:
        raw.set_progress_handler(None, 0)


def _read(connection: sa.Connection, names: Iterable[str]) -> Sequence[str]:
    columns = [sa.func.current_setting(name) for name in names]
    return tuple(connection.execute(sa.select(*columns)).one())


def _write(connection: sa.Connection, settings: dict[str, str]) -> None:
    """SET LOCAL each setting, in one statement: until the (sub)transaction ends."""
    connection.execute(
        sa.select(*(sa.func.set_config(n, v, sa.true()) for n, v in settings.items()))
    )
