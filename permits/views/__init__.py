"""HTML routes of permits: the public pages, the applicant's and the officer's."""

from fastapi import APIRouter

from core.settings import Settings
from core.web import BodyLimit
from permits.views import admin, applicant, officer, public

router = APIRouter(include_in_schema=False)
# First: their fixed paths (/permits/apply, /permits/officer) win over /permits/{number}.
router.include_router(admin.router)
router.include_router(applicant.router)
router.include_router(officer.router)
router.include_router(public.router)


def body_limits(settings: Settings) -> list[BodyLimit]:
    """The forms that take documents, with body limits sized to a permit's documents."""
    files = 10 * settings.permits_upload_max_bytes + settings.request_max_bytes
    return [
        ("POST", r"/permits/apply/[^/]+", files),
        ("POST", r"/permits/mine/[^/]+/respond", files),
    ]
