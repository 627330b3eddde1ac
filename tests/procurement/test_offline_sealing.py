"""A bid sealed on the supplier's machine is stored as sent and opens like any other."""

import base64

import pytest

from procurement.bids.offline import seal_bid_offline
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
        public_key_base64=tender["sealing_public_key"],
        ocid=tender["ocid"],
        currency="THB",
        amount=199_000_000,
        documents=[proposal],
        declaration=True,
    )
    honest = client.post(f"/api/tenders/{tender['id']}/bids", json=sealed, headers=honest_h)
    assert honest.status_code == 201
    assert honest.json()["commitment"] == sealed["commitment"]
    forged = seal_bid_offline(
        public_key_base64=tender["sealing_public_key"],
        ocid=tender["ocid"],
        currency="THB",
        amount=150_000_000,
        documents=[],
        declaration=True,
    )
    forged["commitment"] = "ab" * 32  # commits to something else than what it encrypts
    assert (
        client.post(f"/api/tenders/{tender['id']}/bids", json=forged, headers=forger_h).status_code
        == 201
    )
    garbage = {"ciphertext_base64": "not base64!", "commitment": "cd" * 32}
    bad = client.post(f"/api/tenders/{tender['id']}/bids", json=garbage, headers=forger_h)
    assert bad.status_code == 422
    assert "base64" in bad.json()["detail"]

    clock.advance(days=10, hours=1)
    opened = client.post(f"/api/tenders/{tender['id']}/open", headers=buyer_h).json()
    by_status = {b["status"]: b for b in opened["opening"]}
    assert by_status["valid"]["price"] == 199_000_000
    assert by_status["valid"]["rank"] == 1
    assert by_status["invalid"]["price"] is None
    assert "does not match its commitment" in by_status["invalid"]["problem"]


@pytest.mark.usefixtures("tmp_path")
def test_the_offline_sealer_refuses_a_bid_without_the_declaration():
    import pytest
    from pydantic import ValidationError

    key = base64.b64encode(bytes(32)).decode()
    with pytest.raises(ValidationError, match="declaration"):
        seal_bid_offline(
            public_key_base64=key,
            ocid="ocds-x-1",
            currency="THB",
            amount=1,
            documents=[],
            declaration=False,
        )


def test_client_sealed_lotted_bids_open_per_lot_and_bad_lot_prices_are_published_invalid(
    client, session, clock
):
    from tests.procurement.test_lots import ITEMS, LOTS

    _, buyer_h = f.buyer(client, session, clock())
    _, good_h = f.supplier(client, session, clock())
    _, sloppy_h = f.supplier(client, session, clock())
    tender = f.published_tender(client, session, clock, buyer_h, lots=LOTS, items=ITEMS)
    common = {
        "public_key_base64": tender["sealing_public_key"],
        "ocid": tender["ocid"],
        "currency": "THB",
        "documents": [],
        "declaration": True,
    }
    good = seal_bid_offline(amount=300, lot_prices={1: 100, 2: 200}, **common)
    sloppy = seal_bid_offline(amount=999, lot_prices={2: 100}, **common)  # the server can't see
    for body, headers in ((good, good_h), (sloppy, sloppy_h)):
        assert (
            client.post(f"/api/tenders/{tender['id']}/bids", json=body, headers=headers).status_code
            == 201
        )
    clock.advance(days=10, hours=1)
    opened = client.post(f"/api/tenders/{tender['id']}/open", headers=buyer_h).json()
    by_status = {b["status"]: b for b in opened["opening"]}
    assert by_status["valid"]["lots"] == [
        {"lot": 1, "price": 100, "rank": 1},
        {"lot": 2, "price": 200, "rank": 1},
    ]
    assert "the total price must be the sum of the lot prices" in by_status["invalid"]["problem"]
    assert by_status["invalid"]["lots"] == []


def seal_with_cli(client, monkeypatch, capsys, tmp_path, *args: str) -> tuple[int, str, str]:
    """Run `prongsai seal-bid` in this process, reading the tender from the test server."""
    import prongsai.cli

    monkeypatch.setenv("PRONGSAI_DATA_DIR", str(tmp_path / "cli-data"))
    monkeypatch.setattr(prongsai.cli.httpx, "get", lambda url, **_options: client.get(url))
    status = prongsai.cli.main(["seal-bid", "--url", "http://testserver", *args])
    out, err = capsys.readouterr()
    return status, out, err


def test_seal_bid_command_seals_lot_prices_that_open_per_lot(
    client, session, clock, tmp_path, monkeypatch, capsys
):
    import json

    from tests.procurement.test_lots import ITEMS, LOTS

    _, buyer_h = f.buyer(client, session, clock())
    _, supplier_h = f.supplier(client, session, clock())
    tender = f.published_tender(client, session, clock, buyer_h, lots=LOTS, items=ITEMS)
    status, out, err = seal_with_cli(
        client,
        monkeypatch,
        capsys,
        tmp_path,
        "--tender",
        str(tender["id"]),
        "--amount",
        "1750000000",
        "--lot",
        "1=1350000000",
        "--lot",
        "2=400000000",
        "--declare",
    )
    assert status == 0, err
    sealed = json.loads(out)
    assert "1350000000" not in out  # the prices travel sealed
    sent = client.post(f"/api/tenders/{tender['id']}/bids", json=sealed, headers=supplier_h)
    assert sent.status_code == 201
    assert sent.json()["commitment"] == sealed["commitment"]

    clock.advance(days=10, hours=1)
    opened = client.post(f"/api/tenders/{tender['id']}/open", headers=buyer_h).json()
    [bid] = opened["opening"]
    assert bid["status"] == "valid"
    assert bid["price"] == 1_750_000_000
    assert bid["lots"] == [
        {"lot": 1, "price": 1_350_000_000, "rank": 1},
        {"lot": 2, "price": 400_000_000, "rank": 1},
    ]


@pytest.mark.usefixtures("session", "clock")
def test_seal_bid_command_refuses_a_malformed_or_repeated_lot(
    client, tmp_path, monkeypatch, capsys
):
    import pytest

    with pytest.raises(SystemExit) as usage:
        seal_with_cli(
            client,
            monkeypatch,
            capsys,
            tmp_path,
            "--tender",
            "1",
            "--amount",
            "5",
            "--lot",
            "first=5",
            "--declare",
        )
    assert usage.value.code == 2
    assert "'first=5' is not N=PRICE" in capsys.readouterr().err
    status, out, err = seal_with_cli(
        client,
        monkeypatch,
        capsys,
        tmp_path,
        "--tender",
        "1",
        "--amount",
        "5",
        "--lot",
        "1=2",
        "--lot",
        "1=3",
        "--declare",
    )
    assert status == 1
    assert out == ""
    assert "--lot gives lot 1 more than one price" in err
