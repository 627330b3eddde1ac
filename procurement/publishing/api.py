"""OCDS 1.1 endpoints: release packages, record packages, bulk file."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse

from core.clock import ClockDep
from core.db import SessionDep
from core.errors import NotFound
from core.i18n import gettext
from core.ledger.service import format_time
from core.types import IdCursor
from core.web import SettingsDep
from procurement.publishing import ocds
from procurement.publishing import queries as publishing_queries

router = APIRouter(prefix="/api/ocds", tags=["open contracting (OCDS)"])
PUBLISHER = "Prongsai"


def _base(settings) -> str:
    return str(settings.public_base_url).rstrip("/")


def _public_url(settings, request: Request) -> str:
    """This request's address at the deployment's public base (not the proxy's view of it)."""
    query = f"?{request.url.query}" if request.url.query else ""
    return f"{_base(settings)}{request.url.path}{query}"


@router.get("/releases")
def releases(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    since: Annotated[IdCursor, Query(description="return releases after this cursor")] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
):
    """A release package of the releases after `since`, oldest first; `links.next` names the
    next page and is absent on the last one."""
    releases, cursor = publishing_queries.releases_after(session, since=since, limit=limit)
    body = ocds.package(
        releases, uri=_public_url(settings, request), published=clock(), publisher=PUBLISHER
    )
    if cursor is not None:
        body["links"] = {
            "next": f"{_base(settings)}/api/ocds/releases?since={cursor}&limit={limit}"
        }
    return body


@router.get("/releases/{release_id}")
def release(
    release_id: str, request: Request, session: SessionDep, settings: SettingsDep, clock: ClockDep
):
    """A release package holding one release."""
    found = publishing_queries.release(session, release_id=release_id)
    if found is None:
        raise NotFound(gettext("There is no release %(release)s.") % {"release": release_id})
    uri = _public_url(settings, request)
    return ocds.package([found], uri=uri, published=clock(), publisher=PUBLISHER)


@router.get("/records/{ocid}")
def record(
    ocid: str, request: Request, session: SessionDep, settings: SettingsDep, clock: ClockDep
):
    """A record package: every release of the process and the compiled release."""
    bodies = publishing_queries.process_releases(session, ocid=ocid)
    if not bodies:
        raise NotFound(gettext("There is no contracting process %(ocid)s.") % {"ocid": ocid})
    compiled = ocds.compile_release(bodies)
    return {
        "uri": _public_url(settings, request),
        "version": "1.1",
        "extensions": [ocds.BIDS_EXTENSION, ocds.LOTS_EXTENSION],
        "publishedDate": format_time(clock()),
        "publisher": {"name": PUBLISHER},
        "license": "https://opendatacommons.org/licenses/by/1-0/",
        "records": [
            {
                "ocid": ocid,
                "releases": [
                    {
                        "url": f"{_base(settings)}/api/ocds/releases/{b['id']}",
                        "date": b["date"],
                        "tag": b["tag"],
                    }
                    for b in bodies
                ],
                "compiledRelease": compiled,
            }
        ],
    }


@router.get(
    "/bulk/releases.jsonl.gz",
    response_class=StreamingResponse,
    responses={200: {"content": {"application/gzip": {}}, "description": "JSON lines, gzipped"}},
)
def bulk(request: Request, clock: ClockDep):
    """Every release, one JSON per line, gzipped; streamed in constant memory."""
    open_session = request.app.state.stream_session

    def chunks() -> Iterator[bytes]:
        with open_session() as session:
            yield from publishing_queries.bulk_releases(session)

    stamp = clock().strftime("%Y%m%d")
    return StreamingResponse(
        chunks(),
        media_type="application/gzip",
        headers={"content-disposition": f'attachment; filename="releases-{stamp}.jsonl.gz"'},
    )
