"""Public reads for profiles, rankings, red flags and charts of procurement, as plain schemas.

A period is a calendar year of publication (tenders published in that year), or every
published tender when no year is given.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlmodel import Session, col, select

from core.auth.models import Organisation, OrganisationKind
from core.db import stored_id
from core.errors import NotFound
from core.i18n import gettext
from procurement.insights import facts, flagged, profiles, rules, summaries
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

DEFAULT_CURRENCY = "THB"


def _parties(session: Session) -> Callable[[int], Party]:
    """A lookup of every buying entity and supplier, by organisation id."""
    kinds = [OrganisationKind.BUYING_ENTITY, OrganisationKind.SUPPLIER]
    known = {
        o.id: summaries.party(o)
        for o in session.exec(select(Organisation).where(col(Organisation.kind).in_(kinds)))
    }

    def party(organisation_id: int) -> Party:
        if organisation_id not in known:
            known[organisation_id] = summaries.party(session.get_one(Organisation, organisation_id))
        return known[organisation_id]

    return party


def _organisation(session: Session, kind: OrganisationKind, **where) -> Organisation | None:
    query = select(Organisation).where(Organisation.kind == kind)
    for name, value in where.items():
        query = query.where(getattr(Organisation, name) == value)
    return session.exec(query).first()


def years(session: Session) -> list[int]:
    """Years in which tenders were published, newest first."""
    return summaries.years(session)


def buyer_profile(session: Session, *, slug: str) -> BuyerProfile:
    """A buying entity's profile; NotFound for an unknown slug."""
    buyer = _organisation(session, OrganisationKind.BUYING_ENTITY, slug=slug)
    if buyer is None:
        raise NotFound(gettext("There is no buying entity %(slug)s.") % {"slug": repr(slug)})
    tenders = facts.load(session, buyer_id=buyer.id)
    return profiles.buyer_profile(summaries.party(buyer), tenders, _parties(session))


def supplier_profile(session: Session, *, supplier_id: int) -> SupplierProfile:
    """A supplier's profile (name and registration id; never contacts); NotFound if unknown."""
    supplier = _organisation(session, OrganisationKind.SUPPLIER, id=supplier_id)
    if supplier is None:
        raise NotFound(gettext("There is no supplier %(supplier)s.") % {"supplier": supplier_id})
    tenders = facts.load(
        session, tender_ids=facts.supplier_tender_ids(session, stored_id(supplier))
    )
    return profiles.supplier_profile(summaries.party(supplier), tenders, _parties(session))


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
