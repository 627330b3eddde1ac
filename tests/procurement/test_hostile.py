"""Hostile bids and faulty openings: refused at the edge, isolated at the opening."""

import base64
import logging
from datetime import timedelta

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
    assert f"{field}:" in response.json()["detail"]
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
