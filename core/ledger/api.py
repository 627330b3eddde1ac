"""JSON routes of the transparency log: anyone may mirror and check it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import PlainTextResponse

from core.auth.dependencies import require_role
from core.auth.models import Role
from core.clock import ClockDep
from core.db import SessionDep
from core.errors import NotFound
from core.ledger import queries, service
from core.ledger.schemas import (
    CheckpointList,
    CheckpointPublic,
    ConsistencyProof,
    EntriesPage,
    EntryPublic,
    InclusionProof,
    VerifierKey,
)
from core.types import MAX_BIGINT, BigInt

router = APIRouter(prefix="/api/ledger", tags=["transparency log"])
NO_CHECKPOINT = "No checkpoint has been signed yet; the log is signed within a minute of growing."


def _latest(session: SessionDep) -> CheckpointPublic:
    checkpoint = queries.latest_checkpoint_public(session)
    if checkpoint is None:
        raise NotFound(NO_CHECKPOINT)
    return checkpoint


LatestCheckpoint = Annotated[CheckpointPublic, Depends(_latest)]


@router.get("/checkpoint", response_model=CheckpointPublic)
def checkpoint(latest: LatestCheckpoint) -> CheckpointPublic:
    """The newest signed checkpoint: tree size, root hash, time and the signed note."""
    return latest


@router.get("/checkpoint.txt", response_class=PlainTextResponse)
def checkpoint_note(latest: LatestCheckpoint) -> PlainTextResponse:
    """The newest checkpoint as a C2SP signed note, for witnesses and standard tools."""
    return PlainTextResponse(latest.note, media_type="text/plain; charset=utf-8")


@router.post(
    "/checkpoint",
    response_model=CheckpointPublic,
    dependencies=[Depends(require_role(Role.ADMIN, Role.AUDITOR))],
)
def sign_checkpoint(request: Request, session: SessionDep, clock: ClockDep) -> CheckpointPublic:
    """Sign a checkpoint now (admins and auditors), instead of waiting for the minute job."""
    signed = service.make_checkpoint(session, signer=request.app.state.log_signer, now=clock())
    return queries.checkpoint_public(signed)


@router.get("/checkpoints", response_model=CheckpointList)
def checkpoint_history(
    session: SessionDep, after: Annotated[int, Query(ge=-1, le=MAX_BIGINT)] = -1
) -> CheckpointList:
    """Every signed checkpoint larger than `after`, oldest first (pages of 1,000)."""
    return CheckpointList(checkpoints=queries.checkpoints_public(session, after_size=after))


@router.get("/public-key", response_model=VerifierKey)
def public_key(request: Request) -> VerifierKey:
    """The key that signs checkpoints, in signed-note verifier-key form."""
    signer = request.app.state.log_signer
    return VerifierKey(verifier_key=signer.verifier_key, origin=signer.name, key_id=signer.key_id)


@router.get("/entries", response_model=EntriesPage)
def entries(
    session: SessionDep,
    start: Annotated[BigInt, Query(description="first index")] = 0,
    end: Annotated[BigInt | None, Query(description="one past the last index")] = None,
) -> EntriesPage:
    """Entries [start, end): at most 1,000, fewer when `end` is past the tree."""
    size = service.tree_size(session)
    rows = service.entries(
        session, start=start, end=start + service.MAX_PAGE if end is None else end
    )
    return EntriesPage(
        tree_size=size,
        entries=[
            EntryPublic(index=e.index, leaf_hash=e.leaf_hash.hex(), entry=e.entry) for e in rows
        ],
    )


@router.get("/proof/inclusion", response_model=InclusionProof)
def inclusion(
    session: SessionDep,
    index: Annotated[BigInt, Query()],
    tree_size: Annotated[BigInt | None, Query(description="default: the newest checkpoint")] = None,
) -> InclusionProof:
    """The audit path proving entry `index` is in the tree of `tree_size` entries."""
    if tree_size is None:
        tree_size = _latest(session).tree_size
    path = service.inclusion_proof(session, index=index, size=tree_size)
    leaf = service.entries(session, start=index, end=index + 1)[0].leaf_hash
    return InclusionProof(
        index=index, tree_size=tree_size, leaf_hash=leaf.hex(), audit_path=[h.hex() for h in path]
    )


@router.get("/proof/consistency", response_model=ConsistencyProof)
def consistency(
    session: SessionDep, first: Annotated[BigInt, Query()], second: Annotated[BigInt, Query()]
) -> ConsistencyProof:
    """The proof that the tree of `second` entries extends the tree of `first` entries."""
    path = service.consistency_proof(session, first=first, second=second)
    return ConsistencyProof(first=first, second=second, consistency_path=[h.hex() for h in path])
