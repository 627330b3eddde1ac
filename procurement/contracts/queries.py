"""Reads of contracts for the routes: a contract with its history, a milestone."""

from __future__ import annotations

from sqlmodel import Session

from core.db import stored_id
from core.errors import NotFound
from core.i18n import gettext
from procurement.contracts.models import Contract, Milestone
from procurement.public.queries import contract_view as _contract_view
from procurement.public.schemas import ContractView, MilestoneView


def contract_view(session: Session, *, contract_id: int) -> ContractView:
    """A contract with its amendments, milestones and payments."""
    contract = session.get(Contract, contract_id)
    if contract is None:
        raise NotFound(gettext("There is no contract %(contract)s.") % {"contract": contract_id})
    return _contract_view(session, contract)


def milestone_view(session: Session, *, milestone_id: int) -> MilestoneView:
    """A milestone: its due date and whether it was met."""
    m = session.get(Milestone, milestone_id)
    if m is None:
        raise NotFound(
            gettext("There is no milestone %(milestone)s.") % {"milestone": milestone_id}
        )
    return MilestoneView(
        id=stored_id(m),
        title=m.title,
        due_date=m.due_date.isoformat(),
        status=str(m.status),
        date_met=m.date_met.isoformat() if m.date_met else None,
    )
