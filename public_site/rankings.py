"""Rankings: permit departments by timeliness, buying entities by competition."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

import permits.insights.queries as permit_insights
import procurement.insights.queries as procurement_insights
from core.auth.dependencies import OptionalUser
from core.clock import ClockDep
from core.db import SessionDep
from core.i18n import current_locale
from public_site.profiles import buyer_link
from public_site.svg import Chart
from public_site.tables import N_, Column, Format, Table, TableName, Year, respond

router = APIRouter(include_in_schema=False)
RankBy = Annotated[Literal["on_time", "median", "backlog"], Query()]

# Marked for translation here (N_) and translated on the page; the JSON keeps the English.
DEPARTMENT_DEFINITION = N_(
    "Each permit department's stages that ended (advanced, approved or rejected) in the period: "
    "the share that ended on or before their legal due date, and the median business days they "
    "took, less the days the clock was stopped waiting for the applicant. Backlog is the "
    "stages open now; overdue, those of them past their due date while the application is in "
    "progress. Ranked by {order}; ties go to the next measure."
)
ORDERS = {
    "on_time": N_("on-time share (highest first), then median days, then backlog"),
    "median": N_("median days (fewest first), then on-time share, then backlog"),
    "backlog": N_("backlog (smallest first), then on-time share, then median days"),
}
BUYER_DEFINITION = N_(
    "Each buying entity's tenders published in the period whose bids have been opened: the "
    "average number of bidders per opened tender, and the share of them with exactly one "
    "bidder. Ranked by average bidders (highest first), then single-bid share (lowest first)."
)


def period_text(year: int | None, today) -> str:
    if year is None:
        return f"all records up to {today.isoformat()}"
    return f"the calendar year {year}"


@router.get("/rankings", response_class=HTMLResponse)
def rankings(
    request: Request,
    session: SessionDep,
    user: OptionalUser,
    clock: ClockDep,
    year: Year = None,
    rank_by: RankBy = "on_time",
    format: Format = "html",
    table: TableName = None,
):
    """Departments ranked by on-time share, median days and backlog; buyers by competition."""
    departments = permit_insights.department_rankings(
        session, now=clock(), year=year, rank_by=rank_by
    )
    buyers = procurement_insights.buyer_rankings(session, year=year)
    department_table = Table(
        "departments",
        N_("Permit departments"),
        [
            Column("rank", N_("Rank"), "int"),
            Column("department", N_("Department"), link=lambda r: f"/departments/{r['slug']}"),
            Column("completed", N_("Stages completed"), "int"),
            Column("on_time", N_("On time"), "int"),
            Column("on_time_share", N_("On-time share (%%)"), "percent"),
            Column("median_days", N_("Median business days"), "decimal"),
            Column("backlog", N_("Backlog"), "int"),
            Column("overdue", N_("Overdue now"), "int"),
        ],
        [
            {
                "rank": d.rank,
                "department": d.name,
                "department_th": d.name_th,
                "slug": d.slug,
                "completed": d.completed,
                "on_time": d.on_time,
                "on_time_share": d.on_time_share,
                "median_days": d.median_days,
                "backlog": d.backlog,
                "overdue": d.overdue,
            }
            for d in departments
        ],
        note=DEPARTMENT_DEFINITION.format(order=ORDERS[rank_by]),
    )
    buyer_table = Table(
        "buyers",
        N_("Buying entities by competition"),
        [
            Column("rank", N_("Rank"), "int"),
            Column("buyer", N_("Buying entity"), link=buyer_link),
            Column("opened_tenders", N_("Opened tenders"), "int"),
            Column("bids", N_("Bids"), "int"),
            Column("average_bidders", N_("Average bidders"), "decimal"),
            Column("single_bid_tenders", N_("Single-bid tenders"), "int"),
            Column("single_bid_share", N_("Single-bid share (%%)"), "percent"),
        ],
        [
            {
                "rank": b.rank,
                "buyer": b.buyer.name,
                "buyer_th": b.buyer.name_th,
                "buyer_slug": b.buyer.slug,
                "opened_tenders": b.opened_tenders,
                "bids": b.bids,
                "average_bidders": b.average_bidders,
                "single_bid_tenders": b.single_bid_tenders,
                "single_bid_share": b.single_bid_share,
            }
            for b in buyers
        ],
        note=BUYER_DEFINITION,
    )
    chart = Chart(
        "on-time-share",
        [d.name_th if current_locale() == "th" and d.name_th else d.name for d in departments],
        [(d.on_time_share or 0) * 100 for d in departments],
        kind="hbars",
        value_text=lambda v: f"{v:.1f} %",
    )
    return respond(
        request,
        template="public_site/rankings.html",
        context={
            "user": user,
            "chart": chart,
            "year": year,
            "rank_by": rank_by,
            "today": clock().date(),
            "department_definition": DEPARTMENT_DEFINITION,
            "order": ORDERS[rank_by],
            "years": sorted(
                set(procurement_insights.years(session)) | set(permit_insights.years(session)),
                reverse=True,
            ),
        },
        tables=[department_table, buyer_table],
        fmt=format,
        table=table,
        filename="rankings",
        meta={
            "title": "Rankings",
            "period": period_text(year, clock().date()),
            "definitions": {"departments": department_table.note, "buyers": BUYER_DEFINITION},
        },
    )
