"""Public reads for profiles, rankings, red flags and charts of procurement, as plain schemas.

A period is a calendar year of publication (tenders published in that year), or every
published tender when no year is given.
"""

from __future__ import annotations

from sqlmodel import Session, select

from core.auth.models import Organisation, OrganisationKind
from core.errors import NotFound
from core.i18n import gettext
from procurement.awards.models import Award
from procurement.insights import flagged, records, rules, summaries
from procurement.insights.schemas import (
    BuyerCompetition,
    BuyerProfile,
    FlaggedTender,
    Indicator,
    Party,
    ProcurementCharts,
    SupplierListRow,
    SupplierProfile,
)
from procurement.tenders.models import Tender

DEFAULT_CURRENCY = "THB"


def _organisation(session: Session, kind: OrganisationKind, **where) -> Organisation | None:
    query = select(Organisation).where(Organisation.kind == kind)
    for name, value in where.items():
        query = query.where(getattr(Organisation, name) == value)
    return session.exec(query).first()


def years(session: Session) -> list[int]:
    """Years in which tenders were published, newest first."""
    return summaries.years(session)


PROFILE_PAGE = 25  # rows of each of a profile's lists on one page (a page renders 4 lists)


def _pages(counts: dict[str, int], size: int) -> int:
    return max(1, *(-(-n // size) for n in counts.values()))


def buyer(session: Session, *, slug: str) -> Party:
    """A buying entity by its slug; NotFound for an unknown one."""
    found = _organisation(session, OrganisationKind.BUYING_ENTITY, slug=slug)
    if found is None:
        raise NotFound(gettext("There is no buying entity %(slug)s.") % {"slug": repr(slug)})
    return summaries.party(found)


def supplier(session: Session, *, supplier_id: int) -> Party:
    """A supplier (name and registration id; never contacts); NotFound if unknown."""
    found = _organisation(session, OrganisationKind.SUPPLIER, id=supplier_id)
    if found is None:
        raise NotFound(gettext("There is no supplier %(supplier)s.") % {"supplier": supplier_id})
    return summaries.party(found)


def buyer_profile(
    session: Session, *, slug: str, page: int = 1, size: int = PROFILE_PAGE
) -> BuyerProfile:
    """A buying entity's profile: its totals, and the `page`-th `size` rows of each list;
    NotFound for an unknown slug."""
    party = buyer(session, slug=slug)
    counts, years = records.buyer_totals(session, party.id)
    opened, average, single = records.competition(session, party.id)
    offset = (page - 1) * size
    return BuyerProfile(
        buyer=party,
        tenders=records.tenders(session, party.id, offset, size),
        awards=records.awards(session, offset, size, Tender.buyer_id == party.id),
        contracts=records.contracts(session, offset, size, Tender.buyer_id == party.id),
        years=years,
        bidders=records.bidders(session, party.id, offset, size),
        opened_tenders=opened,
        average_bidders=average,
        single_bid_share=single,
        counts=counts,
        page=page,
        pages=_pages(counts, size),
    )


def buyer_list(session: Session, *, buyer_id: int, name: str, offset: int, limit: int) -> list:
    """`limit` rows from `offset` of one of a buyer's lists (tenders, awards, contracts,
    bidders), in the page's order: a download reads them a batch at a time."""
    mine = Tender.buyer_id == buyer_id
    if name == "tenders":
        return records.tenders(session, buyer_id, offset, limit)
    if name == "awards":
        return records.awards(session, offset, limit, mine)
    if name == "contracts":
        return records.contracts(session, offset, limit, mine)
    return records.bidders(session, buyer_id, offset, limit)


def supplier_profile(
    session: Session, *, supplier_id: int, page: int = 1, size: int = PROFILE_PAGE
) -> SupplierProfile:
    """A supplier's profile: its totals, and the `page`-th `size` rows of each list;
    NotFound for an unknown id."""
    party = supplier(session, supplier_id=supplier_id)
    counts, years = records.supplier_totals(session, party.id)
    decided, wins = records.win_record(session, party.id)
    offset = (page - 1) * size
    return SupplierProfile(
        supplier=party,
        bids=records.bids(session, party.id, offset, size),
        awards=records.awards(session, offset, size, Award.supplier_id == party.id),
        contracts=records.contracts(session, offset, size, Award.supplier_id == party.id),
        years=years,
        competitors=records.rivals(session, party.id, offset, size),
        decided_bids=decided,
        wins=wins,
        win_rate=round(wins / decided, 4) if decided else None,
        counts=counts,
        page=page,
        pages=_pages(counts, size),
    )


def supplier_list(
    session: Session, *, supplier_id: int, name: str, offset: int, limit: int
) -> list:
    """`limit` rows from `offset` of one of a supplier's lists (bids, awards, contracts,
    competitors), in the page's order."""
    mine = Award.supplier_id == supplier_id
    if name == "bids":
        return records.bids(session, supplier_id, offset, limit)
    if name == "awards":
        return records.awards(session, offset, limit, mine)
    if name == "contracts":
        return records.contracts(session, offset, limit, mine)
    return records.rivals(session, supplier_id, offset, limit)


def suppliers(
    session: Session, *, offset: int = 0, limit: int | None = None
) -> tuple[list[SupplierListRow], int]:
    """Supplier companies with their opened bids, wins and awarded value, largest value first:
    `limit` of them from `offset` (all when None), and how many there are."""
    return summaries.supplier_list(session, DEFAULT_CURRENCY, offset=offset, limit=limit)


def buyer_rankings(session: Session, *, year: int | None = None) -> list[BuyerCompetition]:
    """Buying entities ranked by competition on their tenders of the period."""
    return summaries.buyer_competition(session, year)


def _described(found: rules.Indicator, flagged_tenders: int) -> Indicator:
    return Indicator(
        code=found.code,
        title=found.title,
        definition=found.definition,
        threshold=found.threshold,
        threshold_message=found.threshold_message,
        threshold_values=dict(found.values),
        follows=found.follows,
        why=found.why,
        flagged=flagged_tenders,
    )


def indicators(session: Session, *, year: int | None = None) -> list[Indicator]:
    """Every red-flag indicator with its definition and how many tenders it flags."""
    counted = flagged.counts(session, year)
    return [_described(i, counted.get(i.code, 0)) for i in rules.INDICATORS]


def indicator(
    session: Session,
    *,
    code: str,
    year: int | None = None,
    after: int = 0,
    limit: int | None = None,
) -> tuple[Indicator, list[FlaggedTender], int | None]:
    """One indicator, the flags it raises on `limit` tenders after `after` (all when None),
    and the tender to continue after when there are more; NotFound for an unknown code."""
    if code not in rules.BY_CODE:
        raise NotFound(gettext("There is no red flag %(code)s.") % {"code": repr(code)})
    raised, more = flagged.flagged(session, code, year, after=after, limit=limit)
    count = flagged.count(session, code, year)
    return _described(rules.BY_CODE[code], count), raised, more


def tender_flags(session: Session, *, tender_id: int) -> list[FlaggedTender]:
    """The red flags raised on one tender (for its page); empty for a draft or unknown id.

    Its own flags as the aggregates keep them, and the two that compare tenders from its
    buyer's and its losing bidders' running totals (never every tender).
    """
    return flagged.tender_flags(session, tender_id)


def charts(session: Session, *, year: int | None = None) -> ProcurementCharts:
    """The figures behind the procurement charts for the period."""
    return summaries.charts(session, year)
