"""Site-wide procurement figures read from the aggregates: a bounded number of rows per page.

The figures are those of the full pass (procurement.insights.stats and profiles over
facts.load), which the tests keep as the reference; here they are read from the running
totals that procurement.insights.aggregates keeps, so their cost does not grow with the archive.
A period is a year of publication; year 0 in the totals is every year.
"""

from __future__ import annotations

from collections.abc import Callable, Collection

from sqlmodel import Session, col, func, select

from core.auth.models import Organisation, OrganisationKind
from core.auth.queries import NOT_YET_PUBLIC, count_organisations
from core.db import stored_id
from procurement.insights.aggregates import BIDDER_BUCKETS
from procurement.insights.models import InsightSum
from procurement.insights.schemas import (
    BidderCount,
    BuyerCompetition,
    CategoryValue,
    MonthValue,
    Party,
    ProcurementCharts,
    SupplierListRow,
    SupplierValue,
)

TOP_SUPPLIERS = 10


def party(organisation: Organisation) -> Party:
    return Party(
        id=stored_id(organisation),
        slug=organisation.slug,
        name=organisation.name,
        name_th=organisation.name_th,
        registration_id=organisation.registration_id,
    )


def parties(session: Session, ids: Collection[int]) -> Callable[[int], Party]:
    """A lookup of these organisations (and any other asked for later), by id."""
    known: dict[int, Party] = {}
    if ids:
        rows = session.exec(select(Organisation).where(col(Organisation.id).in_(list(ids))))
        known = {stored_id(o): party(o) for o in rows}

    def lookup(organisation_id: int) -> Party:
        if organisation_id not in known:
            known[organisation_id] = party(session.get_one(Organisation, organisation_id))
        return known[organisation_id]

    return lookup


def sums(session: Session, kind: str, year: int | None, *where) -> list[InsightSum]:
    """The running totals of one kind for the period (every year when None)."""
    query = select(InsightSum).where(InsightSum.kind == kind, InsightSum.year == (year or 0))
    return list(session.exec(query.where(*where)))


def years(session: Session) -> list[int]:
    """Years in which tenders were published, newest first."""
    found = session.exec(
        select(InsightSum.year).where(
            InsightSum.kind == "totals", InsightSum.year != 0, InsightSum.n1 > 0
        )
    )
    return sorted(found, reverse=True)


def published(session: Session) -> int:
    """Published tenders, every year."""
    row = sums(session, "totals", None)
    return row[0].n1 if row else 0


def buyer_competition(session: Session, year: int | None) -> list[BuyerCompetition]:
    """Buyers by competition: highest average bidders first, then lowest single-bid share."""
    rows = sums(session, "buyer", year, InsightSum.n1 > 0)
    name = parties(session, [r.k1 for r in rows])
    ranked = sorted(
        (
            BuyerCompetition(
                rank=0,
                buyer=name(r.k1),
                opened_tenders=r.n1,
                bids=r.n2,
                average_bidders=round(r.n2 / r.n1, 2),
                single_bid_tenders=r.n3,
                single_bid_share=round(r.n3 / r.n1, 4),
            )
            for r in rows
        ),
        key=lambda r: (-r.average_bidders, r.single_bid_share, r.buyer.name),
    )
    return [row.model_copy(update={"rank": i}) for i, row in enumerate(ranked, start=1)]


def _top_suppliers(session: Session, year: int | None) -> list[SupplierValue]:
    """The TOP_SUPPLIERS largest awarded values (ties at the cut read in full, then by name)."""
    awarded = (InsightSum.kind == "supplier", InsightSum.year == (year or 0), InsightSum.n2 > 0)
    cut = session.exec(
        select(InsightSum.n1)
        .where(*awarded)
        .order_by(col(InsightSum.n1).desc())
        .offset(TOP_SUPPLIERS - 1)
        .limit(1)
    ).first()
    query = select(InsightSum).where(*awarded)
    if cut is not None:
        query = query.where(InsightSum.n1 >= cut)
    rows = list(session.exec(query))
    name = parties(session, [r.k1 for r in rows])
    values = [
        SupplierValue(supplier=name(r.k1), currency=r.cur, awards=r.n2, value=r.n1) for r in rows
    ]
    return sorted(values, key=lambda r: (-r.value, r.supplier.name))[:TOP_SUPPLIERS]


def charts(session: Session, year: int | None) -> ProcurementCharts:
    """The figures behind the procurement charts for the period."""
    months = sums(session, "month", year, InsightSum.n1 > 0)
    categories = sums(session, "category", year, InsightSum.n1 > 0)
    buckets = {r.k3: r.n1 for r in sums(session, "bidders", year)}
    return ProcurementCharts(
        awarded_by_month=[
            MonthValue(month=r.k3, currency=r.cur, awards=r.n1, value=r.n2)
            for r in sorted(months, key=lambda r: (r.k3, r.cur))
        ],
        awarded_by_category=sorted(
            (
                CategoryValue(category=r.k3, currency=r.cur, awards=r.n1, value=r.n2)
                for r in categories
            ),
            key=lambda r: (-r.value, r.category),
        ),
        top_suppliers=_top_suppliers(session, year),
        bidders_per_tender=[
            BidderCount(
                bidders=str(n) if n < BIDDER_BUCKETS else f"{BIDDER_BUCKETS}+",
                tenders=buckets.get(str(n), 0),
            )
            for n in range(BIDDER_BUCKETS + 1)
        ],
    )


def supplier_list(
    session: Session, currency: str, *, offset: int = 0, limit: int | None = None
) -> tuple[list[SupplierListRow], int]:
    """Registered suppliers with their opened bids, wins and awarded value, largest value
    first, then most bids, then by name: `limit` of them from `offset` (all when None), and
    how many there are.

    The companies that ever bid come first, ranked from their running totals; the many that
    never did (a country registers hundreds of thousands) follow by name, read a page at a
    time from the directory's (kind, name) index, never all of them."""
    total = count_organisations(session)[OrganisationKind.SUPPLIER]  # the job's, if it ran
    value, wins, bids = (func.sum(c) for c in (InsightSum.n1, InsightSum.n2, InsightSum.n3))
    acted = (InsightSum.kind == "supplier", InsightSum.year == 0)
    ranked = (
        select(col(InsightSum.k1), value, wins, bids)
        .join(Organisation, col(Organisation.id) == InsightSum.k1)
        .where(*acted, *_public_suppliers())
        .group_by(col(InsightSum.k1), col(Organisation.name))
        .having((value > 0) | (bids > 0))
        .order_by(value.desc(), bids.desc(), col(Organisation.name), col(InsightSum.k1))
    )
    active = session.exec(select(func.count()).select_from(ranked.subquery())).one()
    rows: list[tuple[int, int, int, int]] = [
        (int(k1), int(v), int(w), int(b))
        for k1, v, w, b in session.exec(
            ranked.offset(offset).limit(limit if limit is not None else active)
        )
    ]
    wanted = None if limit is None else limit - len(rows)
    if wanted is None or wanted > 0:
        took_part = (
            select(InsightSum.k1)
            .where(*acted, InsightSum.k1 == Organisation.id)
            .where((InsightSum.n1 > 0) | (InsightSum.n3 > 0))
        )
        never = (
            select(Organisation.id)
            .where(*_public_suppliers(), ~took_part.exists())
            .order_by(col(Organisation.name), col(Organisation.id))
            .offset(max(0, offset - active))
            .limit(wanted)
        )
        rows += [(int(i or 0), 0, 0, 0) for i in session.exec(never)]
    party_of = parties(session, [r[0] for r in rows])
    return [
        SupplierListRow(
            supplier=party_of(supplier_id),
            bids=b,
            wins=w,
            awarded_value=v,
            currency=currency,
        )
        for supplier_id, v, w, b in rows
    ], total


def _public_suppliers() -> tuple:
    return (
        col(Organisation.kind) == OrganisationKind.SUPPLIER,
        col(Organisation.status).notin_(NOT_YET_PUBLIC),
    )


def home_awards(session: Session) -> tuple[int, dict[str, int]]:
    """Standstill and final awards, and their value by currency, every year."""
    rows = sums(session, "home", None, InsightSum.n1 > 0)
    return sum(r.n1 for r in rows), {r.cur: r.n2 for r in rows}
