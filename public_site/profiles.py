"""Profiles of buying entities and suppliers: their totals, and their tenders, bids, awards
and contracts a page at a time (PROFILE_PAGE rows of each list, newest first, ?page=N); a
download of a list holds all of it, streamed.

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
from public_site import profile_tables
from public_site.profile_tables import (  # noqa: F401  (the other pages' tables use them too)
    BUYER,
    CURRENCY,
    SUPPLIER,
    TENDER,
    TITLE,
    buyer_link,
    list_table,
    party_cells,
    supplier_link,
    tender_link,
)
from public_site.svg import Chart
from public_site.tables import N_, Column, Format, Table, TableName, respond

router = APIRouter(include_in_schema=False)
SUPPLIERS_PAGE = 100  # suppliers a page of the directory lists (its downloads too)
PageNumber = Annotated[int, Query(ge=1, le=100_000)]


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


def _profile_page(
    request: Request,
    *,
    page: int,
    pages: int,
    lists: dict[str, list],
    counts: dict[str, int],
    extra: list[Table],
    fetch,
    fmt: str,
    table: str | None,
    filename: str,
    template: str,
    context: dict,
    meta: dict,
):
    """The profile's page, its JSON twin, or a download of one table (a list: all of it)."""
    if table in lists and fmt != "html":
        return profile_tables.download(
            request,
            name=table,
            fetch=lambda session, offset, limit: fetch(session, table, offset, limit),
            fmt=fmt,
            filename=filename,
            meta=meta,
        )
    tables = [list_table(name, rows) for name, rows in lists.items()] + extra
    return respond(
        request,
        template=template,
        context={
            **context,
            "counts": counts,
            "size": queries.PROFILE_PAGE,
            "previous_url": page_url(request, page - 1) if page > 1 else None,
            "next_url": page_url(request, page + 1) if page < pages else None,
        },
        tables=tables,
        fmt=fmt,
        table=table,
        filename=filename,
        meta={**meta, "page": page, "pages": pages, "counts": counts},
    )


def _years_chart(ident: str, years) -> Chart:
    return Chart(
        ident,
        [str(y.year) for y in reversed(years)],
        [y.awarded_value / 100 for y in reversed(years)],
    )


@router.get("/suppliers/{supplier_id}", response_class=HTMLResponse)
def supplier(
    request: Request,
    session: SessionDep,
    user: OptionalUser,
    clock: ClockDep,
    supplier_id: Id = Path(ge=1, le=2**62),
    page: PageNumber = 1,
    format: Format = "html",
    table: TableName = None,
):
    """A supplier's profile: totals by year, win rate, then a page of its bids, awards,
    contracts and rivals."""
    profile = queries.supplier_profile(
        session, supplier_id=supplier_id, page=page, size=queries.PROFILE_PAGE
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
    return _profile_page(
        request,
        page=page,
        pages=profile.pages,
        lists={
            "bids": profile.bids,
            "awards": profile.awards,
            "contracts": profile.contracts,
            "competitors": profile.competitors,
        },
        counts=profile.counts,
        extra=[years],
        fetch=lambda s, name, offset, limit: queries.supplier_list(
            s, supplier_id=profile.supplier.id, name=name, offset=offset, limit=limit
        ),
        fmt=format,
        table=table,
        filename=f"supplier-{supplier_id}",
        template="public_site/profile_supplier.html",
        context={
            "user": user,
            "profile": profile,
            "chart": _years_chart("supplier-years", profile.years),
            "today": clock().date(),
        },
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
    page: PageNumber = 1,
    format: Format = "html",
    table: TableName = None,
):
    """A buying entity's profile: totals by year, competition, then a page of its tenders,
    bidders, awards and contracts."""
    profile = queries.buyer_profile(session, slug=slug, page=page, size=queries.PROFILE_PAGE)
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
    return _profile_page(
        request,
        page=page,
        pages=profile.pages,
        lists={
            "tenders": profile.tenders,
            "bidders": profile.bidders,
            "awards": profile.awards,
            "contracts": profile.contracts,
        },
        counts=profile.counts,
        extra=[years],
        fetch=lambda s, name, offset, limit: queries.buyer_list(
            s, buyer_id=profile.buyer.id, name=name, offset=offset, limit=limit
        ),
        fmt=format,
        table=table,
        filename=f"buyer-{slug}",
        template="public_site/profile_buyer.html",
        context={
            "user": user,
            "profile": profile,
            "chart": _years_chart("buyer-years", profile.years),
            "today": clock().date(),
        },
        meta={
            "title": profile.buyer.name,
            "period": period_line(clock),
            "opened_tenders": profile.opened_tenders,
            "average_bidders": profile.average_bidders,
            "single_bid_share": profile.single_bid_share,
        },
    )
