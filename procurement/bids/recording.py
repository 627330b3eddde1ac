"""Recording sealed bids in batches (group commit): many suppliers' bids in one transaction.

A bid is sealed by its own request, outside any lock (procurement/bids/service.py). What is
left, the part that must be serial, is recorded here for a whole batch at once: the tenders'
row locks are taken, the server time is read once under them, each bid is checked against its
deadline and its Idempotency-Key, the log entries are appended together, the rows written, a
checkpoint signed over the new tree, and the lot committed with one durable commit. Each bid's
time is read under its tender's lock and before the commit, as it was when bids took turns
one by one: the deadline and the opening are exactly as strict; only the fsync is shared.
The process's `Sequencer` (procurement/bids/sequencer.py) gathers the batches.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, func, select

from core.clock import Clock
from core.db import stored_id
from core.errors import DomainError
from core.formatting import format_when
from core.i18n import gettext, speaking
from core.ledger import service as ledger
from core.ledger.keys import LogSigner
from core.settings import Settings
from procurement.bids import idempotency
from procurement.bids.models import Bid, BidStatus, IdempotencyKey
from procurement.exceptions import DeadlinePassed, TenderClosed, TenderNotFound
from procurement.publishing import ocds
from procurement.tenders import rules as tender_rules
from procurement.tenders.models import Tender, TenderStatus


@dataclass(frozen=True)
class SealedBid:
    """A bid ready to record: sealed, committed to, and checked as far as no lock is needed."""

    tender_id: int
    supplier_id: int
    supplier_slug: str
    ciphertext: bytes
    commitment: str
    by_client: bool
    key: str | None = None  # SHA-256 of the client's Idempotency-Key
    request_hash: str | None = None  # the request under that key (idempotency.request_hash)
    locale: str = "en"  # the bidder's language: a refusal is said in it


@dataclass(frozen=True)
class Proof:
    """What a fresh receipt says of its bid, as its batch recorded it (nothing read again): the
    log entry, and its inclusion proof against the tree the batch left, which the batch's
    checkpoint signs (its signed note; None without a signer)."""

    version: int
    log_index: int
    log_entry: str
    server_time: datetime
    tree_size: int
    root_hash: bytes
    inclusion_proof: list[bytes]
    checkpoint_note: str | None


@dataclass(frozen=True)
class Recorded:
    """Where a bid went: its row, and whether it was recorded before (a repeated key, whose
    receipt is read from the tables); a bid recorded now comes with its proof."""

    bid_id: int
    repeated: bool = False
    proof: Proof | None = None


def record(
    session: Session,
    bids: Sequence[SealedBid],
    *,
    clock: Clock,
    settings: Settings,
    signer: LogSigner | None,
) -> list[Recorded | DomainError]:
    """Record a batch of sealed bids in one transaction, each bid's outcome in its place: a
    bid refused (late, closed tender, key reused) is left out and the others committed."""
    try:
        outcomes = _record(session, bids, clock=clock, settings=settings, signer=signer)
    except BaseException:
        session.rollback()
        raise
    return outcomes


def _record(
    session: Session,
    bids: Sequence[SealedBid],
    *,
    clock: Clock,
    settings: Settings,
    signer: LogSigner | None,
) -> list[Recorded | DomainError]:
    # Locks in id order, so two processes' batches over the same tenders cannot deadlock.
    tender_ids = sorted({b.tender_id for b in bids})
    locked = select(Tender).where(col(Tender.id).in_(tender_ids)).order_by(col(Tender.id))
    tenders = {t.id: t for t in session.exec(locked.with_for_update())}
    now = clock()  # under every lock the batch needs: the time each bid is judged by
    outcomes: list[_Outcome | None] = [None] * len(bids)
    for place, bid in enumerate(bids):
        tender = tenders.get(bid.tender_id)
        try:
            with speaking(bid.locale):
                if tender is None:  # deleted since the bid was sealed
                    raise TenderNotFound(
                        gettext("There is no tender %(tender)s.") % {"tender": bid.tender_id}
                    )
                check_open(tender, now, settings)
        except DomainError as refused:
            outcomes[place] = refused
    taken_over = _check_keys(session, bids, outcomes, now=now)
    accepted = [place for place, outcome in enumerate(outcomes) if outcome is None]
    if accepted:
        written = _write(session, [bids[p] for p in accepted], settings=settings, now=now)
        rows = [bid_id for bid_id, _, _ in written]
        _finish_keys(session, bids, accepted, rows, taken_over, now=now)
        proofs = _proofs(session, [entry.index for _, _, entry in written], signer, now=now)
        for place, (bid_id, version, entry) in zip(accepted, written, strict=True):
            outcomes[place] = Recorded(
                bid_id, proof=replace(proofs[entry.index], version=version, log_entry=entry.entry)
            )
    session.commit()
    done: list[Recorded | DomainError] = []
    for outcome in outcomes:
        if isinstance(outcome, _SameAs):  # the same key earlier in this batch: that bid's
            first = outcomes[outcome.place]
            assert isinstance(first, Recorded)  # (only an accepted bid is waited for)
            outcome = Recorded(first.bid_id, repeated=True)
        assert outcome is not None
        done.append(outcome)
    return done


def _proofs(
    session: Session, indices: list[int], signer: LogSigner | None, *, now: datetime
) -> dict[int, Proof]:
    """A checkpoint signed over the tree the batch leaves, and each entry's proof against it:
    the receipts are answered from these, and any later tree proves them too."""
    size = indices[-1] + 1  # the batch holds the head row: its last entry ends the tree
    root, paths, checkpoint = ledger.prove_appended(
        session, size=size, indices=indices, signer=signer, now=now
    )
    note = checkpoint.note if checkpoint is not None else None
    return {index: Proof(0, index, "", now, size, root, paths[index], note) for index in indices}


@dataclass(frozen=True)
class _SameAs:
    """A request repeating one earlier in the batch (same key, same body): its answer."""

    place: int


_Outcome = Recorded | DomainError | _SameAs


def check_open(tender: Tender, now: datetime, settings: Settings) -> None:
    """Refuse a bid (or a withdrawal) on a tender that is not taking them at `now`."""
    if tender.status != TenderStatus.ACTIVE:
        raise TenderClosed(
            gettext("Tender %(tender)s is %(status)s; it takes no bids.")
            % {"tender": tender.id, "status": tender.status}
        )
    if not tender_rules.bid_on_time(now=now, deadline=tender.tender_end_at):
        raise DeadlinePassed(
            gettext(
                "The bid deadline was %(deadline)s; "
                "the server time is %(now)s. The bid was not accepted."
            )
            % {
                "deadline": format_when(tender.tender_end_at, "seconds", zone=settings.zone),
                "now": format_when(now, "seconds", zone=settings.zone),
            }
        )


def _check_keys(
    session: Session,
    bids: Sequence[SealedBid],
    outcomes: list[_Outcome | None],
    *,
    now: datetime,
) -> dict[int, IdempotencyKey]:
    """Settle each Idempotency-Key under the tenders' locks (a key's scope is its tender, so no
    other writer adds one meanwhile): a finished request's bid is its answer again, and a key
    seen earlier in the batch waits for that bid. Returns the expired claims taken over."""
    keyed = [p for p, b in enumerate(bids) if b.key is not None and outcomes[p] is None]
    if not keyed:
        return {}
    query = select(IdempotencyKey).where(
        col(IdempotencyKey.key).in_({bids[p].key for p in keyed}),
        col(IdempotencyKey.target).in_({idempotency.bid_target(bids[p].tender_id) for p in keyed}),
    )
    stored = {(k.supplier_id, k.target, k.key): k for k in session.exec(query)}
    seen: dict[tuple[int, str, str], int] = {}
    taken_over: dict[int, IdempotencyKey] = {}
    for place in keyed:
        bid = bids[place]
        assert bid.key is not None
        assert bid.request_hash is not None
        scope = (bid.supplier_id, idempotency.bid_target(bid.tender_id), bid.key)
        earlier, row = seen.get(scope), stored.get(scope)
        if earlier is not None:
            same = bids[earlier].request_hash == bid.request_hash
            with speaking(bid.locale):
                outcomes[place] = _SameAs(earlier) if same else idempotency.mismatch()
        elif row is not None:
            with speaking(bid.locale):
                settled = idempotency.settle(row, request_hash=bid.request_hash, now=now)
            if isinstance(settled, int):
                outcomes[place] = Recorded(settled, repeated=True)
            elif settled is None:
                taken_over[place] = row
            else:
                outcomes[place] = settled
        if outcomes[place] is None:
            seen[scope] = place
    return taken_over


def _write(
    session: Session, bids: Sequence[SealedBid], *, settings: Settings, now: datetime
) -> list[tuple[int, int, ledger.Appended]]:
    """Append the bids' log entries and write their rows; each supplier's newest version
    counts, so the versions it had live on the tender are superseded. Returns each bid's row
    id, version and log entry."""
    pairs = {(b.tender_id, b.supplier_id) for b in bids}
    latest = session.exec(
        select(Bid.tender_id, Bid.supplier_id, func.max(Bid.version))
        .where(col(Bid.tender_id).in_({t for t, _ in pairs}))
        .where(col(Bid.supplier_id).in_({s for _, s in pairs}))
        .group_by(col(Bid.tender_id), col(Bid.supplier_id))
    )
    versions = {(t, s): v for t, s, v in latest if (t, s) in pairs}
    if bid_before := sorted(pairs & versions.keys()):
        table = Bid.__table__  # type: ignore[attr-defined]
        session.connection().execute(
            sa.update(table)
            .where(table.c.tender_id == sa.bindparam("t"), table.c.supplier_id == sa.bindparam("s"))
            .where(table.c.status == BidStatus.SEALED)
            .values(status=BidStatus.SUPERSEDED),
            [{"t": t, "s": s} for t, s in bid_before],
        )
    numbered = []
    for bid in bids:
        version = versions.get((bid.tender_id, bid.supplier_id), 0) + 1
        versions[(bid.tender_id, bid.supplier_id)] = version
        numbered.append(version)
    entries = ledger.append_many(
        session,
        items=[
            (
                "procurement.bid.sealed",
                {
                    "ocid": ocds.ocid(settings.ocid_prefix, bid.tender_id),
                    "supplier": bid.supplier_slug,
                    "version": version,
                    "commitment": bid.commitment,
                },
                ocds.ocid(settings.ocid_prefix, bid.tender_id),
            )
            for bid, version in zip(bids, numbered, strict=True)
        ],
        now=now,
    )
    rows = [
        Bid(
            tender_id=bid.tender_id,
            supplier_id=bid.supplier_id,
            version=version,
            # A supplier's two versions in one batch: the later counts, as if sent one by one.
            status=BidStatus.SEALED
            if version == versions[(bid.tender_id, bid.supplier_id)]
            else BidStatus.SUPERSEDED,
            ciphertext=bid.ciphertext,
            commitment=bid.commitment,
            sealed_by_client=bid.by_client,
            log_index=entry.index,
            submitted_at=now,
        )
        for bid, version, entry in zip(bids, numbered, entries, strict=True)
    ]
    session.add_all(rows)
    session.flush()
    return [(stored_id(row), row.version, entry) for row, entry in zip(rows, entries, strict=True)]


def _finish_keys(
    session: Session,
    bids: Sequence[SealedBid],
    accepted: Sequence[int],
    rows: Sequence[int],
    taken_over: dict[int, IdempotencyKey],
    *,
    now: datetime,
) -> None:
    """Keep each key with the bid it made, in the bid's transaction: a retry finds it."""
    for place, bid_id in zip(accepted, rows, strict=True):
        bid = bids[place]
        if bid.key is None or bid.request_hash is None:
            continue
        row = taken_over.get(place) or IdempotencyKey(
            supplier_id=bid.supplier_id,
            target=idempotency.bid_target(bid.tender_id),
            key=bid.key,
            request_hash=bid.request_hash,
            created_at=now,
            lease_expires_at=now,
        )
        row.bid_id = bid_id
        session.add(row)
