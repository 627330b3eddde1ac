"""HTML routes of permits: the public pages, the applicant's and the officer's."""

from fastapi import APIRouter

from permits.views import applicant, officer, public

router = APIRouter(include_in_schema=False)
# First: their fixed paths (/permits/apply, /permits/officer) win over /permits/{number}.
router.include_router(applicant.router)
router.include_router(officer.router)
router.include_router(public.router)
