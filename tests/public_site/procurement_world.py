"""A small procurement world for the profile, ranking, red-flag and chart tests.

Everything is made through the services, with explicit instants in the past, so each test
states the facts a reporter would check (who bid what, who won, what the contract became).
"""

from __future__ import annotations

import html
import itertools
import re
from datetime import datetime, timedelta

from sqlmodel import select

from core.auth import service as auth_service
from core.auth.models import OrganisationKind, Role, User
from core.clock import FrozenClock
from procurement.awards import service as awarding
from procurement.awards.schemas import AwardIn
from procurement.bids import opening
from procurement.bids import service as bidding
from procurement.bids.models import Bid
from procurement.bids.schemas import BidIn, PriceIn, SupplierIn
from procurement.contracts import service as implementation
from procurement.contracts.schemas import ContractAmendmentIn, ContractIn
from procurement.insights import aggregates
from procurement.tenders import amendments
from procurement.tenders import service as tender_service
from procurement.tenders.schemas import AmendmentIn, TenderDraftIn
from tests import factories

DAY = timedelta(days=1)
HOUR = timedelta(hours=1)
CONTACT_EMAIL = "secret-contact-{n}@private.example"
CONTACT_PHONE = "+66 2 555 01{n:02d}"
CONTACT_NAME = "Khun Private{n}"
_numbers = itertools.count(1)


class World:
    def __init__(self, session, settings, now: datetime):
        self.session, self.settings, self.now = session, settings, now

    def buyer(self, name: str = "Test Buying Entity") -> User:
        n = next(_numbers)
        organisation = auth_service.create_organisation(
            self.session,
            slug=f"buyer-{n}",
            name=f"{name} {n}",
            kind=OrganisationKind.BUYING_ENTITY,
            now=self.now,
        )
        return auth_service.create_user(
            self.session,
            email=f"buyer{n}@test.example",
            display_name="Officer",
            role=Role.BUYER,
            password=factories.PASSWORD,
            organisation_slug=organisation.slug,
            now=self.now,
        )

    def supplier(self, name: str) -> User:
        n = next(_numbers)
        organisation = auth_service.create_organisation(
            self.session,
            slug=f"supplier-{n}",
            name=name,
            kind=OrganisationKind.SUPPLIER,
            now=self.now,
            registration_id=f"0105{n:09d}",
        )
        user = auth_service.create_user(
            self.session,
            email=f"bids{n}@test.example",
            display_name="Bid clerk",
            role=Role.SUPPLIER,
            password=factories.PASSWORD,
            organisation_slug=organisation.slug,
            now=self.now,
        )
        bidding.register_supplier(
            self.session,
            user=user,
            now=self.now,
            details=SupplierIn(
                address=f"{n} Secret Soi, Bangkok 10110",
                contact_name=CONTACT_NAME.format(n=n),
                contact_email=CONTACT_EMAIL.format(n=n),
                contact_phone=CONTACT_PHONE.format(n=n),
            ),
        )
        return user

    def tender(self, buyer: User, **facts) -> int:
        """A tender (see _tender), then the aggregates read in, as the refresh job would."""
        made = self._tender(buyer, **facts)
        self.refresh()
        return made

    def refresh(self) -> None:
        """Bring the public figures' aggregates up to date, as the job does every few seconds.

        Rebuilt, not refreshed: each tender here lives at instants of its own in the past, so
        a later tender's changes can be stamped before an earlier one's, which a live site's
        clock never does (tests/procurement/test_insight_aggregates.py reads them in as the
        job does)."""
        aggregates.rebuild(self.session, now=self.now)

    def _tender(
        self,
        buyer: User,
        *,
        bids: list[tuple[User, int]] = (),
        published: datetime | None = None,
        days: int = 20,
        estimate: int = 1_000_000,
        award: bool = True,
        opened: bool = True,
        contract: int | None = None,
        amended_to: int | None = None,
        amend_before_deadline: timedelta | None = None,
        disqualify: User | None = None,
        title: str = "Road resurfacing",
    ) -> int:
        """A tender published at `published`, bid on, opened, awarded; baht amounts."""
        start = published or self.now - 90 * DAY
        draft = TenderDraftIn(
            title=title,
            description="Works as described in the documents.",
            category="works",
            estimated_value=estimate * 100,
            enquiry_end_at=start + DAY,
            tender_start_at=start,
            tender_end_at=start + days * DAY,
            opening_at=start + days * DAY + HOUR,
            items=[{"description": "Works", "quantity": "1", "unit": "lot"}],
        )
        made = tender_service.create_draft(self.session, buyer=buyer, draft=draft, now=start)
        tender = tender_service.publish(
            self.session, buyer=buyer, tender_id=made.id, now=start, settings=self.settings
        )
        if amend_before_deadline is not None:
            at = tender.tender_end_at - amend_before_deadline
            amendments.amend(
                self.session,
                buyer=buyer,
                tender_id=tender.id,
                now=at,
                settings=self.settings,
                amendment=AmendmentIn(
                    rationale="Clarified the drawings.",
                    tender_end_at=tender.tender_end_at + 7 * DAY,
                    opening_at=tender.opening_at + 7 * DAY,
                ),
            )
            self.session.refresh(tender)
        for user, baht in bids:
            bidding.submit_bid(
                self.session,
                user=user,
                tender_id=tender.id,
                settings=self.settings,
                clock=FrozenClock(start + HOUR),
                bid=BidIn(price=PriceIn(amount=baht * 100, currency="THB"), declaration=True),
            )
        if not bids or not opened:
            return tender.id
        opened_at = tender.opening_at
        opening.open_tender(
            self.session, tender_id=tender.id, now=opened_at, settings=self.settings
        )
        if disqualify is not None:
            bid = next(
                b
                for b in service_bids(self.session, tender.id)
                if b.supplier_id == disqualify.organisation_id
            )
            awarding.disqualify(
                self.session,
                buyer=buyer,
                bid_id=bid.id,
                reason="No bond.",
                now=opened_at + HOUR,
                settings=self.settings,
            )
        if not award:
            return tender.id
        decided = awarding.award(
            self.session,
            buyer=buyer,
            tender_id=tender.id,
            now=opened_at + 2 * HOUR,
            settings=self.settings,
            decision=AwardIn(justification="Lowest valid price."),
        )
        if contract is None:
            return tender.id
        final = awarding.finalise_award(
            self.session,
            award_id=decided.id,
            now=decided.standstill_end_at,
            settings=self.settings,
        )
        signed = (final.standstill_end_at + DAY).date()
        row = awarding.sign_contract(
            self.session,
            buyer=buyer,
            award_id=decided.id,
            now=final.standstill_end_at + DAY,
            settings=self.settings,
            contract=ContractIn(
                value=contract * 100,
                signed_date=signed,
                start_date=signed,
                end_date=signed + 200 * DAY,
            ),
        )
        if amended_to is not None:
            implementation.amend_contract(
                self.session,
                buyer=buyer,
                contract_id=row.id,
                settings=self.settings,
                now=final.standstill_end_at + 10 * DAY,
                amendment=ContractAmendmentIn(
                    rationale="More works found on site.", value=amended_to * 100
                ),
            )
        return tender.id


def service_bids(session, tender_id: int) -> list[Bid]:
    return list(session.exec(select(Bid).where(Bid.tender_id == tender_id)))


def cells(page: str, table: str) -> list[list[str]]:
    """The rows of a page's data table: each cell's value as the downloads write it (the cell's
    data-value; what the reader sees adds the currency, the local time and words for codes)."""
    body = re.search(rf'<table id="data-{table}">(.*?)</table>', page, re.S).group(1)
    rows = re.findall(r"<tr>(.*?)</tr>", body.split("<tbody>")[1], re.S)

    def cell(attributes: str, content: str) -> str:
        raw = re.search(r'data-value="([^"]*)"', attributes)
        if raw:
            return html.unescape(raw.group(1))
        value = html.unescape(re.sub(r"<[^>]+>", "", content).strip())
        value = "" if value == "—" else value
        return value.replace(",", "") if "num" in attributes else value

    return [
        [cell(a, c) for a, c in re.findall(r"<td([^>]*)>(.*?)</td>", row, re.S)] for row in rows
    ]
