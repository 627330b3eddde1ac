"""Role checks and shared parameters of procurement routes."""

from __future__ import annotations

import threading
from typing import Annotated

from fastapi import Depends, Request

from core.auth.csrf import verify_csrf
from core.auth.dependencies import require_role
from core.auth.models import Role, User
from core.ledger.keys import LogSigner
from procurement.bids.sequencer import Sequencer

BuyerUser = Annotated[User, Depends(require_role(Role.BUYER))]
SupplierUser = Annotated[User, Depends(require_role(Role.SUPPLIER))]
CsrfChecked = Depends(verify_csrf)


def _log_signer(request: Request) -> LogSigner | None:
    # Set by the app's lifespan; an app driven without it (a bare test client) signs nothing.
    signer: LogSigner | None = getattr(request.app.state, "log_signer", None)
    return signer


LogSignerDep = Annotated[LogSigner | None, Depends(_log_signer)]


_MAKING = threading.Lock()


def _bid_sequencer(request: Request) -> Sequencer:
    """The app's recorder of sealed bids (procurement.bids.sequencer), made on first use."""
    state = request.app.state
    with _MAKING:
        if getattr(state, "bid_sequencer", None) is None:
            signer = _log_signer(request)
            state.bid_sequencer = Sequencer(
                state.write_session, clock=state.clock, settings=state.settings, signer=signer
            )
    sequencer: Sequencer = state.bid_sequencer
    return sequencer


SequencerDep = Annotated[Sequencer, Depends(_bid_sequencer)]
