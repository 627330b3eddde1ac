"""Red flags: integrity indicators on the platform's own data, each with every tender it flags.

The definitions and thresholds live in procurement.red_flags (pure rules); these pages state
them next to the tenders, so a reader can check each flag by hand.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse

import procurement.insights.queries as queries
from core.auth.dependencies import OptionalUser
from core.clock import ClockDep
from core.db import SessionDep
from core.i18n import gettext
from public_site.profiles import BUYER, SUPPLIER, TENDER, TITLE, party_cells
from public_site.rankings import period_text
from public_site.tables import N_, Column, Format, Table, TableName, Year, respond

router = APIRouter(include_in_schema=False)
PAGE = 200  # flagged tenders a page lists; `after` continues, a page (and download) at a time
After = Annotated[int, Query(ge=0, le=2**62)]
DISCLAIMER = (
    "A red flag is a reason to look closer, not proof of wrongdoing: many flagged tenders "
    "have an ordinary explanation, which the tender's own record often gives."
)


def flag_link(row: dict) -> str:
    return f"/red-flags/{row['code']}"


@router.get("/red-flags", response_class=HTMLResponse)
def red_flags(
    request: Request,
    session: SessionDep,
    user: OptionalUser,
    clock: ClockDep,
    year: Year = None,
    format: Format = "html",
    table: TableName = None,
):
    """Every indicator with its definition, threshold, source and how many tenders it flags."""
    indicators = queries.indicators(session, year=year)
    listing = Table(
        "indicators",
        N_("Indicators"),
        [
            Column("title", N_("Indicator"), link=flag_link),
            Column("code", N_("Code")),
            Column("definition", N_("Definition")),
            Column("threshold", N_("Threshold")),
            Column("follows", N_("Follows")),
            Column("flagged", N_("Tenders flagged"), "int"),
        ],
        [i.model_dump() for i in indicators],
    )
    return respond(
        request,
        template="public_site/red_flags.html",
        context={
            "user": user,
            "indicators": indicators,
            "year": year,
            "years": queries.years(session),
            "disclaimer": DISCLAIMER,
            "today": clock().date(),
        },
        tables=[listing],
        fmt=format,
        table=table,
        filename="red-flags",
        meta={"title": "Red flags", "period": period_text(year, clock().date())},
    )


@router.get("/red-flags/{code}", response_class=HTMLResponse)
def red_flag(
    request: Request,
    session: SessionDep,
    user: OptionalUser,
    clock: ClockDep,
    code: str = Path(max_length=40),
    year: Year = None,
    after: After = 0,
    format: Format = "html",
    table: TableName = None,
):
    """One indicator: its definition and threshold, and a link to every tender it flags,
    PAGE tenders at a time (`after` the last one shown), oldest tender first."""
    indicator, flagged, more = queries.indicator(
        session, code=code, year=year, after=after, limit=PAGE
    )
    next_url = str(request.url.include_query_params(after=more)) if more is not None else None
    tenders = Table(
        "tenders",
        N_("Flagged tenders"),
        [
            TENDER,
            TITLE,
            BUYER,
            SUPPLIER,
            Column("registration_id", N_("Registration id")),
            Column("measure", N_("Why it is flagged")),
        ],
        [
            {
                "tender_id": f.tender_id,
                "tender_title": f.tender_title,
                **party_cells("buyer", f.buyer),
                **party_cells("supplier", f.supplier),
                "measure": f.measure,
                # shown on Thai pages in Thai (the downloads keep the English measure)
                "measure_th": gettext(f.measure_message) % f.measure_values
                if f.measure_message
                else None,
            }
            for f in flagged
        ],
    )
    return respond(
        request,
        template="public_site/red_flag.html",
        context={
            "user": user,
            "indicator": indicator,
            "year": year,
            "years": queries.years(session),
            "disclaimer": DISCLAIMER,
            "today": clock().date(),
            "next_url": next_url,
            "page_size": PAGE,
        },
        tables=[tenders],
        fmt=format,
        table=table,
        filename=f"red-flag-{code}",
        meta={
            "title": indicator.title,
            "code": indicator.code,
            "definition": indicator.definition,
            "threshold": indicator.threshold,
            "follows": indicator.follows,
            "period": period_text(year, clock().date()),
            "after": after,
            "next": next_url,
        },
    )
