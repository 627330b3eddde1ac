"""Hostile bids and faulty openings: refused at the edge, isolated at the opening."""

import base64
import logging
from datetime import datetime, timedelta

import pytest
from sqlmodel import Session, func, select

from core.types import MAX_MONEY
from procurement import jobs
from procurement.bids import opening, sealing
from procurement.bids.models import Bid
from procurement.tenders.models import Tender, TenderStatus
from tests.procurement import factories as f


def _tender(client, session, clock, **overrides):
    _, buyer_h = f.buyer(client, session, clock())
    return f.published_tender(client, session, clock, buyer_h, **overrides), buyer_h


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"price": {"amount": 10**30, "currency": "THB"}, "declaration": True}, "price.amount"),
        ({"price": {"amount": 2**63, "currency": "THB"}, "declaration": True}, "price.amount"),
        ({"price": {"amount": 1e30, "currency": "THB"}, "declaration": True}, "price.amount"),
        ({**f.bid_body(100), "item_prices": [2**64]}, "item_prices.0"),
        ({**f.bid_body(100), "item_prices": [1] * 501}, "item_prices"),
        ({**f.bid_body(100), "lot_prices": [{"lot": 2**63, "amount": 1}]}, "lot_prices.0.lot"),
    ],
)
def test_a_price_beyond_what_the_books_hold_is_refused_with_a_422_naming_it(
    client, session, clock, body, field
):
    tender, _ = _tender(client, session, clock)
    _, supplier_h = f.supplier(client, session, clock())
    response = client.post(f"/api/tenders/{tender['id']}/bids", json=body, headers=supplier_h)
    assert response.status_code == 422, response.text
    # The field's path for programs; for a person, its label (never the path).
    assert any(e["field"].endswith(field) for e in response.json()["errors"])
    assert field not in response.json()["detail"]
    assert session.exec(select(func.count()).select_from(Bid)).one() == 0


def test_more_unit_prices_than_the_tender_has_items_are_refused(client, session, clock):
    tender, _ = _tender(client, session, clock)  # one item
    _, supplier_h = f.supplier(client, session, clock())
    url = f"/api/tenders/{tender['id']}/bids"
    refused = client.post(
        url, json={**f.bid_body(100), "item_prices": [50, 50]}, headers=supplier_h
    )
    assert refused.status_code == 422
    assert "the tender has 1 items" in refused.json()["detail"]
    accepted = client.post(url, json={**f.bid_body(100), "item_prices": [100]}, headers=supplier_h)
    assert accepted.status_code == 201


def _client_sealed(tender: dict, amount: object) -> dict:
    """A bid sealed off the server, where no schema checked its price."""
    bid = {"price": {"amount": amount, "currency": "THB"}, "item_prices": [], "documents": []}
    bid |= {"declaration": True, "reserve_picks": []}
    ciphertext, commitment = sealing.seal(
        base64.b64decode(tender["sealing_public_key"]), bid, ocid=tender["ocid"]
    )
    return {"ciphertext_base64": base64.b64encode(ciphertext).decode(), "commitment": commitment}


def test_a_client_sealed_bid_priced_past_bigint_is_opened_invalid_and_the_rest_rank(
    client, session, clock
):
    tender, buyer_h = _tender(client, session, clock)
    url = f"/api/tenders/{tender['id']}/bids"
    for amount in (2**63, MAX_MONEY + 1, 1e30, float("inf")):
        _, hostile_h = f.supplier(client, session, clock())
        sealed = _client_sealed(tender, amount) if amount != float("inf") else None
        if sealed is not None:
            assert client.post(url, json=sealed, headers=hostile_h).status_code == 201
    _, honest_h = f.supplier(client, session, clock())
    assert client.post(url, json=f.bid_body(500), headers=honest_h).status_code == 201
    clock.advance(days=10, hours=1)
    response = client.post(f"/api/tenders/{tender['id']}/open", headers=buyer_h)
    assert response.status_code == 200, response.text
    rows = response.json()["opening"]
    assert [(b["status"], b["price"], b["rank"]) for b in rows if b["status"] == "valid"] == [
        ("valid", 500, 1)
    ]
    invalid = [b for b in rows if b["status"] == "invalid"]
    assert len(invalid) == 3
    assert all("minor units from 1 to" in b["problem"] for b in invalid)
    assert all(b["price"] is None for b in invalid)


def test_another_organisations_buyer_may_not_open_a_tender(client, session, clock):
    tender, _ = _tender(client, session, clock)
    _, other_buyer_h = f.buyer(client, session, clock())
    clock.advance(days=10, hours=1)
    response = client.post(f"/api/tenders/{tender['id']}/open", headers=other_buyer_h)
    assert response.status_code == 403
    assert "Only the buying entity" in response.json()["detail"]


def test_a_missing_opening_key_answers_503_not_500_and_opens_nothing(
    client, session, clock, settings
):
    tender, buyer_h = _tender(client, session, clock)
    clock.advance(days=10, hours=1)
    settings.opening_key_path.rename(settings.opening_key_path.with_suffix(".away"))
    response = client.post(f"/api/tenders/{tender['id']}/open", headers=buyer_h)
    assert response.status_code == 503
    assert "restore the opening key" in response.json()["detail"]
    assert session.get(Tender, tender["id"]).status == TenderStatus.ACTIVE


def test_the_opening_job_opens_the_earliest_first_and_a_failure_stops_no_other(
    client, session, clock, connection, monkeypatch, caplog
):
    later, _ = _tender(client, session, clock)
    earlier, _ = _tender(
        client, session, clock, opening_at=(clock() + timedelta(days=10, minutes=30)).isoformat()
    )
    broken, _ = _tender(
        client, session, clock, opening_at=(clock() + timedelta(days=10, minutes=10)).isoformat()
    )
    clock.advance(days=11)
    assert opening.due_openings(session, now=clock()) == [broken["id"], earlier["id"], later["id"]]

    real_open = opening.open_tender
    tried = []

    def open_or_fail(session, *, tender_id, **kwargs):
        tried.append(tender_id)
        if tender_id == broken["id"]:
            raise OverflowError("Python int too large to convert to SQLite INTEGER")
        return real_open(session, tender_id=tender_id, **kwargs)

    monkeypatch.setattr(opening, "open_tender", open_or_fail)
    monkeypatch.setattr(jobs, "read_only", lambda engine: engine)
    monkeypatch.setattr(
        jobs,
        "Session",
        lambda _: Session(bind=connection, join_transaction_mode="create_savepoint"),
    )
    context = jobs.JobContext(engine=None, settings=client.app.state.settings, clock=clock)
    with caplog.at_level(logging.ERROR, logger="procurement.jobs"):
        jobs.open_due_tenders(context)
    assert tried == [broken["id"], earlier["id"], later["id"]]
    session.expire_all()
    statuses = {t: session.get(Tender, t).status for t in tried}
    assert statuses == {
        broken["id"]: TenderStatus.ACTIVE,
        earlier["id"]: TenderStatus.OPENED,
        later["id"]: TenderStatus.OPENED,
    }
    assert f"tender {broken['id']} could not be opened" in caplog.text


def test_a_document_written_for_a_commit_that_fails_is_removed(
    client, session, clock, settings, monkeypatch
):
    from procurement.tenders import service as tender_service

    _, buyer_h = f.buyer(client, session, clock())
    draft = client.post("/api/tenders", json=f.draft_body(clock()), headers=buyer_h).json()
    content = b"%PDF-1.4\n% a document whose commit fails\n%%EOF\n"

    def failing_commit():
        raise RuntimeError("the database went away")

    monkeypatch.setattr(session, "commit", failing_commit)
    buyer = session.exec(select(Tender).where(Tender.id == draft["id"])).one()
    from core.auth.models import User

    user = session.exec(select(User).where(User.organisation_id == buyer.buyer_id)).first()
    with pytest.raises(RuntimeError):
        tender_service.add_document(
            session,
            buyer=user,
            tender_id=draft["id"],
            title="Drawings",
            content=content,
            now=clock(),
            settings=settings,
        )
    assert list((settings.data_dir / "documents").glob("*")) == []


def test_an_idempotency_key_is_scoped_to_its_tender(client, session, clock):
    first, _ = _tender(client, session, clock)
    second, _ = _tender(client, session, clock)
    _, supplier_h = f.supplier(client, session, clock())
    headers = {**supplier_h, "Idempotency-Key": "same-key"}
    one = client.post(f"/api/tenders/{first['id']}/bids", json=f.bid_body(500), headers=headers)
    two = client.post(f"/api/tenders/{second['id']}/bids", json=f.bid_body(500), headers=headers)
    assert (one.status_code, two.status_code) == (201, 201)
    assert two.json()["tender_id"] == second["id"]
    assert two.json()["bid_id"] != one.json()["bid_id"]


def test_a_claim_left_by_a_crash_is_retried_once_its_lease_runs_out(client, session, clock):
    """Keys are now written with their bid; an earlier version claimed a key first and, killed
    between claiming and saving, left an unfinished claim behind: it is honoured until its
    lease runs out, then taken over."""
    from procurement.bids import idempotency
    from procurement.bids.models import IdempotencyKey
    from procurement.bids.schemas import BidIn

    tender, _ = _tender(client, session, clock)
    supplier, supplier_h = f.supplier(client, session, clock())
    headers = {**supplier_h, "Idempotency-Key": "crashed"}
    settings = client.app.state.settings
    body = f.bid_body(700)
    target = idempotency.bid_target(tender["id"])
    digest = idempotency.request_hash(
        settings,
        key="crashed",
        target=target,
        body=BidIn.model_validate(body).model_dump_json().encode(),
    )
    session.add(
        IdempotencyKey(
            supplier_id=supplier.organisation_id,
            target=target,
            key=idempotency.key_digest("crashed"),
            request_hash=digest,
            created_at=clock(),
            lease_expires_at=clock() + idempotency.LEASE,
        )
    )
    session.commit()
    url = f"/api/tenders/{tender['id']}/bids"
    busy = client.post(url, json=body, headers=headers)
    assert busy.status_code == 409
    assert "still in progress" in busy.json()["detail"]
    clock.advance(seconds=idempotency.LEASE.total_seconds())
    retried = client.post(url, json=body, headers=headers)
    assert retried.status_code == 201, retried.text
    again = client.post(url, json=body, headers=headers)
    assert again.json()["bid_id"] == retried.json()["bid_id"]
    row = session.exec(select(IdempotencyKey)).one()
    assert row.bid_id == retried.json()["bid_id"]


def test_a_dump_and_the_server_secret_together_cannot_test_a_guessed_price(client, session, clock):
    """What the table keeps of a key and its request, read with the secret file beside it."""
    import hashlib
    import hmac

    from procurement.bids.models import IdempotencyKey
    from procurement.bids.schemas import BidIn

    tender, _ = _tender(client, session, clock)
    _, supplier_h = f.supplier(client, session, clock())
    body = f.bid_body(123_456)
    client.post(
        f"/api/tenders/{tender['id']}/bids",
        json=body,
        headers={**supplier_h, "Idempotency-Key": "k1-0f9c2a7e"},
    )
    row = session.exec(select(IdempotencyKey)).one()
    assert row.key != "k1-0f9c2a7e"  # the client's key is not stored, only its digest
    assert row.key == hashlib.sha256(b"k1-0f9c2a7e").hexdigest()
    key_file = client.app.state.settings.data_dir / "idempotency-key"
    assert key_file.stat().st_mode & 0o777 == 0o600
    secret = key_file.read_bytes()
    assert len(secret) == 32
    clear = f"POST /tenders/{tender['id']}/bids\n".encode() + (
        BidIn.model_validate(body).model_dump_json().encode()
    )
    # The right guess, tried every way a thief with the dump and the secret could try it:
    for guess in (
        hashlib.sha256(clear).hexdigest(),
        hmac.new(secret, clear, hashlib.sha256).hexdigest(),
        hmac.new(secret + row.key.encode(), clear, hashlib.sha256).hexdigest(),
    ):
        assert row.request_hash != guess
    # Only the client's own key, which the dump does not hold, makes the hash.
    keyed = hmac.new(secret + b"k1-0f9c2a7e", clear, hashlib.sha256).hexdigest()
    assert row.request_hash == keyed


def test_the_opening_deletes_the_tenders_idempotency_keys(client, session, clock):
    from procurement.bids.models import IdempotencyKey

    tender, buyer_h = _tender(client, session, clock)
    other, _ = _tender(client, session, clock)
    _, supplier_h = f.supplier(client, session, clock())
    for each in (tender, other):
        made = client.post(
            f"/api/tenders/{each['id']}/bids",
            json=f.bid_body(900),
            headers={**supplier_h, "Idempotency-Key": "one-key"},
        )
        assert made.status_code == 201, made.text
    clock.set(datetime.fromisoformat(tender["opening_at"]))
    opened = client.post(f"/api/tenders/{tender['id']}/open", headers=buyer_h)
    assert opened.status_code == 200, opened.text
    targets = session.exec(select(IdempotencyKey.target)).all()
    assert targets == [f"POST /tenders/{other['id']}/bids"]


def test_migration_0011_keeps_keys_as_digests_and_scrubs_the_old_hashes(
    client, session, connection, clock
):
    """Rows as 0010 left them (the client's key in clear, an HMAC under the server secret
    alone) after the data step of 0011."""
    import hashlib
    import importlib.util
    from pathlib import Path

    from alembic.migration import MigrationContext
    from alembic.operations import Operations

    from procurement.bids.models import IdempotencyKey

    tender, _ = _tender(client, session, clock)
    supplier, supplier_h = f.supplier(client, session, clock())
    url = f"/api/tenders/{tender['id']}/bids"
    made = client.post(url, json=f.bid_body(800), headers={**supplier_h, "Idempotency-Key": "k1"})
    assert made.status_code == 201
    finished = session.exec(select(IdempotencyKey)).one()
    finished.key, finished.request_hash = "k1", "0" * 64
    session.add(finished)
    session.add(
        IdempotencyKey(
            supplier_id=supplier.organisation_id,
            target=f"POST /tenders/{tender['id']}/bids",
            key="k2",
            request_hash="1" * 64,
            created_at=clock(),
            lease_expires_at=clock(),
        )
    )
    session.commit()

    path = next(Path("migrations/versions").glob("*_idempotency_key_digest.py"))
    spec = importlib.util.spec_from_file_location("m0011", path)
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    with Operations.context(MigrationContext.configure(connection)):
        migration.upgrade()
    session.expire_all()

    rows = session.exec(select(IdempotencyKey)).all()
    assert [(r.key, r.request_hash) for r in rows] == [(hashlib.sha256(b"k1").hexdigest(), "")]
    # A retry of the old key finds its row and is refused, never recorded twice.
    again = client.post(url, json=f.bid_body(800), headers={**supplier_h, "Idempotency-Key": "k1"})
    assert again.status_code in (409, 422), again.text
    assert "Idempotency-Key" in again.json()["detail"]


def test_sealed_bids_of_any_price_have_the_same_length_and_old_unpadded_bids_still_open():
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
    from cryptography.hazmat.primitives.serialization import (
        Encoding,
        NoEncryption,
        PrivateFormat,
        PublicFormat,
    )

    private = X25519PrivateKey.generate()
    raw = private.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    public = private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    lengths = set()
    for digits in range(1, 16):
        bid = {"price": {"amount": int("9" * digits), "currency": "THB"}, "declaration": True}
        ciphertext, commitment = sealing.seal(public, bid, ocid="ocds-x-1")
        lengths.add(len(ciphertext))
        assert sealing.unseal(raw, ciphertext, ocid="ocds-x-1", expected=commitment) == bid
    assert len(lengths) == 1
    # A bid sealed before padding existed: no "pad" in its plaintext.
    bid, salt = {"price": {"amount": 5, "currency": "THB"}}, b"s" * 32
    old = sealing.SUITE.encrypt(
        sealing.canonical({"bid": bid, "salt": salt.hex()}),
        private.public_key(),
        sealing.hpke_info("ocds-x-1"),
    )
    expected = sealing.commitment(bid, salt)
    assert sealing.unseal(raw, old, ocid="ocds-x-1", expected=expected) == bid


@pytest.mark.parametrize(
    ("path", "form"),
    [
        ("/buyer/tenders", {"title": "Road works", "estimated_value": "1e400"}),
        ("/buyer/tenders/{id}/award", {"score-1-2-3": "50"}),
        ("/buyer/tenders/{id}/award", {"score-abc-0": "50"}),
        ("/buyer/tenders/{id}/award", {"score-1-0": "²"}),
        ("/buyer/tenders/{id}/award", {"lot": "²"}),
    ],
)
def test_a_hostile_buyer_form_is_a_4xx_never_a_500(app, session, clock, path, form):
    from core.auth.models import Role
    from tests import factories
    from tests.prongsai.test_authorization_matrix import Identity

    buyer = factories.user(session, role=Role.BUYER, now=clock())
    draft = f.draft_body(clock())
    from procurement.tenders import service as tender_service
    from procurement.tenders.schemas import TenderDraftIn

    tender = tender_service.create_draft(
        session, buyer=buyer, draft=TenderDraftIn.model_validate(draft), now=clock()
    )
    response = Identity(app, session, buyer).call("POST", path.format(id=tender.id), form)
    assert 400 <= response.status_code < 500, (response.status_code, response.text[-300:])
