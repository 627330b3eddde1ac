"""Every route of procurement, in the order the app mounts them: the JSON API, then the pages.

The order matters where paths overlap (`/buyer/tenders/new` before `/buyer/tenders/{id}`):
each module keeps its own routes in order, and the modules are mounted as listed here."""

from __future__ import annotations

from fastapi import APIRouter

from core.settings import Settings
from core.web import BodyLimit
from procurement.awards import api as awards_api
from procurement.awards import evaluation_views
from procurement.awards import views as awards_views
from procurement.bids import api as bids_api
from procurement.bids import receipt_views
from procurement.bids import views as bids_views
from procurement.contracts import api as contracts_api
from procurement.public import views as public_views
from procurement.publishing import api as publishing_api
from procurement.tenders import api as tenders_api
from procurement.tenders import draft_views
from procurement.tenders import views as tenders_views

ROUTERS: tuple[APIRouter, ...] = (
    tenders_api.router,
    bids_api.router,
    awards_api.router,
    contracts_api.router,
    publishing_api.router,
    public_views.router,
    bids_views.router,
    receipt_views.router,
    draft_views.router,
    tenders_views.router,
    awards_views.router,
    evaluation_views.router,
)


def body_limits(settings: Settings) -> list[BodyLimit]:
    """The routes that take documents, with their body limits sized to what they may carry:
    one PDF per upload; up to ten per bid or amendment (base64 in JSON is 4/3 the size, and a
    client-sealed bid's ciphertext base64 again, 16/9)."""
    document = settings.procurement_max_document_bytes
    slack = settings.request_max_bytes  # the fields beside the files
    one_file, ten_files = document + slack, 10 * document + slack
    ten_in_json, ten_sealed = 10 * document * 4 // 3 + slack, 10 * document * 16 // 9 + slack
    return [
        ("POST", r"/api/tenders/\d+/documents", one_file),
        ("POST", r"/buyer/tenders/\d+/documents", one_file),
        ("POST", r"/api/tenders/\d+/bids", ten_sealed),
        ("POST", r"/tenders/\d+/bid", ten_files),
        ("POST", r"/api/tenders/\d+/amendments", ten_in_json),
        ("POST", r"/buyer/tenders/\d+/amend", ten_files),
    ]
