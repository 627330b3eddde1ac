"""Every table of the platform, imported in one place for Alembic and the app."""

from core import events as core_events
from core import scheduler as core_scheduler
from core.auth import models as auth_models
from core.db import metadata
from core.ledger import models as ledger_models
from permits import models as permits_models
from permits import public_index as permits_public_index  # the index its change feed reads
from permits.insights import models as permits_insight_models
from procurement.awards import models as procurement_award_models
from procurement.bids import models as procurement_bid_models
from procurement.contracts import models as procurement_contract_models
from procurement.insights import models as procurement_insight_models
from procurement.publishing import models as procurement_publishing_models
from procurement.tenders import models as procurement_tender_models
from public_site.search import models as public_site_models

__all__ = [
    "auth_models",
    "core_events",
    "core_scheduler",
    "ledger_models",
    "metadata",
    "permits_insight_models",
    "permits_models",
    "permits_public_index",
    "procurement_award_models",
    "procurement_bid_models",
    "procurement_contract_models",
    "procurement_insight_models",
    "procurement_publishing_models",
    "procurement_tender_models",
    "public_site_models",
]
