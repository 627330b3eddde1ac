"""The public opening: release the tender's key, open every bid, draw the reserve, rank."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Sequence
from datetime import datetime
from typing import Protocol, TypeVar

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from sqlmodel import Session, col, select

from core.auth.models import User
from core.db import stored_id
from core.formatting import format_when
from core.i18n import bilingual, current_locale, gettext
from core.labels import make_book
from core.ledger import service as ledger
from core.settings import Settings
from procurement.bids import idempotency, opened, sealing
from procurement.bids import rules as bid_rules
from procurement.bids.models import Bid, BidLot, BidStatus
from procurement.exceptions import NotYetTime, NotYourTender, OpeningFailed, TenderClosed
from procurement.labels import LABELS
from procurement.publishing import ocds
from procurement.publishing.service import notify_each, record
from procurement.tenders.models import Lot, Tender, TenderStatus
from procurement.tenders.service import get_tender, tender_lots

STATUS_WORDS = make_book(LABELS)


def open_tender(
    session: Session,
    *,
    tender_id: int,
    now: datetime,
    settings: Settings,
    buyer: User | None = None,
) -> Tender:
    """Open every bid at or after the opening time, once, and publish the opening record."""
    with opened.collector_paused():
        return _open(session, tender_id=tender_id, now=now, settings=settings, buyer=buyer)


def _open(
    session: Session, *, tender_id: int, now: datetime, settings: Settings, buyer: User | None
) -> Tender:
    tender = get_tender(session, tender_id=tender_id, for_update=True)
    if buyer is not None and tender.buyer_id != buyer.organisation_id:
        raise NotYourTender(
            gettext("Only the buying entity that published this tender may open it.")
        )
    if tender.status == TenderStatus.OPENED or tender.opened_at is not None:
        return tender  # already opened: exactly once
    if tender.status != TenderStatus.ACTIVE:
        raise TenderClosed(
            gettext("Tender %(tender)s is %(status)s; there is nothing to open.")
            % {"tender": tender_id, "status": tender.status}
        )
    if now < tender.opening_at:
        raise NotYetTime(
            gettext("Bids open at %(opening)s; it is %(now)s.")
            % {
                "opening": format_when(tender.opening_at, "seconds", zone=settings.zone),
                "now": format_when(now, "seconds", zone=settings.zone),
            }
        )
    the_ocid = ocds.ocid(settings.ocid_prefix, stored_id(tender))
    # An active tender was published, and publishing made its keys.
    assert tender.public_key is not None
    assert tender.sealed_private_key is not None
    try:
        opening_key = sealing.load_opening_key(settings.opening_key_path, may_create=False)
        private = sealing.release_private_key(
            opening_key,
            tender_id=stored_id(tender),
            opening_at=tender.opening_at,
            public_key=tender.public_key,
            sealed=tender.sealed_private_key,
            now=now,
        )
    except (sealing.SealingError, InvalidTag) as error:
        session.rollback()
        raise OpeningFailed(
            gettext(
                "The bids of tender %(tender)s could not be opened: the deployment's opening key "
                "does not release this tender's key. Nothing was opened; restore the opening key."
            )
            % {"tender": tender_id}
        ) from error
    idempotency.forget_tender(session, tender_id=stored_id(tender))
    ledger.append(
        session,
        entry_type="procurement.key.released",
        payload={"ocid": the_ocid, "sealing_private_key": base64.b64encode(private).decode()},
        now=now,
        subject=the_ocid,
    )
    # Plain rows, written back in one statement: no ORM object, no round trip per bid.
    bids = opened.unseal_all(
        opened.live_bids(session, stored_id(tender)),
        X25519PrivateKey.from_private_bytes(private),
        ocid=the_ocid,
        currency=tender.currency,
    )
    reserve_entry = _draw_reserve(session, tender, bids, now=now, settings=settings)
    if reserve_entry is not None:
        ledger.append(
            session,
            entry_type="procurement.reserve.drawn",
            payload={"ocid": the_ocid, **reserve_entry},
            now=now,
            subject=the_ocid,
        )
    lots = tender_lots(session, stored_id(tender))
    per_lot: dict[int, list[opened.LotPrice]] = {}
    if lots:
        per_lot = _open_lots(bids, lots)
    else:
        rank_bids(bids)
    opened.write_opened(session, bids)
    opened.write_lot_prices(session, [row for rows in per_lot.values() for row in rows])
    tender.status, tender.opened_at = TenderStatus.OPENED, now
    numbers = {lot.id: lot.position for lot in lots}
    slugs = opened.bidder_slugs(session, stored_id(tender))
    record(
        session,
        tender,
        entry_type="procurement.bids.opened",
        payload={
            "bids": [
                {
                    "supplier": slugs[b.supplier_id],
                    "commitment": b.commitment,
                    "status": str(b.status),
                    "price": b.price,
                    "rank": b.rank,
                    **(
                        {
                            "lots": [
                                {"lot": numbers[p.lot_id], "price": p.price, "rank": p.rank}
                                for p in sorted(per_lot.get(b.id, []), key=lambda p: p.lot_id)
                            ]
                        }
                        if lots
                        else {}
                    ),
                }
                for b in sorted(bids, key=lambda b: (b.rank or 10**9, b.id))
            ]
        },
        tags=["tenderUpdate"],
        now=now,
        settings=settings,
    )
    notify_each(
        session, messages=_messages(tender, bids, per_lot, numbers, settings=settings), now=now
    )
    session.commit()
    session.refresh(tender)
    return tender


def _messages(
    tender: Tender,
    bids: list[opened.OpenedBid],
    per_lot: dict[int, list[opened.LotPrice]],
    numbers: dict[int | None, int],
    *,
    settings: Settings,
) -> list[tuple[int, str, str]]:
    """Each bidder's notice, in both languages: its bid's status, rank and lot ranks. The
    phrases are translated once per language, not once per bid."""
    books: dict[str, tuple[str, str, str, str, dict[str, str]]] = {}

    def book() -> tuple[str, str, str, str, dict[str, str]]:
        locale = current_locale()
        if locale not in books:
            books[locale] = (
                gettext("Bids on tender %(id)s were opened") % {"id": tender.id},
                gettext("Your bid is %(status)s"),
                gettext(", ranked %(rank)s"),
                gettext(", ranked %(rank)s on lot %(lot)s"),
                # in the language written
                {status: STATUS_WORDS.label(status, "status").lower() for status in BidStatus},
            )
        return books[locale]

    messages = []
    for bid in bids:
        places = sorted(per_lot.get(bid.id, []), key=lambda p: p.lot_id)
        lot_ranks = [(p.rank, numbers[p.lot_id]) for p in places if p.rank]

        def render(bid: opened.OpenedBid = bid, lot_ranks: list = lot_ranks) -> tuple[str, str]:
            subject, your_bid, ranked, ranked_on_lot, statuses = book()
            said = your_bid % {"status": statuses[bid.status]}
            if bid.rank:
                said += ranked % {"rank": bid.rank}
            for rank, lot in lot_ranks:
                said += ranked_on_lot % {"rank": rank, "lot": lot}
            return subject, said + "."

        messages.append((bid.supplier_id, *bilingual(settings.default_locale, render)))
    return messages


def _open_lots(bids: list[opened.OpenedBid], lots: list[Lot]) -> dict[int, list[opened.LotPrice]]:
    """Read each valid bid's lot prices into rows, then rank every lot on its own."""
    by_number = {lot.position: lot for lot in lots}
    rows: dict[int, list[opened.LotPrice]] = {}
    for bid in bids:
        if bid.status != BidStatus.VALID:
            continue
        # The opening reads a valid bid's content and price.
        assert bid.content is not None
        assert bid.price is not None
        try:
            prices = [(int(p["lot"]), int(p["amount"])) for p in bid.content.get("lot_prices", [])]
        except (KeyError, TypeError, ValueError, OverflowError):
            bid.status, bid.problem = BidStatus.INVALID, "malformed lot prices"
            continue
        problem = bid_rules.lot_prices_problem(prices, lot_count=len(lots), total=bid.price)
        if problem:  # recorded in English, whoever's request opened the bids
            bid.status, bid.problem = BidStatus.INVALID, str(problem)
            continue
        rows[bid.id] = [
            opened.LotPrice(bid_id=bid.id, lot_id=stored_id(by_number[number]), price=amount)
            for number, amount in prices
        ]
    _rank_lot_rows([row for bid_rows in rows.values() for row in bid_rows], bids)
    return rows


class _Ranked(Protocol):
    """A bid as ranking reads it: a Bid, or the opening's plain row."""

    rank: int | None

    @property
    def id(self) -> int | None: ...
    @property
    def status(self) -> str: ...
    @property
    def price(self) -> int | None: ...
    @property
    def submitted_at(self) -> datetime: ...


class _LotRow(Protocol):
    """A lot price as ranking reads it: a BidLot, or the opening's plain row."""

    rank: int | None

    @property
    def bid_id(self) -> int: ...
    @property
    def lot_id(self) -> int: ...
    @property
    def price(self) -> int: ...


RankedT = TypeVar("RankedT", bound=_Ranked)


def rank_bids(bids: list[RankedT]) -> list[RankedT]:
    """Rank the valid bids of a tender without lots (lowest price first; ties: earlier bid);
    the valid bids in that order."""
    valid = [b for b in bids if b.status == BidStatus.VALID]
    ranked = []
    for bid in valid:
        assert bid.price is not None  # the opening reads a price into every valid bid
        ranked.append(bid_rules.RankedBid(stored_id(bid), bid.price, bid.submitted_at))
    # Each bid's place from one dict: `order.index` per bid was quadratic (1.4 s at 10,000).
    place = {bid_id: position for position, bid_id in enumerate(bid_rules.rank_by_price(ranked))}
    for bid in valid:
        bid.rank = place[stored_id(bid)] + 1
    return sorted(valid, key=lambda b: place[stored_id(b)])


def rank_lots(session: Session, rows: list[BidLot], bids: list[Bid]) -> None:
    """Rank the lot prices of valid bids, lot by lot (lowest first; ties: earlier bid)."""
    _rank_lot_rows(rows, bids)
    session.add_all(rows)


def _rank_lot_rows(rows: Sequence[_LotRow], bids: Sequence[_Ranked]) -> None:
    submitted = {b.id: b.submitted_at for b in bids if b.status == BidStatus.VALID}
    by_lot: dict[int, list[_LotRow]] = {}
    for row in rows:
        row.rank = None
        if row.bid_id in submitted:
            by_lot.setdefault(row.lot_id, []).append(row)
    for lot_rows in by_lot.values():
        order = bid_rules.rank_by_price(
            [bid_rules.RankedBid(r.bid_id, r.price, submitted[r.bid_id]) for r in lot_rows]
        )
        place = {bid_id: position for position, bid_id in enumerate(order)}
        for row in lot_rows:
            row.rank = place[row.bid_id] + 1


def _draw_reserve(
    session: Session,
    tender: Tender,
    bids: list[opened.OpenedBid],
    *,
    now: datetime,
    settings: Settings,
) -> dict | None:
    """Reveal the seed, draw the 15 candidates, count the picks, set the reserve price."""
    if tender.reserve_base is None:
        return None
    # Publishing a tender with a reserve sealed its seed; the draft validated its range.
    assert tender.sealed_reserve_seed is not None
    assert tender.reserve_range_bp is not None
    opening_key = sealing.load_opening_key(settings.opening_key_path, may_create=False)
    seed = sealing.release_secret(
        opening_key,
        tender_id=stored_id(tender),
        label="reserve-seed",
        sealed=tender.sealed_reserve_seed,
        opening_at=tender.opening_at,
        now=now,
    )
    if hashlib.sha256(seed).hexdigest() != tender.reserve_seed_commitment:
        raise sealing.SealingError("the reserve-price seed does not match its commitment")
    candidates = bid_rules.reserve_candidates(
        seed, base=tender.reserve_base, range_bp=tender.reserve_range_bp
    )
    picks = {}
    for bid in bids:
        if bid.status != BidStatus.VALID:
            continue
        assert bid.content is not None  # the opening reads a valid bid's content
        chosen = bid.content.get("reserve_picks", [])
        problem = bid_rules.picks_problem(chosen)
        if problem:
            bid.status, bid.problem = BidStatus.INVALID, str(problem)
        else:
            picks[bid.id] = chosen
            bid.reserve_picks = ",".join(map(str, chosen))
    chosen_numbers = bid_rules.chosen_candidates(list(picks.values()))
    slugs = opened.bidder_slugs(session, stored_id(tender))
    tender.reserve_seed = seed.hex()
    tender.reserve_price = bid_rules.reserve_price(candidates, chosen_numbers)
    for bid in bids:
        if bid.status == BidStatus.VALID:
            assert bid.price is not None  # the opening reads a price into every valid bid
            problem = bid_rules.within_reserve(
                bid.price, reserve=tender.reserve_price, floor_rate_bp=tender.floor_rate_bp
            )
            if problem:
                bid.status, bid.problem = BidStatus.INVALID, str(problem)
    return {
        "seed": seed.hex(),
        "candidates": candidates,
        "chosen": chosen_numbers,
        "reserve_price": tender.reserve_price,
        "picks": {slugs[b.supplier_id]: picks[b.id] for b in bids if b.id in picks},
    }


def due_openings(session: Session, *, now: datetime) -> list[int]:
    """Tenders whose opening time has come and that are not opened yet, the earliest first."""
    rows = session.exec(
        select(Tender.id)
        .where(Tender.status == TenderStatus.ACTIVE, Tender.opening_at <= now)
        .order_by(col(Tender.opening_at), col(Tender.id))
    )
    return [tender_id for tender_id in rows if tender_id is not None]  # primary keys, never None
