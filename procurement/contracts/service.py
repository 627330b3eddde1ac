"""Use cases of a signed contract: amendments, milestones and payments, all public."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from core.auth.models import User
from core.db import stored_id
from core.i18n import gettext
from core.settings import Settings
from procurement.awards.models import Award
from procurement.contracts.models import (
    Contract,
    ContractAmendment,
    Milestone,
    MilestoneStatus,
    Payment,
)
from procurement.contracts.schemas import ContractAmendmentIn, MilestoneIn, PaymentIn
from procurement.exceptions import InvalidBid, TenderClosed, TenderNotFound
from procurement.publishing.service import record
from procurement.tenders.models import Tender
from procurement.tenders.service import owned_tender


def _contract(session: Session, *, buyer: User, contract_id: int) -> tuple[Contract, Tender]:
    contract = session.get(Contract, contract_id)
    if contract is None:
        raise TenderNotFound(
            gettext("There is no contract %(contract)s.") % {"contract": contract_id}
        )
    award = session.get_one(Award, contract.award_id)
    return contract, owned_tender(session, buyer=buyer, tender_id=award.tender_id, for_update=True)


def amend_contract(
    session: Session,
    *,
    buyer: User,
    contract_id: int,
    amendment: ContractAmendmentIn,
    now: datetime,
    settings: Settings,
) -> ContractAmendment:
    """Change a contract's value or end date, with a public rationale."""
    contract, tender = _contract(session, buyer=buyer, contract_id=contract_id)
    value = amendment.value if amendment.value is not None else contract.value
    end = amendment.end_date or contract.end_date
    if (value, end) == (contract.value, contract.end_date):
        raise InvalidBid(gettext("The amendment changes neither the value nor the end date."))
    if end < contract.start_date:
        raise InvalidBid(gettext("The contract cannot end before it starts."))
    row = ContractAmendment(
        contract_id=stored_id(contract),
        rationale=amendment.rationale,
        value_before=contract.value,
        value_after=value,
        end_date_before=contract.end_date,
        end_date_after=end,
        created_at=now,
    )
    contract.value, contract.end_date = value, end
    session.add_all([row, contract])
    session.flush()
    record(
        session,
        tender,
        entry_type="procurement.contract.amended",
        payload={
            "contract": contract.id,
            "rationale": amendment.rationale,
            "value_before": row.value_before,
            "value_after": value,
            "end_date_after": end.isoformat(),
        },
        tags=["contractAmendment"],
        now=now,
        settings=settings,
    )
    session.commit()
    session.refresh(row)
    return row


def add_milestone(
    session: Session,
    *,
    buyer: User,
    contract_id: int,
    milestone: MilestoneIn,
    now: datetime,
    settings: Settings,
) -> Milestone:
    """Plan a delivery milestone of the contract."""
    contract, tender = _contract(session, buyer=buyer, contract_id=contract_id)
    row = Milestone(
        contract_id=stored_id(contract),
        title=milestone.title,
        due_date=milestone.due_date,
        status=MilestoneStatus.SCHEDULED,
    )
    session.add(row)
    session.flush()
    record(
        session,
        tender,
        entry_type="procurement.milestone.planned",
        payload={
            "contract": contract.id,
            "milestone": row.id,
            "title": row.title,
            "due_date": row.due_date.isoformat(),
        },
        tags=["implementation"],
        now=now,
        settings=settings,
    )
    session.commit()
    session.refresh(row)
    return row


def complete_milestone(
    session: Session,
    *,
    buyer: User,
    milestone_id: int,
    met: bool,
    on: datetime,
    now: datetime,
    settings: Settings,
) -> Milestone:
    """Record whether a milestone was met, and when."""
    row = session.get(Milestone, milestone_id)
    if row is None:
        raise TenderNotFound(
            gettext("There is no milestone %(milestone)s.") % {"milestone": milestone_id}
        )
    contract, tender = _contract(session, buyer=buyer, contract_id=row.contract_id)
    if row.status != MilestoneStatus.SCHEDULED:
        raise TenderClosed(
            gettext("Milestone %(milestone)s is already %(status)s.")
            % {"milestone": milestone_id, "status": row.status}
        )
    row.status = MilestoneStatus.MET if met else MilestoneStatus.NOT_MET
    row.date_met = on.date() if met else None
    session.add(row)
    record(
        session,
        tender,
        entry_type="procurement.milestone.completed",
        payload={"contract": contract.id, "milestone": row.id, "status": str(row.status)},
        tags=["implementationUpdate"],
        now=now,
        settings=settings,
    )
    session.commit()
    session.refresh(row)
    return row


def record_payment(
    session: Session,
    *,
    buyer: User,
    contract_id: int,
    payment: PaymentIn,
    now: datetime,
    settings: Settings,
) -> Payment:
    """Publish a payment made under the contract."""
    contract, tender = _contract(session, buyer=buyer, contract_id=contract_id)
    row = Payment(
        contract_id=stored_id(contract),
        amount=payment.amount,
        paid_date=payment.paid_date,
        description=payment.description,
        created_at=now,
    )
    session.add(row)
    session.flush()
    record(
        session,
        tender,
        entry_type="procurement.payment.made",
        payload={
            "contract": contract.id,
            "payment": row.id,
            "amount": row.amount,
            "currency": contract.currency,
            "paid_date": row.paid_date.isoformat(),
        },
        tags=["implementation"],
        now=now,
        settings=settings,
    )
    session.commit()
    session.refresh(row)
    return row
