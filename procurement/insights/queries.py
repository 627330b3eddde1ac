"""Public reads for profiles, rankings, red flags and charts of procurement, as plain schemas.

A period is a calendar year of publication (tenders published in that year), or every
published tender when no year is given.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlmodel import Session, col, select

from core.auth.models import Organisation, OrganisationKind
from core.auth.queries import NOT_YET_PUBLIC
from core.db import stored_id
from core.errors import NotFound
from core.i18n import gettext
from procurement.insights import facts, flags, profiles, rules, stats
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
from procurement.tenders.models import Tender, TenderStatus

DEFAULT_CURRENCY = "THB"


def _party(organisation: Organisation) -> Party:
    return Party(
        id=stored_id(organisation),
        slug=organisation.slug,
        name=organisation.name,
        name_th=organisation.name_th,
        registration_id=organisation.registration_id,
    )


def _parties(session: Session) -> Callable[[int], Party]:
    """A lookup of every buying entity and supplier, by organisation id."""
    kinds = [OrganisationKind.BUYING_ENTITY, OrganisationKind.SUPPLIER]
    known = {
        o.id: _party(o)
        for o in session.exec(select(Organisation).where(col(Organisation.kind).in_(kinds)))
    }

    def party(organisation_id: int) -> Party:
        if organisation_id not in known:
            known[organisation_id] = _party(session.get_one(Organisation, organisation_id))
        return known[organisation_id]

    return party


def _in_period(tenders: list[facts.TenderFact], year: int | None) -> list[facts.TenderFact]:
    if year is None:
        return tenders
    return [t for t in tenders if t.published_at and t.published_at.year == year]


def _organisation(session: Session, kind: OrganisationKind, **where) -> Organisation | None:
    query = select(Organisation).where(Organisation.kind == kind)
    for name, value in where.items():
        query = query.where(getattr(Organisation, name) == value)
    return session.exec(query).first()


def years(session: Session) -> list[int]:
    """Years in which tenders were published, newest first."""
    dates = session.exec(
        select(Tender.published_at).where(
            Tender.status != TenderStatus.DRAFT, col(Tender.published_at).is_not(None)
        )
    )
    return sorted({d.year for d in dates if d is not None}, reverse=True)


def buyer_profile(session: Session, *, slug: str) -> BuyerProfile:
    """A buying entity's profile; NotFound for an unknown slug."""
    buyer = _organisation(session, OrganisationKind.BUYING_ENTITY, slug=slug)
    if buyer is None:
        raise NotFound(gettext("There is no buying entity %(slug)s.") % {"slug": repr(slug)})
    tenders = facts.load(session, buyer_id=buyer.id)
    return profiles.buyer_profile(_party(buyer), tenders, _parties(session))


def supplier_profile(session: Session, *, supplier_id: int) -> SupplierProfile:
    """A supplier's profile (name and registration id; never contacts); NotFound if unknown."""
    supplier = _organisation(session, OrganisationKind.SUPPLIER, id=supplier_id)
    if supplier is None:
        raise NotFound(gettext("There is no supplier %(supplier)s.") % {"supplier": supplier_id})
    tenders = facts.load(
        session, tender_ids=facts.supplier_tender_ids(session, stored_id(supplier))
    )
    return profiles.supplier_profile(_party(supplier), tenders, _parties(session))


def suppliers(session: Session) -> list[SupplierListRow]:
    """Every supplier company with its opened bids, wins and awarded value."""
    companies = session.exec(
        select(Organisation).where(
            Organisation.kind == OrganisationKind.SUPPLIER,
            col(Organisation.status).notin_(NOT_YET_PUBLIC),
        )
    )
    return profiles.supplier_list(
        [_party(o) for o in companies], facts.load(session), DEFAULT_CURRENCY
    )


def buyer_rankings(session: Session, *, year: int | None = None) -> list[BuyerCompetition]:
    """Buying entities ranked by competition on their tenders of the period."""
    tenders = _in_period(facts.load(session), year)
    return stats.buyer_competition(tenders, _parties(session))


def _flags(session: Session, year: int | None) -> list[FlaggedTender]:
    return flags.evaluate(_in_period(facts.load(session), year), _parties(session))


def indicators(session: Session, *, year: int | None = None) -> list[Indicator]:
    """Every red-flag indicator with its definition and how many tenders it flags."""
    raised = _flags(session, year)
    return [
        Indicator(
            code=i.code,
            title=i.title,
            definition=i.definition,
            threshold=i.threshold,
            threshold_message=i.threshold_message,
            threshold_values=dict(i.values),
            follows=i.follows,
            why=i.why,
            flagged=len({f.tender_id for f in raised if f.code == i.code}),
        )
        for i in rules.INDICATORS
    ]


def indicator(session: Session, *, code: str, year: int | None = None):
    """One indicator and every flag it raises; NotFound for an unknown code."""
    if code not in rules.BY_CODE:
        raise NotFound(gettext("There is no red flag %(code)s.") % {"code": repr(code)})
    raised = [f for f in _flags(session, year) if f.code == code]
    found = rules.BY_CODE[code]
    described = Indicator(
        code=found.code,
        title=found.title,
        definition=found.definition,
        threshold=found.threshold,
        threshold_message=found.threshold_message,
        threshold_values=dict(found.values),
        follows=found.follows,
        why=found.why,
        flagged=len({f.tender_id for f in raised}),
    )
    return described, raised


def tender_flags(session: Session, *, tender_id: int) -> list[FlaggedTender]:
    """The red flags raised on one tender (for its page); empty for a draft or unknown id.

    The same flags the red-flag pages list for it, read from this tender's own record, its
    buyer's award counts and its losing bidders' histories only (never every tender).
    """
    found = facts.load(session, tender_ids=[tender_id])
    if not found:
        return []
    tender = found[0]
    buyer_awards: dict[int, int] = {}
    captive: dict[int, int] = {}
    if tender.award is not None:
        buyer_awards = facts.buyer_awards(session, tender.buyer_id)
        losers = tender.bidders - {tender.award.supplier_id}
        for loser, (won, losses, winners, winner) in facts.loser_records(session, losers).items():
            if rules.always_loses_to_one(ever_won=won, losses=losses, winners=winners):
                assert winner is not None  # they lost to exactly one winner
                captive[loser] = winner
    known = facts.organisations(
        session, {tender.buyer_id} | tender.bidders | {a.supplier_id for a in tender.awards}
    )
    return flags.evaluate_one(
        tender,
        buyer_awards=buyer_awards,
        captive=captive,
        party=lambda organisation_id: _party(known[organisation_id]),
    )


def charts(session: Session, *, year: int | None = None) -> ProcurementCharts:
    """The figures behind the procurement charts for the period."""
    tenders = _in_period(facts.load(session), year)
    return ProcurementCharts(
        awarded_by_month=stats.awarded_by_month(tenders),
        awarded_by_category=stats.awarded_by_category(tenders),
        top_suppliers=stats.top_suppliers(tenders, _parties(session)),
        bidders_per_tender=stats.bidders_per_tender(tenders),
    )
