"""Scheduled work of the transparency log."""

from __future__ import annotations

import logging

from sqlmodel import Session

from core.db import read_only
from core.ledger import service
from core.scheduler import JobContext, register_job

log = logging.getLogger(__name__)
CHECKPOINT_JOB = "ledger.checkpoint.sign"
CHECKPOINT_EVERY_SECONDS = 60


@register_job(CHECKPOINT_JOB)
def sign_checkpoint(context: JobContext) -> None:
    """Sign a checkpoint when the log grew since the last one."""
    with Session(read_only(context.engine)) as session:
        signer = service.open_signer(session, settings=context.settings)
    with Session(context.engine) as session:
        checkpoint = service.make_checkpoint(session, signer=signer, now=context.clock())
        log.info("log checkpoint at size %d", checkpoint.tree_size)
