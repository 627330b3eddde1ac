"""The database schema's version: Alembic is the only way it changes."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine

from core.db import read_only

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


class SchemaNotCurrent(Exception):
    """The database is not at the migration head; the message says what to run."""


def alembic_config(url: str) -> Config:
    """An Alembic configuration for this database, without an alembic.ini."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    # ConfigParser interpolation would choke on a '%' in a password.
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Migrate the database up to a revision (the head by default)."""
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str) -> None:
    """Migrate the database down to a revision ("base" empties it)."""
    command.downgrade(alembic_config(url), revision)


@cache
def head_revision() -> str | None:
    """The newest revision in migrations/versions (read once: a process runs the code it
    started with)."""
    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at (None when never migrated)."""
    with read_only(engine).connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def check_current(engine: Engine) -> None:
    """Raise SchemaNotCurrent unless the database is at the migration head."""
    current, head = current_revision(engine), head_revision()
    if current != head:
        raise SchemaNotCurrent(
            f"The database schema is at {current or 'nothing (empty database)'}, "
            f"not at the latest migration {head}. Run `prongsai migrate` first."
        )
