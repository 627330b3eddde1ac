"""What the `prongsai` command's modules share: the error a user can fix, and the log's signer,
opened before a command changes the deployment's database."""

from __future__ import annotations

from sqlalchemy import Engine
from sqlmodel import Session

from core.db import read_only
from core.ledger import service as ledger_service
from core.ledger.keys import LogSigner
from core.settings import Settings


class CommandError(Exception):
    """A failure the user can fix; printed as one line, exit status 1."""


def open_signer(engine: Engine, settings: Settings) -> LogSigner:
    """The log's signer: made for an empty log, else checked against the signed history (a
    missing or foreign key stops the command here)."""
    with Session(read_only(engine)) as session:
        return ledger_service.open_signer(session, settings=settings)
