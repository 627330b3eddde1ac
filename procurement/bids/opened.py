"""The opening's bids as plain rows: read in one query (the columns it needs), decided in
Python, written back in one statement. Opening 10,000 bids builds no ORM object and makes no
round trip per bid (core.bulk: an executemany by primary key on SQLite, COPY into a
temporary table and one UPDATE ... FROM on PostgreSQL). Lot prices go in the same way."""

from __future__ import annotations

import gc
import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from sqlmodel import Session

from core import bulk
from core.auth.models import Organisation
from procurement.bids import rules as bid_rules
from procurement.bids import sealing
from procurement.bids.models import Bid, BidStatus
from procurement.bids.service import LIVE

BID = Bid.__table__  # type: ignore[attr-defined]
CURRENCY_LENGTH = BID.c.price_currency.type.length  # 3: an ISO 4217 code

# What the opening writes into each bid, and its type; each row ends with the bid's id.
WRITTEN = (
    ("status", str),
    ("price", int),
    ("price_currency", str),
    ("opened_json", str),
    ("rank", int),
    ("problem", str),
    ("reserve_picks", str),
)


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector paused (process-wide) for the block, then resumed. An
    opening makes some 200,000 containers that all live until it ends (rows, opened contents,
    the release, the notices); the collector would walk them and the whole heap again and again
    and free nothing: a fifth to a third of the time of an opening of 10,000 bids. Reference
    counting frees as usual meanwhile; cycles made anywhere wait for the collector's return."""
    if not gc.isenabled():  # paused already (another opening, in another thread)
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


@dataclass(slots=True)
class OpenedBid:
    """A live bid as the opening reads and decides it (the attributes a Bid has)."""

    id: int
    supplier_id: int
    submitted_at: datetime
    commitment: str
    status: str = BidStatus.SEALED
    price: int | None = None
    price_currency: str | None = None
    opened_json: str | None = None
    rank: int | None = None
    problem: str | None = None
    reserve_picks: str | None = None
    content: dict[str, Any] | None = None  # the opened bid (opened_json, parsed), if it opened


@dataclass(slots=True)
class LotPrice:
    """A valid bid's price for one lot (a BidLot row before it is written)."""

    bid_id: int
    lot_id: int
    price: int
    rank: int | None = None


def live_bids(session: Session, tender_id: int) -> list[tuple[OpenedBid, bytes]]:
    """The tender's live bids and their ciphertexts, by id."""
    session.flush()  # as a query through the session would
    rows = (
        session.connection()
        .execute(
            sa.select(BID.c.id, BID.c.supplier_id, BID.c.submitted_at, BID.c.commitment)
            .add_columns(BID.c.ciphertext)
            .where(BID.c.tender_id == tender_id, BID.c.status.in_(LIVE))
            .order_by(BID.c.id)
        )
        .all()  # one fetch, not one per row
    )
    return [(OpenedBid(i, s, at, c), ciphertext) for i, s, at, c, ciphertext in rows]


def bidder_slugs(session: Session, tender_id: int) -> dict[int, str]:
    """The public identifiers (slugs) of the organisations that bid on the tender, by id."""
    org = Organisation.__table__.c  # type: ignore[attr-defined]
    query = (
        sa.select(org.id, org.slug)
        .distinct()
        .join_from(Organisation.__table__, BID, BID.c.supplier_id == org.id)  # type: ignore[attr-defined]
        .where(BID.c.tender_id == tender_id)
    )
    return dict(session.execute(query).all())


def unseal_all(
    sealed: Sequence[tuple[OpenedBid, bytes]],
    key: X25519PrivateKey,
    *,
    ocid: str,
    currency: str,
) -> list[OpenedBid]:
    """Decrypt each bid and check it against its commitment; a bid that does not open, or
    whose price is not a price in the tender's currency, is invalid with the reason why."""
    bids = []
    for bid, ciphertext in sealed:
        bids.append(bid)
        try:
            content = sealing.unseal(key, ciphertext, ocid=ocid, expected=bid.commitment)
            # A bid sealed off the server was never validated: its price is read, not trusted.
            amount = content["price"]["amount"]
            problem = bid_rules.amount_problem(amount)
            if problem:
                raise ValueError(problem)
            bid.price = amount
            bid.price_currency = str(content["price"]["currency"])
            bid.opened_json = json.dumps(content, ensure_ascii=False)
            bid.content = content
            bid.status = BidStatus.VALID
            if bid.price_currency != currency:
                bid.status, bid.problem = BidStatus.INVALID, "price in the wrong currency"
                if len(bid.price_currency) > CURRENCY_LENGTH or "\x00" in bid.price_currency:
                    # More than the column holds: neither it nor the price it is for is kept.
                    bid.price = bid.price_currency = None
        except (sealing.SealingError, KeyError, TypeError, ValueError, RecursionError) as error:
            # One bidder's malformed content is that bid's failure; the opening goes on.
            bid.status, bid.problem, bid.price = BidStatus.INVALID, str(error), None
    return bids


def write_opened(session: Session, bids: Sequence[OpenedBid]) -> None:
    """Write what the opening decided into every bid, in one statement, in the session's
    transaction; Bid objects the session holds are expired, so they read it back."""
    if not bids:
        return
    rows = [
        (
            str(b.status),
            b.price,
            b.price_currency,
            b.opened_json,
            b.rank,
            None if b.problem is None else str(b.problem),
            b.reserve_picks,
            b.id,
        )
        for b in bids
    ]
    bulk.update_rows(session, "procurement_bid", WRITTEN, rows)
    for held in [o for o in session.identity_map.values() if isinstance(o, Bid)]:
        session.expire(held)


def write_lot_prices(session: Session, rows: Sequence[LotPrice]) -> None:
    """Insert the lot prices (with their ranks) as BidLot rows, as one executemany."""
    bulk.insert_rows(
        session,
        "procurement_bid_lot",
        ("bid_id", "lot_id", "price", "rank"),
        [(r.bid_id, r.lot_id, r.price, r.rank) for r in rows],
    )
