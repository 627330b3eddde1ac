"""The tables of the buyer and supplier profiles, and their complete downloads, streamed.

A profile's page shows one page of each list; a download of a list (`?format=csv&table=…`,
or json) holds all of it, read a batch at a time from a session of its own (one moment of the
database from the first batch to the last), so its memory does not grow with the party's record.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterator
from typing import Any

from fastapi import Request
from fastapi.responses import StreamingResponse
from sqlmodel import Session

from core import spreadsheet
from procurement.insights.schemas import Party
from public_site.tables import N_, Column, Table, typed

BATCH = 1000  # rows a download reads at a time


def tender_link(row: dict) -> str:
    return f"/tenders/{row['tender_id']}"


def buyer_link(row: dict) -> str:
    return f"/buyers/{row['buyer_slug']}"


def supplier_link(key: str = "supplier_id"):
    return lambda row: f"/suppliers/{row[key]}" if row.get(key) is not None else None


def party_cells(prefix: str, party: Party | None) -> dict:
    if party is None:
        return {
            f"{prefix}_id": None,
            f"{prefix}_slug": None,
            f"{prefix}": None,
            f"{prefix}_th": None,
        }
    cells = {
        f"{prefix}_id": party.id,
        f"{prefix}_slug": party.slug,
        f"{prefix}": party.name,
        f"{prefix}_th": party.name_th,
    }
    if prefix == "supplier":
        cells["registration_id"] = party.registration_id
    return cells


TENDER = Column("tender_id", N_("Tender"), "int", tender_link)
TITLE = Column("tender_title", N_("Title"), link=tender_link)
BUYER = Column("buyer", N_("Buyer"), link=buyer_link)
SUPPLIER = Column("supplier", N_("Supplier"), link=supplier_link())
CURRENCY = Column("currency", N_("Currency"))
REGISTRATION = Column("registration_id", N_("Registration id"))


def award_cells(a) -> dict:
    return {
        "tender_id": a.tender_id,
        "tender_title": a.tender_title,
        **party_cells("buyer", a.buyer),
        **party_cells("supplier", a.supplier),
        "value": a.value,
        "currency": a.currency,
        "status": a.status,
        "decided_at": a.decided_at,
    }


def contract_cells(c) -> dict:
    return {
        "contract_id": c.id,
        "tender_id": c.tender_id,
        "tender_title": c.tender_title,
        **party_cells("buyer", c.buyer),
        **party_cells("supplier", c.supplier),
        "award_value": c.award_value,
        "value": c.value,
        "currency": c.currency,
        "signed_date": c.signed_date,
    }


def tender_cells(t) -> dict:
    return {
        "tender_id": t.id,
        "tender_title": t.title,
        "category": t.category,
        "status": t.status,
        "estimated_value": t.estimated_value,
        "currency": t.currency,
        "published_at": t.published_at,
        "bidders": t.bidders,
        **party_cells("supplier", t.winner),
        "awarded_value": t.awarded_value,
    }


def bid_cells(b) -> dict:
    return {
        "tender_id": b.tender_id,
        "tender_title": b.tender_title,
        **party_cells("buyer", b.buyer),
        "opened_at": b.opened_at,
        "price": b.price,
        "currency": b.currency,
        "status": b.status,
        "rank": b.rank,
        "outcome": b.outcome,
    }


def competitor_cells(c) -> dict:
    return {**party_cells("supplier", c.party), "tenders": c.tenders, "wins": c.wins}


def rival_cells(c) -> dict:
    return {**competitor_cells(c), "own_wins": c.own_wins}


# name -> (title, columns, cells of one row); each list the profiles show a page at a time
LISTS: dict[str, tuple[str, list[Column], Callable[[Any], dict]]] = {
    "awards": (
        N_("Awards"),
        [
            TENDER,
            TITLE,
            BUYER,
            SUPPLIER,
            Column("value", N_("Awarded value"), "money"),
            CURRENCY,
            Column("status", N_("Status")),
            Column("decided_at", N_("Decided"), "datetime"),
        ],
        award_cells,
    ),
    "contracts": (
        N_("Contracts"),
        [
            Column("contract_id", N_("Contract"), "int"),
            TENDER,
            TITLE,
            BUYER,
            SUPPLIER,
            Column("award_value", N_("Award value"), "money"),
            Column("value", N_("Contract value now"), "money"),
            CURRENCY,
            Column("signed_date", N_("Signed"), "date"),
        ],
        contract_cells,
    ),
    "tenders": (
        N_("Tenders"),
        [
            TENDER,
            TITLE,
            Column("category", N_("Category")),
            Column("status", N_("Status")),
            Column("estimated_value", N_("Estimated value"), "money"),
            CURRENCY,
            Column("published_at", N_("Published"), "datetime"),
            Column("bidders", N_("Bidders"), "int"),
            SUPPLIER,
            Column("awarded_value", N_("Awarded value"), "money"),
        ],
        tender_cells,
    ),
    "bids": (
        N_("Bids (as opened)"),
        [
            TENDER,
            TITLE,
            BUYER,
            Column("opened_at", N_("Opened"), "datetime"),
            Column("price", N_("Price"), "money"),
            CURRENCY,
            Column("status", N_("Bid status")),
            Column("rank", N_("Rank"), "int"),
            Column("outcome", N_("Outcome")),
        ],
        bid_cells,
    ),
    "bidders": (
        N_("Who competes for its tenders"),
        [
            SUPPLIER,
            REGISTRATION,
            Column("tenders", N_("Tenders bid in"), "int"),
            Column("wins", N_("Won"), "int"),
        ],
        competitor_cells,
    ),
    "competitors": (
        N_("Who they compete with most"),
        [
            SUPPLIER,
            REGISTRATION,
            Column("tenders", N_("Tenders bid together"), "int"),
            Column("wins", N_("Won by the rival"), "int"),
            Column("own_wins", N_("Won by this supplier"), "int"),
        ],
        rival_cells,
    ),
}


def list_table(name: str, items: list) -> Table:
    """One of the lists as a table of these rows (a page of it)."""
    title, columns, cells = LISTS[name]
    return Table(name, title, columns, [cells(item) for item in items])


Fetch = Callable[[Session, int, int], list]  # (session, offset, limit) -> rows of one list


def _each(request: Request, fetch: Fetch) -> Iterator[Any]:
    with request.app.state.stream_session() as session:
        offset = 0
        while True:
            batch = fetch(session, offset, BATCH)
            yield from batch
            if len(batch) < BATCH:
                return
            offset += BATCH


def download(
    request: Request, *, name: str, fetch: Fetch, fmt: str, filename: str, meta: dict[str, Any]
) -> StreamingResponse:
    """All of one list, as CSV or JSON (the shape of the page's one-table JSON), streamed."""
    title, columns, cells = LISTS[name]
    table = Table(name, title, columns, [])

    def csv_chunks() -> Iterator[str]:
        out = io.StringIO()
        writer = spreadsheet.writer(out, lineterminator="\r\n")
        writer.writerow([c.key for c in columns])
        for item in _each(request, fetch):
            row = cells(item)
            writer.writerow(
                [table.text(row, c) if row.get(c.key) is not None else "" for c in columns]
            )
            if out.tell() > 64_000:
                yield out.getvalue()
                out.seek(0)
                out.truncate()
        yield out.getvalue()

    def json_chunks() -> Iterator[str]:
        head = {**meta, "table": name, "title": title, "columns": [c.key for c in columns]}
        yield json.dumps(head, ensure_ascii=False)[:-1] + ', "rows": ['
        separator = ""
        for item in _each(request, fetch):
            row = cells(item)
            yield separator + json.dumps(
                {c.key: typed(row.get(c.key), c.kind) for c in columns}, ensure_ascii=False
            )
            separator = ", "
        yield "]}"

    if fmt == "csv":
        return StreamingResponse(
            csv_chunks(),
            media_type="text/csv; charset=utf-8",
            headers={"content-disposition": f'attachment; filename="{filename}-{name}.csv"'},
        )
    return StreamingResponse(json_chunks(), media_type="application/json")
