"""Profiles of buying entities and suppliers: every tender, bid, award and contract.

A supplier is shown by company name and registration id only; its contact details are never
read for these pages.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse

import procurement.insights.queries as queries
from core.auth.dependencies import OptionalUser
from core.clock import ClockDep
from core.db import SessionDep
from core.types import Id
from procurement.insights.schemas import Party
from public_site.svg import Chart
from public_site.tables import N_, Column, Format, Table, TableName, respond

router = APIRouter(include_in_schema=False)
SUPPLIERS_PAGE = 100  # suppliers a page of the directory lists (its downloads too)
PageNumber = Annotated[int, Query(ge=1, le=100_000)]


def tender_link(row: dict) -> str:
    return f"/tenders/{row['tender_id']}"


def buyer_link(row: dict) -> str:
    return f"/buyers/{row['buyer_slug']}"


def supplier_link(key: str = "supplier_id"):
    return lambda row: f"/suppliers/{row[key]}" if row.get(key) is not None else None


def party_cells(prefix: str, party: Party | None) -> dict:
    if party is None:
        return {
            f"{prefix}_id": None,
            f"{prefix}_slug": None,
            f"{prefix}": None,
            f"{prefix}_th": None,
        }
    cells = {
        f"{prefix}_id": party.id,
        f"{prefix}_slug": party.slug,
        f"{prefix}": party.name,
        f"{prefix}_th": party.name_th,
    }
    if prefix == "supplier":
        cells["registration_id"] = party.registration_id
    return cells


TENDER = Column("tender_id", N_("Tender"), "int", tender_link)
TITLE = Column("tender_title", N_("Title"), link=tender_link)
BUYER = Column("buyer", N_("Buyer"), link=buyer_link)
SUPPLIER = Column("supplier", N_("Supplier"), link=supplier_link())
CURRENCY = Column("currency", N_("Currency"))


def awards_table(awards) -> Table:
    return Table(
        "awards",
        N_("Awards"),
        [
            TENDER,
            TITLE,
            BUYER,
            SUPPLIER,
            Column("value", N_("Awarded value"), "money"),
            CURRENCY,
            Column("status", N_("Status")),
            Column("decided_at", N_("Decided"), "datetime"),
        ],
        [
            {
                "tender_id": a.tender_id,
                "tender_title": a.tender_title,
                **party_cells("buyer", a.buyer),
                **party_cells("supplier", a.supplier),
                "value": a.value,
                "currency": a.currency,
                "status": a.status,
                "decided_at": a.decided_at,
            }
            for a in awards
        ],
    )


def contracts_table(contracts) -> Table:
    return Table(
        "contracts",
        N_("Contracts"),
        [
            Column("contract_id", N_("Contract"), "int"),
            TENDER,
            TITLE,
            BUYER,
            SUPPLIER,
            Column("award_value", N_("Award value"), "money"),
            Column("value", N_("Contract value now"), "money"),
            CURRENCY,
            Column("signed_date", N_("Signed"), "date"),
        ],
        [
            {
                "contract_id": c.id,
                "tender_id": c.tender_id,
                "tender_title": c.tender_title,
                **party_cells("buyer", c.buyer),
                **party_cells("supplier", c.supplier),
                "award_value": c.award_value,
                "value": c.value,
                "currency": c.currency,
                "signed_date": c.signed_date,
            }
            for c in contracts
        ],
    )


def page_url(request: Request, page: int) -> str:
    return str(request.url.include_query_params(page=page))


def period_line(clock) -> str:
    return f"every published record up to {clock().date().isoformat()}"


@router.get("/suppliers", response_class=HTMLResponse)
def suppliers(
    request: Request,
    session: SessionDep,
    user: OptionalUser,
    clock: ClockDep,
    page: PageNumber = 1,
    format: Format = "html",
    table: TableName = None,
):
    """The directory of supplier companies, with their bids, wins and awarded value, largest
    awarded value first, SUPPLIERS_PAGE a page."""
    rows, count = queries.suppliers(
        session, offset=(page - 1) * SUPPLIERS_PAGE, limit=SUPPLIERS_PAGE
    )
    pages = max(1, -(-count // SUPPLIERS_PAGE))
    listing = Table(
        "suppliers",
        N_("Suppliers"),
        [
            SUPPLIER,
            Column("registration_id", N_("Registration id")),
            Column("bids", N_("Opened bids"), "int"),
            Column("wins", N_("Awards won"), "int"),
            Column("awarded_value", N_("Awarded value"), "money"),
            CURRENCY,
        ],
        [
            {
                **party_cells("supplier", r.supplier),
                "bids": r.bids,
                "wins": r.wins,
                "awarded_value": r.awarded_value,
                "currency": r.currency,
            }
            for r in rows
        ],
    )
    return respond(
        request,
        template="public_site/profile_suppliers.html",
        context={
            "user": user,
            "today": clock().date(),
            "previous_url": page_url(request, page - 1) if page > 1 else None,
            "next_url": page_url(request, page + 1) if page < pages else None,
        },
        tables=[listing],
        fmt=format,
        table=table,
        filename="suppliers" if page == 1 else f"suppliers-{page}",
        meta={
            "title": "Suppliers",
            "period": period_line(clock),
            "page": page,
            "pages": pages,
            "suppliers": count,
        },
    )


@router.get("/suppliers/{supplier_id}", response_class=HTMLResponse)
def supplier(
    request: Request,
    session: SessionDep,
    user: OptionalUser,
    clock: ClockDep,
    supplier_id: Id = Path(ge=1, le=2**62),
    format: Format = "html",
    table: TableName = None,
):
    """A supplier's profile: bids, awards, contracts, totals by year, win rate, rivals."""
    profile = queries.supplier_profile(session, supplier_id=supplier_id)
    bids = Table(
        "bids",
        N_("Bids (as opened)"),
        [
            TENDER,
            TITLE,
            BUYER,
            Column("opened_at", N_("Opened"), "datetime"),
            Column("price", N_("Price"), "money"),
            CURRENCY,
            Column("status", N_("Bid status")),
            Column("rank", N_("Rank"), "int"),
            Column("outcome", N_("Outcome")),
        ],
        [
            {
                "tender_id": b.tender_id,
                "tender_title": b.tender_title,
                **party_cells("buyer", b.buyer),
                "opened_at": b.opened_at,
                "price": b.price,
                "currency": b.currency,
                "status": b.status,
                "rank": b.rank,
                "outcome": b.outcome,
            }
            for b in profile.bids
        ],
    )
    years = Table(
        "years",
        N_("Totals by year"),
        [
            Column("year", N_("Year")),
            CURRENCY,
            Column("bids", N_("Opened bids"), "int"),
            Column("wins", N_("Awards won"), "int"),
            Column("awarded_value", N_("Awarded value"), "money"),
            Column("contracts", N_("Contracts"), "int"),
            Column("contracted_value", N_("Contracted value"), "money"),
        ],
        [y.model_dump() for y in profile.years],
    )
    rivals = Table(
        "competitors",
        N_("Who they compete with most"),
        [
            SUPPLIER,
            Column("registration_id", N_("Registration id")),
            Column("tenders", N_("Tenders bid together"), "int"),
            Column("wins", N_("Won by the rival"), "int"),
            Column("own_wins", N_("Won by this supplier"), "int"),
        ],
        [
            {
                **party_cells("supplier", c.party),
                "tenders": c.tenders,
                "wins": c.wins,
                "own_wins": c.own_wins,
            }
            for c in profile.competitors
        ],
    )
    tables = [bids, awards_table(profile.awards), contracts_table(profile.contracts), years, rivals]
    chart = Chart(
        "supplier-years",
        [str(y.year) for y in reversed(profile.years)],
        [y.awarded_value / 100 for y in reversed(profile.years)],
    )
    return respond(
        request,
        template="public_site/profile_supplier.html",
        context={"user": user, "profile": profile, "chart": chart, "today": clock().date()},
        tables=tables,
        fmt=format,
        table=table,
        filename=f"supplier-{supplier_id}",
        meta={
            "title": profile.supplier.name,
            "registration_id": profile.supplier.registration_id,
            "period": period_line(clock),
            "win_rate": profile.win_rate,
            "wins": profile.wins,
            "decided_bids": profile.decided_bids,
        },
    )


@router.get("/buyers/{slug}", response_class=HTMLResponse)
def buyer(
    request: Request,
    session: SessionDep,
    user: OptionalUser,
    clock: ClockDep,
    slug: str = Path(max_length=64),
    format: Format = "html",
    table: TableName = None,
):
    """A buying entity's profile: tenders, awards, contracts, totals by year, its bidders."""
    profile = queries.buyer_profile(session, slug=slug)
    tenders = Table(
        "tenders",
        N_("Tenders"),
        [
            TENDER,
            TITLE,
            Column("category", N_("Category")),
            Column("status", N_("Status")),
            Column("estimated_value", N_("Estimated value"), "money"),
            CURRENCY,
            Column("published_at", N_("Published"), "datetime"),
            Column("bidders", N_("Bidders"), "int"),
            SUPPLIER,
            Column("awarded_value", N_("Awarded value"), "money"),
        ],
        [
            {
                "tender_id": t.id,
                "tender_title": t.title,
                "category": t.category,
                "status": t.status,
                "estimated_value": t.estimated_value,
                "currency": t.currency,
                "published_at": t.published_at,
                "bidders": t.bidders,
                **party_cells("supplier", t.winner),
                "awarded_value": t.awarded_value,
            }
            for t in profile.tenders
        ],
    )
    years = Table(
        "years",
        N_("Totals by year"),
        [
            Column("year", N_("Year")),
            CURRENCY,
            Column("tenders", N_("Tenders published"), "int"),
            Column("estimated_value", N_("Estimated value"), "money"),
            Column("awards", N_("Awards"), "int"),
            Column("awarded_value", N_("Awarded value"), "money"),
            Column("contracts", N_("Contracts"), "int"),
            Column("contracted_value", N_("Contracted value"), "money"),
        ],
        [y.model_dump() for y in profile.years],
    )
    bidders = Table(
        "bidders",
        N_("Who competes for its tenders"),
        [
            SUPPLIER,
            Column("registration_id", N_("Registration id")),
            Column("tenders", N_("Tenders bid in"), "int"),
            Column("wins", N_("Won"), "int"),
        ],
        [
            {**party_cells("supplier", c.party), "tenders": c.tenders, "wins": c.wins}
            for c in profile.bidders
        ],
    )
    tables = [
        tenders,
        awards_table(profile.awards),
        contracts_table(profile.contracts),
        years,
        bidders,
    ]
    chart = Chart(
        "buyer-years",
        [str(y.year) for y in reversed(profile.years)],
        [y.awarded_value / 100 for y in reversed(profile.years)],
    )
    return respond(
        request,
        template="public_site/profile_buyer.html",
        context={"user": user, "profile": profile, "chart": chart, "today": clock().date()},
        tables=tables,
        fmt=format,
        table=table,
        filename=f"buyer-{slug}",
        meta={
            "title": profile.buyer.name,
            "period": period_line(clock),
            "opened_tenders": profile.opened_tenders,
            "average_bidders": profile.average_bidders,
            "single_bid_share": profile.single_bid_share,
        },
    )
