"""Group commit of sealed bids: a batch is recorded as the bids one by one would have been."""

from datetime import timedelta

from sqlmodel import Session, func, select

from core.auth.models import Organisation
from core.i18n import speaking
from core.ledger.models import LedgerCheckpoint, LedgerEntry
from procurement.bids import receipts
from procurement.bids import service as bidding
from procurement.bids.models import Bid, BidStatus
from procurement.bids.receipt_check import check_offline
from procurement.bids.recording import Recorded, SealedBid, record
from procurement.bids.schemas import BidIn, PriceIn
from procurement.bids.sequencer import Sequencer
from procurement.exceptions import BidNotRecorded, DeadlinePassed, IdempotencyMismatch
from procurement.tenders.models import Tender
from tests.procurement import factories as f


def _world(client, session, clock, **overrides):
    _, buyer_h = f.buyer(client, session, clock())
    return f.published_tender(client, session, clock, buyer_h, **overrides)


def _sealed(client, session, tender, amount, *, user=None, key=None, body_hash=None):
    settings = client.app.state.settings
    if user is None:
        user, _ = f.supplier(client, session, client.app.state.clock())
    bid = BidIn(price=PriceIn(amount=amount, currency="THB"), declaration=True)
    sealed, private, _ = bidding.seal_bid(
        session, user=user, tender_id=tender["id"], bid=bid, settings=settings
    )
    if key is not None:
        sealed = SealedBid(**{**sealed.__dict__, "key": key, "request_hash": body_hash or "h"})
    return user, sealed, private


def _record(client, session, bids):
    app = client.app
    return record(
        session,
        bids,
        clock=app.state.clock,
        settings=app.state.settings,
        signer=app.state.log_signer,
    )


def _count(session, model) -> int:
    return session.exec(select(func.count()).select_from(model)).one()


def test_a_batch_shares_one_commit_and_one_checkpoint_and_every_receipt_proves_its_bid(
    client, session, clock
):
    tender = _world(client, session, clock)
    made = [_sealed(client, session, tender, 1000 + i) for i in range(3)]
    checkpoints = _count(session, LedgerCheckpoint)
    outcomes = _record(client, session, [sealed for _, sealed, _ in made])
    assert all(isinstance(o, Recorded) and not o.repeated for o in outcomes)
    assert _count(session, LedgerCheckpoint) == checkpoints + 1
    rows = [session.get_one(Bid, o.bid_id) for o in outcomes]  # type: ignore[union-attr]
    assert [r.log_index for r in rows] == list(range(rows[0].log_index, rows[0].log_index + 3))
    assert {r.status for r in rows} == {BidStatus.SEALED}
    key = client.app.state.log_signer.verifier_key
    prefix = client.app.state.settings.ocid_prefix
    for row, outcome, (user, sealed, private) in zip(rows, outcomes, made, strict=True):
        stored = receipts.stored_receipt(
            session,
            organisation_id=row.supplier_id,
            tender_id=row.tender_id,
            bid_id=row.id,
            prefix=prefix,
            verifier_key=key,
        ).model_copy(update={"private": private})
        company = session.get_one(Organisation, user.organisation_id)
        heading = receipts.Heading(
            ocid=stored.ocid,
            tender_id=tender["id"],
            tender_title=tender["title"],
            supplier=company.slug,
            supplier_name=company.name,
            supplier_name_th=company.name_th,
        )
        fresh = receipts.recorded_receipt(
            heading=heading,
            bid_id=row.id,
            commitment=sealed.commitment,
            proof=outcome.proof,
            verifier_key=key,
            private=private,
        )
        # What the batch answers is the receipt the tables give, and it proves the bid.
        assert fresh == stored
        findings = check_offline(fresh, verifier_key=key)
        assert all(finding.holds for finding in findings), findings


def test_a_late_bid_is_refused_alone_and_leaves_no_trace(client, session, clock):
    closing = _world(client, session, clock)
    end = clock() + timedelta(days=40)
    later = _world(
        client,
        session,
        clock,
        tender_end_at=end.isoformat(),
        opening_at=(end + timedelta(hours=1)).isoformat(),
    )
    _, late, _ = _sealed(client, session, closing, 500)
    _, on_time, _ = _sealed(client, session, later, 600)
    entries = _count(session, LedgerEntry)
    clock.advance(seconds=(closing_end(session, closing) - clock()).total_seconds())
    refused, recorded = _record(client, session, [late, on_time])
    assert isinstance(refused, DeadlinePassed)
    assert "deadline" in refused.message
    assert isinstance(recorded, Recorded)
    assert _count(session, LedgerEntry) == entries + 1  # the on-time bid's entry alone
    assert session.exec(select(Bid).where(Bid.tender_id == closing["id"])).all() == []


def closing_end(session, tender):
    return session.get_one(Tender, tender["id"]).tender_end_at


def test_one_supplier_twice_in_a_batch_counts_its_later_version(client, session, clock):
    tender = _world(client, session, clock)
    user, before, _ = _sealed(client, session, tender, 900)
    assert isinstance(_record(client, session, [before])[0], Recorded)
    _, again, _ = _sealed(client, session, tender, 800, user=user)
    _, last, _ = _sealed(client, session, tender, 700, user=user)
    _record(client, session, [again, last])
    bids = session.exec(select(Bid).where(Bid.tender_id == tender["id"]).order_by(Bid.version))
    assert [(b.version, b.status) for b in bids] == [
        (1, BidStatus.SUPERSEDED),
        (2, BidStatus.SUPERSEDED),
        (3, BidStatus.SEALED),
    ]


def test_a_key_repeated_in_a_batch_records_one_bid_and_another_body_is_refused(
    client, session, clock
):
    tender = _world(client, session, clock)
    user, one, _ = _sealed(client, session, tender, 900, key="k", body_hash="a")
    _, twin, _ = _sealed(client, session, tender, 900, user=user, key="k", body_hash="a")
    _, other, _ = _sealed(client, session, tender, 901, user=user, key="k", body_hash="b")
    first, repeat, refused = _record(client, session, [one, twin, other])
    assert isinstance(first, Recorded)
    assert repeat == Recorded(first.bid_id, repeated=True)
    assert isinstance(refused, IdempotencyMismatch)
    assert len(session.exec(select(Bid).where(Bid.tender_id == tender["id"])).all()) == 1
    (again,) = _record(client, session, [twin])  # a later batch finds the key's bid
    assert again == Recorded(first.bid_id, repeated=True)


def test_a_bid_the_database_refuses_fails_alone(client, session, clock, connection):
    tender = _world(client, session, clock)
    _, good, _ = _sealed(client, session, tender, 900)
    _, also_good, _ = _sealed(client, session, tender, 950)
    poison = SealedBid(**{**good.__dict__, "supplier_id": 10**9, "supplier_slug": "nobody"})
    app = client.app
    sequencer = Sequencer(
        lambda: Session(bind=connection, join_transaction_mode="create_savepoint"),
        clock=app.state.clock,
        settings=app.state.settings,
        signer=app.state.log_signer,
    )
    outcomes = sequencer.record([good, poison, also_good])
    assert isinstance(outcomes[0], Recorded)
    assert isinstance(outcomes[1], BidNotRecorded)
    assert outcomes[1].status_code == 503
    assert "same Idempotency-Key" in outcomes[1].message
    assert isinstance(outcomes[2], Recorded)


def test_a_refusal_is_said_in_the_bidders_language(client, session, clock):
    tender = _world(client, session, clock)
    with speaking("th"):
        _, late, _ = _sealed(client, session, tender, 500)
    late = SealedBid(**{**late.__dict__, "locale": "th"})
    clock.advance(seconds=(closing_end(session, tender) - clock()).total_seconds() + 1)
    (refused,) = _record(client, session, [late])
    assert isinstance(refused, DeadlinePassed)
    assert any("\u0e00" <= ch <= "\u0e7f" for ch in refused.message), refused.message
