"""A bid sealed on the supplier's machine is stored as sent and opens like any other."""

import base64

from procurement.offline import seal_bid_offline
from tests.procurement import factories as f


def test_a_client_sealed_bid_opens_and_a_forged_commitment_is_published_as_failing(
    client, session, clock, tmp_path
):
    _, buyer_h = f.buyer(client, session, clock())
    _, honest_h = f.supplier(client, session, clock())
    _, forger_h = f.supplier(client, session, clock())
    tender = f.published_tender(client, session, clock, buyer_h)
    proposal = tmp_path / "proposal.pdf"
    proposal.write_bytes(b"%PDF-1.4\n% technical proposal\n%%EOF\n")
    sealed = seal_bid_offline(
        public_key_base64=tender["sealing_public_key"], ocid=tender["ocid"], currency="THB",
        amount=199_000_000, documents=[proposal], declaration=True,
    )
    honest = client.post(f"/api/tenders/{tender['id']}/bids", json=sealed, headers=honest_h)
    assert honest.status_code == 201
    assert honest.json()["commitment"] == sealed["commitment"]
    forged = seal_bid_offline(
        public_key_base64=tender["sealing_public_key"], ocid=tender["ocid"], currency="THB",
        amount=150_000_000, documents=[], declaration=True,
    )
    forged["commitment"] = "ab" * 32  # commits to something else than what it encrypts
    assert client.post(f"/api/tenders/{tender['id']}/bids", json=forged,
                       headers=forger_h).status_code == 201
    garbage = {"ciphertext_base64": "not base64!", "commitment": "cd" * 32}
    bad = client.post(f"/api/tenders/{tender['id']}/bids", json=garbage, headers=forger_h)
    assert bad.status_code == 422 and "base64" in bad.json()["detail"]

    clock.advance(days=10, hours=1)
    opened = client.post(f"/api/tenders/{tender['id']}/open", headers=buyer_h).json()
    by_status = {b["status"]: b for b in opened["opening"]}
    assert by_status["valid"]["price"] == 199_000_000 and by_status["valid"]["rank"] == 1
    assert by_status["invalid"]["price"] is None
    assert "does not match its commitment" in by_status["invalid"]["problem"]


def test_the_offline_sealer_refuses_a_bid_without_the_declaration(tmp_path):
    import pytest
    from pydantic import ValidationError

    key = base64.b64encode(bytes(32)).decode()
    with pytest.raises(ValidationError, match="declaration"):
        seal_bid_offline(public_key_base64=key, ocid="ocds-x-1", currency="THB", amount=1,
                         documents=[], declaration=False)
