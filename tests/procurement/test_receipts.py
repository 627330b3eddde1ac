"""A bid receipt proves the bid from the downloaded file alone: `prongsai verify-receipt` and
the checks behind it, on a good receipt and on each kind of tampering."""

from __future__ import annotations

import base64
import hashlib
import json
import logging

import pytest

from core.ledger import service as ledger
from procurement.bids import receipt_check as check
from procurement.bids import sealing
from prongsai import cli
from tests.procurement import factories as f
from tests.procurement.test_secrecy import dump

CANARY = 918_273_645  # a price that appears nowhere else
LOTS = [
    {"title": "Lot one", "estimated_value": 1_000_000},
    {"title": "Lot two", "estimated_value": 1_000_000},
]
ITEMS = [
    {"description": "Part one", "quantity": "1", "unit": "set", "lot": 1},
    {"description": "Part two", "quantity": "1", "unit": "set", "lot": 2},
]
PDF = b"%PDF-1.4\n% technical proposal\n%%EOF\n"


@pytest.fixture
def sent(client, session, clock):
    """A lotted tender, and the full receipt its supplier's bid was answered with."""
    _, buyer_h = f.buyer(client, session, clock())
    _, supplier_h = f.supplier(client, session, clock())
    tender = f.published_tender(client, session, clock, buyer_h, lots=LOTS, items=ITEMS)
    body = {
        **f.bid_body(CANARY),
        "lot_prices": [
            {"lot": 1, "amount": 900_000_000},
            {"lot": 2, "amount": CANARY - 900_000_000},
        ],
        "documents": [{"title": "Proposal.pdf", "content_base64": base64.b64encode(PDF).decode()}],
    }
    answer = client.post(f"/api/tenders/{tender['id']}/bids", json=body, headers=supplier_h)
    assert answer.status_code == 201, answer.text
    return tender, buyer_h, supplier_h, answer.json()


def verify(tmp_path, receipt, *extra) -> int:
    path = tmp_path / "receipt.json"
    path.write_text(json.dumps(receipt) if isinstance(receipt, dict) else receipt)
    return cli.main(["verify-receipt", str(path), *extra])


def test_the_full_receipt_shows_the_bid_and_verifies_from_the_file_alone(sent, tmp_path, capsys):
    _, _, _, receipt = sent
    private = receipt["private"]
    assert private["price"] == {"amount": CANARY, "currency": "THB"}
    assert private["lot_prices"][0] == {"lot": 1, "amount": 900_000_000}
    assert private["documents"] == [
        {"title": "Proposal.pdf", "sha256": hashlib.sha256(PDF).hexdigest()}
    ]
    assert receipt["supplier_name"]
    assert receipt["tender_title"]
    assert receipt["checkpoint"]["tree_size"] > receipt["log_index"]  # signed after the bid
    assert verify(tmp_path, receipt) == 0
    out = capsys.readouterr().out
    assert "ok: the commitment is SHA-256(salt ‖ canonical bid)" in out
    assert "ok: the price, lot prices and documents shown are committed" in out
    assert "ok: the checkpoint is signed by the log's key" in out
    assert "FAILED" not in out
    assert f"receipt of bid {receipt['bid_id']} (version 1)" in out


def _set_price(r):
    r["private"]["price"]["amount"] += 1


def _set_committed_price(r):
    r["private"]["canonical_bid"] = r["private"]["canonical_bid"].replace(
        f'"amount":{CANARY}', f'"amount":{CANARY - 1}'
    )
    r["private"]["price"]["amount"] = CANARY - 1


def _set_lot(r):
    r["private"]["lot_prices"][1]["amount"] -= 1


def _set_document(r):
    r["private"]["documents"][0]["sha256"] = "0" * 64


def _set_salt(r):
    r["private"]["salt"] = "00" + r["private"]["salt"][2:]


def _set_proof(r):
    r["inclusion_proof"][0] = "00" * 32


def _set_signature(r):
    note = r["checkpoint"]["note"]
    cut = note.rindex(" ") + 1
    signature = base64.b64decode(note[cut:])
    forged = signature[:10] + bytes([signature[10] ^ 1]) + signature[11:]
    r["checkpoint"]["note"] = note[:cut] + base64.b64encode(forged).decode() + "\n"


def _set_entry(r):
    r["log_entry"] = r["log_entry"].replace('"version":1', '"version":2')


@pytest.mark.parametrize(
    ("tamper", "code", "said"),
    [
        (_set_price, check.SHOWN_BID, "the price shown is not the one committed"),
        (_set_committed_price, check.COMMITMENT, "the commitment is not SHA-256"),
        (_set_lot, check.SHOWN_BID, "the lot prices shown is not the one committed"),
        (_set_document, check.SHOWN_BID, "the documents shown is not the one committed"),
        (_set_salt, check.COMMITMENT, "the salt, the bid or the commitment was changed"),
        (_set_proof, check.INCLUSION, "the inclusion proof does not lead from entry"),
        (_set_signature, check.SIGNATURE, "the checkpoint's signature does not hold"),
        (_set_entry, check.LOG_ENTRY, "the log entry does not record this commitment"),
    ],
    ids=["price", "committed price", "lot", "document", "salt", "proof", "signature", "entry"],
)
def test_each_tampering_fails_with_its_own_exit_status_and_line(
    sent, tmp_path, capsys, tamper, code, said
):
    receipt = sent[3]
    tamper(receipt)
    assert verify(tmp_path, receipt) == code
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert err[0].startswith("prongsai: receipt verification FAILED: ")
    assert said in err[0]


def test_a_key_given_out_of_band_is_the_one_checked(sent, tmp_path, capsys):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from core.ledger import note

    other = note.verifier_key("elsewhere.example/log", Ed25519PrivateKey.generate().public_key())
    assert verify(tmp_path, sent[3], "--key", other) == check.SIGNATURE
    assert "no signature from key elsewhere.example/log" in capsys.readouterr().err


@pytest.mark.parametrize(
    "text",
    [
        "not json",
        "[]",
        '{"format": "prongsai-bid-receipt/1", "ocid": 3}',
        "[" * 20_000 + "]" * 20_000,  # deeper than the parser recurses: no traceback either
    ],
    ids=["not-json", "a-list", "a-bad-field", "nested-too-deeply"],
)
def test_a_file_that_is_not_a_receipt_is_refused_in_one_line(tmp_path, capsys, text):
    assert verify(tmp_path, text) == check.UNREADABLE
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert "is not a readable receipt" in err[0]


def test_an_unreachable_server_has_its_own_exit_status(sent, tmp_path, capsys):
    from tests.deployment import free_port

    server = f"http://127.0.0.1:{free_port()}"
    assert verify(tmp_path, sent[3], "--server", server) == check.SERVER_UNREACHABLE
    assert f"cannot check against {server}" in capsys.readouterr().err


def test_the_live_log_extends_the_checkpoint_and_the_opening_reads_the_committed_price(
    client, session, clock, sent
):
    tender, buyer_h, supplier_h, full = sent
    receipt = check.read(json.dumps(full))
    before = check.check_server(receipt, client)
    assert [(x.code, x.holds) for x in before] == [(check.CONSISTENCY, True), (check.OPENING, None)]
    clock.advance(days=11)
    assert client.post(f"/api/tenders/{tender['id']}/open", headers=buyer_h).status_code == 200
    ledger.make_checkpoint(session, signer=client.app.state.log_signer, now=clock())
    after = check.check_server(receipt, client)
    assert after[0].holds is True
    assert after[1].code == check.OPENING
    assert after[1].holds is True, after[1].message
    assert f"valid, price {CANARY}" in after[1].message
    # The stored receipt now shows the bid as the opening read it.
    stored = client.get(
        f"/api/tenders/{tender['id']}/bids/{full['bid_id']}/receipt", headers=supplier_h
    ).json()
    assert stored["private"] is None
    assert stored["opened"]["price"] == CANARY
    assert stored["opened"]["lot_prices"][0] == {"lot": 1, "amount": 900_000_000}
    assert stored["opened"]["documents"] == full["private"]["documents"]
    # A receipt naming another commitment is not what the opening read.
    forged = receipt.model_copy(update={"commitment": "ab" * 32})
    assert check.check_server(forged, client)[1].holds is False


def test_the_private_part_is_kept_nowhere(client, sent, connection, caplog):
    """Neither the price nor the salt nor the committed text, in clear or hashed, is in any
    table, log entry or log line, after the answer that carried them."""
    tender, _, supplier_h, full = sent
    with caplog.at_level(logging.DEBUG):
        client.get(f"/api/tenders/{tender['id']}/bids/{full['bid_id']}/receipt", headers=supplier_h)
        entries = client.get("/api/ledger/entries").text
    private = full["private"]
    secrets = [
        str(CANARY),
        private["salt"],
        private["canonical_bid"],
        hashlib.sha256(private["canonical_bid"].encode()).hexdigest(),
    ]
    stored = dump(connection)
    lines = "\n".join(r.getMessage() for r in caplog.records)
    for secret in secrets:
        assert secret not in stored
        assert secret not in entries
        assert secret not in lines


def test_bids_committed_whole_before_receipts_still_open():
    """A bid sealed with its documents' content inside the commitment (as older clients seal)
    opens as before; the committed form covers documents by their hash."""
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    private = X25519PrivateKey.generate()
    public = private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    bid = {
        "price": {"amount": 5, "currency": "THB"},
        "documents": [{"title": "a.pdf", "sha256": "x", "content_base64": "JVBERi0="}],
    }
    salt = sealing.new_salt()
    plaintext = sealing.padded(bid, salt)
    old = sealing.SUITE.encrypt(plaintext, private.public_key(), sealing.hpke_info("o-1"))
    whole = sealing.commitment(bid, salt)
    assert sealing.unseal(private, old, ocid="o-1", expected=whole) == bid
    ciphertext, new = sealing.seal(public, bid, ocid="o-1", salt=salt)
    assert new != whole
    assert new == sealing.commitment(sealing.committed_form(bid), salt)
    assert sealing.committed_form(bid)["documents"] == [
        {"title": "a.pdf", "sha256": hashlib.sha256(b"%PDF-").hexdigest()}
    ]
    assert sealing.unseal(private, ciphertext, ocid="o-1", expected=new) == bid
    with pytest.raises(sealing.SealingError):
        sealing.unseal(private, ciphertext, ocid="o-1", expected="0" * 64)
