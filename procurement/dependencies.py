"""Role checks and shared parameters of procurement routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from core.auth.csrf import verify_csrf
from core.auth.dependencies import require_role
from core.auth.models import Role, User
from core.ledger.keys import LogSigner

BuyerUser = Annotated[User, Depends(require_role(Role.BUYER))]
SupplierUser = Annotated[User, Depends(require_role(Role.SUPPLIER))]
CsrfChecked = Depends(verify_csrf)


def _log_signer(request: Request) -> LogSigner | None:
    # Set by the app's lifespan; an app driven without it (a bare test client) signs nothing.
    signer: LogSigner | None = getattr(request.app.state, "log_signer", None)
    return signer


LogSignerDep = Annotated[LogSigner | None, Depends(_log_signer)]
