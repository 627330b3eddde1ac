"""JSON routes of permits: public status, lists, exports, statistics, the live stream."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response, StreamingResponse
from pydantic import AwareDatetime
from sqlmodel import Session
from sse_starlette import EventSourceResponse

from core.auth.dependencies import require_role
from core.auth.models import OrganisationKind, Role
from core.auth.queries import list_organisations
from core.auth.schemas import OrganisationPublic
from core.clock import ClockDep
from core.db import SessionDep, read_only
from core.types import Index, Page, bigint_or_none
from permits import catalogue, exports, information, listing, queries, service
from permits.dependencies import NumberPath, Officer
from permits.models import ApplicationStatus
from permits.schemas import (
    ClosureIn,
    ClosurePublic,
    PermitPage,
    PermitPublic,
    StatisticsRow,
    TransitionRequest,
)

router = APIRouter(prefix="/api/permits", tags=["permits"])


@router.get("/departments", response_model=list[OrganisationPublic])
def departments(session: SessionDep):
    """Every government department that handles permit applications."""
    return list_organisations(session, kind=OrganisationKind.DEPARTMENT)


@router.get("/closures", response_model=list[ClosurePublic])
def closures(session: SessionDep):
    """Local office closures: days no permit clock counts, besides weekends and holidays."""
    return [
        ClosurePublic(closure_date=c.closure_date, reason=c.reason)
        for c in catalogue.list_closures(session)
    ]


@router.post(
    "/closures",
    response_model=ClosurePublic,
    status_code=201,
    dependencies=[Depends(require_role(Role.ADMIN))],
)
def declare_closure(body: ClosureIn, session: SessionDep, clock: ClockDep):
    """Declare a local closure (admins); due dates computed from now on skip it."""
    closure = catalogue.add_closure(
        session, closure_date=body.closure_date, reason=body.reason, now=clock()
    )
    return ClosurePublic(closure_date=closure.closure_date, reason=closure.reason)


@router.get("", response_model=PermitPage)
def list_permits(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    type: Annotated[str | None, Query(max_length=8)] = None,
    department: Annotated[str | None, Query(max_length=64)] = None,
    status: ApplicationStatus | None = None,
    overdue: bool | None = None,
    since: AwareDatetime | None = None,
    page: Annotated[Page, Query()] = 1,
    after: Annotated[str | None, Query(max_length=40)] = None,
    per_page: Annotated[int, Query(ge=1, le=listing.MAX_PER_PAGE)] = 50,
):
    """Applications, newest first (overdue=true: longest overdue first; since: oldest change
    first): filter by type, department, status, overdue, changed since. Page numbers reach
    the first 10,000; `next` is a cursor (`after`) that goes on to the end."""
    return listing.page(
        session,
        settings=request.app.state.settings,
        now=clock(),
        type_code=type,
        department=department,
        status=status,
        overdue=overdue,
        since=since,
        number=page,
        after=after,
        per_page=per_page,
    )


@router.get("/export.json")
def export_json(request: Request, clock: ClockDep):
    """Every application in BLDS fields, with its stage history (JSON, streamed)."""
    rows = _export_rows(request, clock())
    return StreamingResponse(exports.json_chunks(rows()), media_type="application/json")


@router.get(
    "/export.csv",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}, "description": "one application per row"}},
)
def export_csv(request: Request, clock: ClockDep):
    """Every application in BLDS fields; the stage history as a JSON column (CSV, streamed)."""
    rows = _export_rows(request, clock())
    return StreamingResponse(
        exports.csv_chunks(rows()),
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": 'attachment; filename="permits.csv"'},
    )


def _export_rows(request: Request, now: datetime) -> exports.Rows:
    """The export's rows, read as they are sent from a session of the download's own."""
    state = request.app.state
    return exports.streamed_rows(state.stream_session, settings=state.settings, now=now)


@router.get("/statistics", response_model=list[StatisticsRow])
def statistics(session: SessionDep, clock: ClockDep):
    """Per type and department: processing days, on-time share, backlog, overdue, late entries."""
    return listing.statistics(session, now=clock())


@router.get("/{number}", response_model=PermitPublic)
def permit(number: NumberPath, request: Request, session: SessionDep, clock: ClockDep):
    """One application's public status: stages, due dates, pauses, delays, decision."""
    return queries.permit(session, number=number, settings=request.app.state.settings, now=clock())


@router.get("/{number}/stream", response_class=EventSourceResponse)
async def stream(
    number: NumberPath,
    request: Request,
    after: Annotated[
        Index | None,
        Query(description="resume after this event id, as the Last-Event-ID header does"),
    ] = None,
    after_index: Annotated[
        Index | None,
        Query(description="resume after the change logged at this transparency-log index"),
    ] = None,
):
    """Server-sent events: each public change of the application, live; resumable.

    A page passes the log index of the newest change it shows (`after_index`), so a change
    made between its render and this connection is replayed, not missed. Last-Event-ID, sent
    by a reconnecting browser, wins over both query parameters.
    """
    engine = request.app.state.engine

    def lookup() -> tuple[str, int | None]:
        with Session(read_only(engine)) as session:
            tracking = service.get_application(session, number=number).tracking_number
            if after_index is None:
                return tracking, None
            return tracking, queries.event_of_entry(session, tracking, after_index)

    # In a worker thread: a database read on the event loop would stall every other stream.
    tracking, page_event = await run_in_threadpool(lookup)
    # A Last-Event-ID that is not a BIGINT is ignored, as if the browser had sent none.
    last = bigint_or_none(request.headers.get("last-event-id", ""))
    after_id = last if last is not None else after if after is not None else page_event
    bus = request.app.state.events

    async def changes():
        async for event in bus.stream("permits.", after_id=after_id):
            if event.subject == tracking:
                yield {"id": str(event.id), "event": "change", "data": event.to_json()}

    return EventSourceResponse(
        changes(),
        ping=request.app.state.settings.permits_stream_heartbeat_seconds,
        headers={"cache-control": "no-cache", "x-accel-buffering": "no"},
    )


@router.post("/{number}/transitions", response_model=PermitPublic)
def transition(
    number: NumberPath,
    body: TransitionRequest,
    request: Request,
    officer: Officer,
    session: SessionDep,
    clock: ClockDep,
):
    """An officer's transition (advance, request_information, resume, extend, approve, reject)."""
    settings = request.app.state.settings
    try:
        application = service.act(
            session,
            number=number,
            action=body.action,
            actor=officer,
            now=clock(),
            settings=settings,
            note=body.note,
            effective_at=body.effective_at,
            expected_date=body.expected_date,
            asked=information.information_request(body.asks, body.asked_for),
        )
    except service.TransitionNotAllowed as error:
        return JSONResponse({"detail": error.message, "allowed": error.allowed}, status_code=409)
    return queries.public_view(session, application, settings=settings, now=clock())
