"""Atom 1.0 feeds (RFC 4287): new tenders, awards, and per buyer, supplier, department, permit.

Built with ElementTree, never by pasting strings, so every title and note is escaped. Feeds
carry only what the public pages show: no applicant's or supplier contact's personal data.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import Annotated
from xml.etree import ElementTree as ET

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response

from core.auth.models import OrganisationKind
from core.clock import ClockDep
from core.db import SessionDep
from core.errors import NotFound
from core.formatting import format_money
from core.i18n import gettext
from core.types import Id
from core.web import SettingsDep
from permits import queries as permit_queries
from procurement.public import activity as procurement_activity
from procurement.public import queries

router = APIRouter(include_in_schema=False)
ATOM = "http://www.w3.org/2005/Atom"
MEDIA_TYPE = "application/atom+xml; charset=utf-8"
# Chromium shows application/atom+xml as plain text, stylesheet or not: a browser (which asks
# for text/html) gets the same document as XML, which it renders through the stylesheet.
BROWSER_MEDIA_TYPE = "application/xml; charset=utf-8"
FEED_SIZE = 50
# A person who opens a feed in a browser sees it as a page of the site, with a word on what a
# feed is (core/static/feed.xsl); feed readers ignore the instruction.
STYLESHEET = b'<?xml-stylesheet type="text/xsl" href="/static/feed.xsl"?>\n'
ET.register_namespace("", ATOM)

# Feeds are read by programs: the same amount text in every language (1,234,567.00 THB).
amount = partial(format_money, minor=True, locale="en", code=True)


@dataclass(frozen=True)
class Entry:
    """One feed entry: a stable id (the record's URL and a fragment), a title, a summary."""

    id: str
    title: str
    link: str
    updated: datetime
    summary: str
    category: str


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _add(parent: ET.Element, tag: str, text: str | None = None, **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attributes)
    if text is not None:
        element.text = text
    return element


def atom_response(
    request: Request, *, title: str, page: str, entries: Iterable[Entry], now: datetime
) -> Response:
    """The Atom document of a feed whose HTML twin is `page`, newest entries first."""
    settings = request.app.state.settings
    base = str(settings.public_base_url).rstrip("/")
    ordered = sorted(entries, key=lambda e: e.updated, reverse=True)[:FEED_SIZE]
    feed = ET.Element(f"{{{ATOM}}}feed")
    self_url = base + request.url.path
    _add(feed, "id", self_url)
    _add(feed, "title", title)
    _add(feed, "updated", _stamp(ordered[0].updated if ordered else now))
    _add(feed, "link", rel="self", type="application/atom+xml", href=self_url)
    _add(feed, "link", rel="alternate", type="text/html", href=base + page)
    author = _add(feed, "author")
    _add(author, "name", settings.body_name)
    _add(author, "uri", base + "/")
    _add(
        feed, "rights", "Open data under ODC-By 1.0 (https://opendatacommons.org/licenses/by/1-0/)"
    )
    _add(feed, "generator", "Prongsai")
    for item in ordered:
        entry = _add(feed, "entry")
        _add(entry, "id", base + item.id)
        _add(entry, "title", item.title)
        _add(entry, "updated", _stamp(item.updated))
        _add(entry, "link", rel="alternate", type="text/html", href=base + item.link)
        _add(entry, "category", term=item.category)
        _add(entry, "summary", item.summary)
    declaration, _, rest = ET.tostring(feed, encoding="utf-8", xml_declaration=True).partition(
        b"\n"
    )
    browser = "text/html" in request.headers.get("accept", "")
    return Response(
        declaration + b"\n" + STYLESHEET + rest,
        media_type=BROWSER_MEDIA_TYPE if browser else MEDIA_TYPE,
        headers={"vary": "Accept"},
    )


def _tender_entries(tenders) -> list[Entry]:
    return [
        Entry(
            id=f"/tenders/{t.id}",
            title=t.title,
            link=f"/tenders/{t.id}",
            updated=t.updated_at,
            summary=(
                f"{t.ocid} · {t.buyer.name} · {t.category} · estimated "
                f"{amount(t.estimated_value, t.currency)} · status {t.status} · bids close "
                f"{_stamp(t.tender_end_at)}"
            ),
            category=f"tender:{t.status}",
        )
        for t in tenders
    ]


def _award_entries(awards) -> list[Entry]:
    return [
        Entry(
            id=f"/tenders/{a.tender_id}#award-{a.id}",
            title=f"Award: {a.title} — {a.supplier_name}",
            link=f"/tenders/{a.tender_id}#award",
            updated=a.decided_at,
            summary=(
                f"{a.ocid} · {a.buyer.name} awarded {amount(a.value, a.currency)} to "
                f"{a.supplier_name} ({a.status})"
            ),
            category=f"award:{a.status}",
        )
        for a in awards
    ]


def _permit_entries(changes) -> list[Entry]:
    return [
        Entry(
            id=f"/permits/{c.tracking_number}#change-{c.id}",
            title=f"{c.tracking_number}: {c.action.replace('_', ' ')}"
            + (f" ({c.stage})" if c.stage else ""),
            link=f"/permits/{c.tracking_number}",
            updated=c.entered_at,
            summary=" · ".join(
                part
                for part in (
                    c.type_name,
                    c.department_name,
                    f"status {c.status.replace('_', ' ')}",
                    f"effective {_stamp(c.effective_at)}",
                    c.note,
                    f"log entry {c.ledger_index}" if c.ledger_index is not None else None,
                )
                if part
            ),
            category=f"permit:{c.action}",
        )
        for c in changes
    ]


@router.get("/feeds/tenders.atom")
def tenders_feed(request: Request, session: SessionDep, clock: ClockDep, settings: SettingsDep):
    """The newest published tenders."""
    tenders = queries.list_tenders(session, prefix=settings.ocid_prefix, limit=FEED_SIZE)
    return atom_response(
        request,
        title="Prongsai: new tenders",
        page="/tenders",
        entries=_tender_entries(tenders),
        now=clock(),
    )


@router.get("/feeds/awards.atom")
def awards_feed(request: Request, session: SessionDep, clock: ClockDep, settings: SettingsDep):
    """The newest award decisions."""
    awards = procurement_activity.recent_awards(
        session, prefix=settings.ocid_prefix, limit=FEED_SIZE
    )
    return atom_response(
        request,
        title="Prongsai: awards",
        page="/tenders?status=awarded",
        entries=_award_entries(awards),
        now=clock(),
    )


@router.get("/buyers/{slug}/feed.atom")
def buyer_feed(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    slug: Annotated[str, Path(max_length=100)],
):
    """One buying entity's tenders and awards."""
    buyer = procurement_activity.organisation(
        session, kind=OrganisationKind.BUYING_ENTITY, slug=slug
    )
    if buyer is None:
        raise NotFound(
            gettext("No buying entity is called “%(slug)s”. See the list at /buyers.")
            % {"slug": slug}
        )
    prefix = settings.ocid_prefix
    tenders = queries.list_tenders(session, prefix=prefix, buyer=slug, limit=FEED_SIZE)
    awards = procurement_activity.recent_awards(
        session, prefix=prefix, buyer_slug=slug, limit=FEED_SIZE
    )
    return atom_response(
        request,
        title=f"Prongsai: tenders and awards of {buyer.name}",
        page=f"/buyers/{slug}",
        entries=_tender_entries(tenders) + _award_entries(awards),
        now=clock(),
    )


@router.get("/suppliers/{supplier_id}/feed.atom")
def supplier_feed(
    request: Request, session: SessionDep, clock: ClockDep, settings: SettingsDep, supplier_id: Id
):
    """The awards one supplier won."""
    supplier = procurement_activity.organisation(
        session, kind=OrganisationKind.SUPPLIER, organisation_id=supplier_id
    )
    if supplier is None:
        raise NotFound(
            gettext("No supplier has the number %(number)s. See the list at /suppliers.")
            % {"number": supplier_id}
        )
    awards = procurement_activity.recent_awards(
        session, prefix=settings.ocid_prefix, supplier_id=supplier_id, limit=FEED_SIZE
    )
    return atom_response(
        request,
        title=f"Prongsai: awards to {supplier.name}",
        page=f"/suppliers/{supplier_id}",
        entries=_award_entries(awards),
        now=clock(),
    )


@router.get("/departments/{slug}/feed.atom")
def department_feed(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    slug: Annotated[str, Path(max_length=100)],
):
    """Public changes of the permit applications at one department's stages."""
    activity = permit_queries.activity()
    department = activity.department(session, slug=slug)
    if department is None:
        raise NotFound(
            gettext("No permit department is called “%(slug)s”. See the list at /departments.")
            % {"slug": slug}
        )
    changes = activity.recent_changes(session, department_slug=slug, limit=FEED_SIZE)
    return atom_response(
        request,
        title=f"Prongsai: permit applications at {department.name}",
        page=f"/departments/{slug}",
        entries=_permit_entries(changes),
        now=clock(),
    )


@router.get("/permits/{number}/feed.atom")
def permit_feed(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    number: Annotated[str, Path(max_length=40)],
):
    """Every public change of one permit application."""
    permit = permit_queries.permit(session, number=number, settings=settings, now=clock())
    changes = permit_queries.activity().recent_changes(
        session, tracking_number=permit.tracking_number, limit=FEED_SIZE
    )
    return atom_response(
        request,
        title=f"Prongsai: {permit.tracking_number} ({permit.type_name})",
        page=f"/permits/{permit.tracking_number}",
        entries=_permit_entries(changes),
        now=clock(),
    )
