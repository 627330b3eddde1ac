"""The public site's pages: the home page, the open data page; transparency and feeds mounted."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from core.auth.dependencies import OptionalUser
from core.auth.queries import count_organisations
from core.clock import ClockDep
from core.db import SessionDep
from core.templating import render
from core.web import SettingsDep
from permits import queries as permit_queries
from procurement.public import activity as procurement_activity
from public_site import feeds, transparency

router = APIRouter(include_in_schema=False)
router.include_router(transparency.router)
router.include_router(feeds.router)
CLOSING_WITHIN = timedelta(days=7)


@router.get("/", response_class=HTMLResponse)
def home(
    request: Request,
    session: SessionDep,
    user: OptionalUser,
    clock: ClockDep,
    settings: SettingsDep,
):
    """What is happening now: tenders closing, openings today, awards, permit changes."""
    now = clock()
    local_day = now.astimezone(settings.zone).date()
    day_start = datetime.combine(local_day, time(0), tzinfo=settings.zone)
    buying = procurement_activity
    permits = permit_queries.activity()
    prefix = settings.ocid_prefix
    return render(
        request,
        "public_site/home.html",
        {
            "user": user,
            "now": now,
            "today": local_day,
            "counts": count_organisations(session),
            "procurement": buying.figures(session, now=now),
            "permits": permits.figures(session, now=now),
            "closing": buying.closing_soon(session, prefix=prefix, now=now, within=CLOSING_WITHIN),
            "openings": buying.openings_between(
                session, prefix=prefix, start=day_start, end=day_start + timedelta(days=1)
            ),
            "awards": buying.recent_awards(session, prefix=prefix, limit=5),
            "changes": permits.recent_changes(session, limit=8),
            "overdue": permits.fell_overdue(session, limit=5),
            "closing_days": CLOSING_WITHIN.days,
        },
    )


@router.get("/data", response_class=HTMLResponse)
def open_data(request: Request, user: OptionalUser, settings: SettingsDep):
    """Every download, feed and API, each field documented, with the licence and citation."""
    return render(
        request,
        "public_site/data.html",
        {
            "user": user,
            "base_url": str(settings.public_base_url).rstrip("/"),
            "ocid_prefix": settings.ocid_prefix,
        },
    )
