"""Every route of procurement, in the order the app mounts them: the JSON API, then the pages.

The order matters where paths overlap (`/buyer/tenders/new` before `/buyer/tenders/{id}`):
each module keeps its own routes in order, and the modules are mounted as listed here."""

from __future__ import annotations

from fastapi import APIRouter

from procurement.awards import api as awards_api
from procurement.awards import views as awards_views
from procurement.bids import api as bids_api
from procurement.bids import views as bids_views
from procurement.contracts import api as contracts_api
from procurement.public import views as public_views
from procurement.publishing import api as publishing_api
from procurement.tenders import api as tenders_api
from procurement.tenders import views as tenders_views

ROUTERS: tuple[APIRouter, ...] = (
    tenders_api.router,
    bids_api.router,
    awards_api.router,
    contracts_api.router,
    publishing_api.router,
    public_views.router,
    bids_views.router,
    tenders_views.router,
    awards_views.router,
)
