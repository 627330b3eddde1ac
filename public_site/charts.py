"""Charts: spending, suppliers, competition and permit processing times, each with its data."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

import permits.insights.queries as permit_insights
import procurement.insights.queries as procurement_insights
from core.auth.dependencies import OptionalUser
from core.clock import ClockDep
from core.db import SessionDep
from core.i18n import gettext
from public_site.profiles import CURRENCY, SUPPLIER, party_cells
from public_site.rankings import period_text
from public_site.svg import Chart, short_number
from public_site.tables import N_, Column, Format, Table, TableName, Year, respond

CATEGORY_NAMES = {"goods": N_("Goods"), "works": N_("Works"), "services": N_("Services")}

router = APIRouter(include_in_schema=False)


def _baht(value: float) -> str:
    return short_number(value)


@router.get("/charts", response_class=HTMLResponse)
def charts(
    request: Request,
    session: SessionDep,
    user: OptionalUser,
    clock: ClockDep,
    year: Year = None,
    format: Format = "html",
    table: TableName = None,
):
    """Every chart of the site, with its data table and downloads beside it."""
    figures = procurement_insights.charts(session, year=year)
    permits = permit_insights.charts(session, year=year)
    by_month = Table(
        "awarded_by_month",
        N_("Awarded value by month"),
        [
            Column("month", N_("Month")),
            CURRENCY,
            Column("awards", N_("Awards"), "int"),
            Column("value", N_("Awarded value"), "money"),
        ],
        [m.model_dump() for m in figures.awarded_by_month],
        note=N_("Value of the live (not cancelled) awards, by the month they were decided."),
    )
    by_category = Table(
        "awarded_by_category",
        N_("Awarded value by category"),
        [
            Column("category", N_("Category")),
            CURRENCY,
            Column("awards", N_("Awards"), "int"),
            Column("value", N_("Awarded value"), "money"),
        ],
        [c.model_dump() for c in figures.awarded_by_category],
        note=N_("Value of the live awards, by the tender's category (goods, works, services)."),
    )
    top = Table(
        "top_suppliers",
        N_("Top suppliers by awarded value"),
        [
            SUPPLIER,
            Column("registration_id", N_("Registration id")),
            CURRENCY,
            Column("awards", N_("Awards"), "int"),
            Column("value", N_("Awarded value"), "money"),
        ],
        [
            {
                **party_cells("supplier", s.supplier),
                "currency": s.currency,
                "awards": s.awards,
                "value": s.value,
            }
            for s in figures.top_suppliers
        ],
        note=N_("The ten suppliers with the largest value of live awards."),
    )
    bidders = Table(
        "bidders_per_tender",
        N_("Bidders per tender"),
        [
            Column("bidders", N_("Bidders")),
            Column("tenders", N_("Opened tenders"), "int"),
        ],
        [b.model_dump() for b in figures.bidders_per_tender],
        note=N_("Opened tenders by the number of companies whose bids were opened."),
    )
    distribution = Table(
        "permit_processing_days",
        N_("Permit processing time"),
        [
            Column("days", N_("Business days")),
            Column("applications", N_("Decided applications"), "int"),
        ],
        [d.model_dump() for d in permits.processing_days],
        note=N_(
            "Decided (approved or rejected) applications by business days from submission "
            "to decision, less the days the clock stopped waiting for the applicant."
        ),
    )
    trend = Table(
        "permit_processing_trend",
        N_("Median permit processing time by month"),
        [
            Column("month", N_("Month of decision")),
            Column("decided", N_("Decided applications"), "int"),
            Column("median_days", N_("Median business days"), "decimal"),
        ],
        [m.model_dump() for m in permits.processing_trend],
        note=N_("The median of the same business days, by the month of the decision."),
    )
    tables = [by_month, by_category, top, bidders, distribution, trend]
    pictures = {
        "awarded_by_month": Chart(
            "awarded-by-month",
            [r["month"] for r in by_month.rows],
            [r["value"] / 100 for r in by_month.rows],
            value_text=_baht,
        ),
        "awarded_by_category": Chart(
            "awarded-by-category",
            [gettext(CATEGORY_NAMES.get(r["category"], r["category"])) for r in by_category.rows],
            [r["value"] / 100 for r in by_category.rows],
            value_text=_baht,
        ),
        "top_suppliers": Chart(
            "top-suppliers",
            [r["supplier"] for r in top.rows],
            [r["value"] / 100 for r in top.rows],
            kind="hbars",
            value_text=_baht,
        ),
        "bidders_per_tender": Chart(
            "bidders-per-tender",
            [r["bidders"] for r in bidders.rows],
            [r["tenders"] for r in bidders.rows],
            value_text=lambda v: f"{v:g}",
        ),
        "permit_processing_days": Chart(
            "permit-processing-days",
            [r["days"] for r in distribution.rows],
            [r["applications"] for r in distribution.rows],
            value_text=lambda v: f"{v:g}",
        ),
        "permit_processing_trend": Chart(
            "permit-processing-trend",
            [r["month"] for r in trend.rows],
            [r["median_days"] for r in trend.rows],
            kind="line",
            value_text=lambda v: f"{v:g}",
        ),
    }
    years = sorted(
        set(procurement_insights.years(session)) | set(permit_insights.years(session)), reverse=True
    )
    return respond(
        request,
        template="public_site/charts.html",
        context={
            "user": user,
            "charts": pictures,
            "year": year,
            "years": years,
            "today": clock().date(),
        },
        tables=tables,
        fmt=format,
        table=table,
        filename="charts",
        meta={
            "title": "Charts",
            "period": period_text(year, clock().date()),
            "notes": {t.name: t.note for t in tables},
        },
    )
