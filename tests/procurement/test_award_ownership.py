"""Only the buying entity that owns a tender may finalise its award."""

from procurement.awards.models import Award, AwardStatus
from tests.procurement import factories as f


def test_another_buyer_cannot_finalise_an_award_and_the_owner_can(client, session, clock):
    _, buyer_h = f.buyer(client, session, clock())
    _, other_h = f.buyer(client, session, clock())
    _, supplier_h = f.supplier(client, session, clock())
    tender = f.published_tender(client, session, clock, buyer_h)
    bid = client.post(
        f"/api/tenders/{tender['id']}/bids", json=f.bid_body(230_000_000), headers=supplier_h
    )
    assert bid.status_code == 201, bid.text
    clock.advance(days=10, hours=1)
    assert client.post(f"/api/tenders/{tender['id']}/open", headers=buyer_h).status_code == 200
    awarded = client.post(f"/api/tenders/{tender['id']}/award", json={}, headers=buyer_h)
    award_id = awarded.json()["awards"][0]["id"]
    clock.advance(days=11)

    refused = client.post(f"/api/awards/{award_id}/finalise", headers=other_h)
    assert refused.status_code == 403
    assert "Only the buying entity that published this tender" in refused.json()["detail"]
    session.expire_all()
    assert session.get(Award, award_id).status == AwardStatus.STANDSTILL

    final = client.post(f"/api/awards/{award_id}/finalise", headers=buyer_h)
    assert final.status_code == 200
    assert final.json()["status"] == "final"
    session.expire_all()
    assert session.get(Award, award_id).status == AwardStatus.FINAL
