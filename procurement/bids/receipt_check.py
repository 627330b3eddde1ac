"""Check a bid receipt from the file alone, and optionally against the live log.

Offline, from the receipt: the commitment is SHA-256(salt ‖ canonical bid) and the price, lot
prices and documents shown are the ones committed; the log entry records this commitment; the
inclusion proof leads from that entry to the checkpoint's root; the checkpoint is signed by the
log's key. With a server: the live log is consistent with that checkpoint (history was not
rewritten since) and, after the opening, the published opening record read this very bid.
`core/static/receipt-verify.js` makes the same offline checks in the browser.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

import httpx
from pydantic import ValidationError

from core.ledger import merkle, note
from procurement.bids.schemas import RECEIPT_FORMAT, BidReceipt

# The exit status of `prongsai verify-receipt` when a check fails (the first failing one's).
UNREADABLE = 2
SERVER_UNREACHABLE = 3
COMMITMENT = 10
SHOWN_BID = 11
LOG_ENTRY = 12
INCLUSION = 13
SIGNATURE = 14
CONSISTENCY = 15
OPENING = 16


class ReceiptUnreadable(ValueError):
    """The file is not a Prongsai bid receipt."""


@dataclass(frozen=True)
class Finding:
    """One check: whether it holds (None: not checked, and why), in one line."""

    code: int
    holds: bool | None
    message: str


def read(text: str) -> BidReceipt:
    """The receipt in a file's text, or ReceiptUnreadable saying why not."""
    try:
        data = json.loads(text)
    except ValueError as error:
        raise ReceiptUnreadable(f"not JSON ({error})") from None
    except RecursionError:  # arrays in arrays thousands deep: no receipt looks like that
        raise ReceiptUnreadable("not JSON a receipt could be (nested too deeply)") from None
    if not isinstance(data, dict) or data.get("format") != RECEIPT_FORMAT:
        raise ReceiptUnreadable(f"not a bid receipt (its format is not {RECEIPT_FORMAT!r})")
    try:
        return BidReceipt.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(map(str, first["loc"]))
        raise ReceiptUnreadable(f"{where}: {first['msg']}") from None


def _hex(text: str) -> bytes:
    try:
        return bytes.fromhex(text)
    except ValueError:
        return b""


def check_commitment(receipt: BidReceipt) -> list[Finding]:
    """The commitment opens to the committed bid, and the bid shown is that bid."""
    private = receipt.private
    if private is None:
        return [
            Finding(
                COMMITMENT,
                None,
                "commitment not checked: this receipt has no private part (the full receipt "
                "given at submission holds the salt and the bid)",
            )
        ]
    salt = _hex(private.salt)
    digest = hashlib.sha256(salt + private.canonical_bid.encode()).hexdigest()
    if not salt or digest != receipt.commitment:
        return [
            Finding(
                COMMITMENT,
                False,
                "the commitment is not SHA-256(salt ‖ canonical bid): the salt, the bid or the "
                "commitment was changed",
            )
        ]
    found = [Finding(COMMITMENT, True, "the commitment is SHA-256(salt ‖ canonical bid)")]
    differs = _shown_differs(receipt)
    if differs:
        found.append(Finding(SHOWN_BID, False, f"the {differs} shown is not the one committed"))
    else:
        found.append(
            Finding(SHOWN_BID, True, "the price, lot prices and documents shown are committed")
        )
    return found


def _shown_differs(receipt: BidReceipt) -> str | None:
    """Which part of the readable bid differs from the committed text, if any."""
    private = receipt.private
    assert private is not None
    try:
        committed: Any = json.loads(private.canonical_bid)
    except ValueError:
        return "bid"
    if not isinstance(committed, dict):
        return "bid"
    pairs = (
        ("price", private.price.model_dump(), committed.get("price")),
        (
            "lot prices",
            [p.model_dump() for p in private.lot_prices],
            committed.get("lot_prices", []),
        ),
        ("unit prices", private.item_prices, committed.get("item_prices", [])),
        ("reserve-price picks", private.reserve_picks, committed.get("reserve_picks", [])),
        ("documents", [d.model_dump() for d in private.documents], committed.get("documents", [])),
    )
    for name, shown, inside in pairs:
        if shown != inside:
            return name
    return None


def check_log(receipt: BidReceipt, *, verifier_key: str | None) -> list[Finding]:
    """The entry records this bid, the proof leads to the checkpoint, the checkpoint is signed."""
    found = [_check_entry(receipt)]
    checkpoint = receipt.checkpoint
    if checkpoint is None:
        found.append(Finding(INCLUSION, None, "no signed checkpoint in this receipt yet"))
        return found
    root = _hex(checkpoint.root_hash)
    proof = [_hex(h) for h in receipt.inclusion_proof]
    leaf = merkle.leaf_hash(receipt.log_entry.encode())
    if (
        receipt.tree_size != checkpoint.tree_size
        or receipt.root_hash != checkpoint.root_hash
        or not merkle.verify_inclusion(leaf, receipt.log_index, checkpoint.tree_size, proof, root)
    ):
        found.append(
            Finding(
                INCLUSION,
                False,
                f"the inclusion proof does not lead from entry {receipt.log_index} to the root "
                f"of the checkpoint of size {checkpoint.tree_size}",
            )
        )
    else:
        found.append(
            Finding(
                INCLUSION,
                True,
                f"entry {receipt.log_index} is in the log's tree of size {checkpoint.tree_size}",
            )
        )
    found.append(_check_signature(receipt, verifier_key))
    return found


def _check_entry(receipt: BidReceipt) -> Finding:
    try:
        entry = json.loads(receipt.log_entry)
        payload = entry["payload"]
        holds = (
            entry["type"] == "procurement.bid.sealed"
            and payload["commitment"] == receipt.commitment
            and payload["ocid"] == receipt.ocid
            and payload["version"] == receipt.version
            and payload["supplier"] == receipt.supplier
        )
    except (ValueError, KeyError, TypeError):
        holds = False
    if not holds:
        return Finding(
            LOG_ENTRY, False, "the log entry does not record this commitment, tender and version"
        )
    return Finding(LOG_ENTRY, True, "the log entry records this commitment, tender and version")


def _check_signature(receipt: BidReceipt, verifier_key: str | None) -> Finding:
    checkpoint = receipt.checkpoint
    assert checkpoint is not None
    key = verifier_key or receipt.log_public_key
    if not key:
        return Finding(SIGNATURE, None, "no public key of the log to check the checkpoint with")
    try:
        body = note.parse_checkpoint_body(note.verify_note(checkpoint.note, key))
    except ValueError as error:
        return Finding(SIGNATURE, False, f"the checkpoint's signature does not hold: {error}")
    if (body.size, body.root.hex()) != (checkpoint.tree_size, checkpoint.root_hash):
        return Finding(SIGNATURE, False, "the checkpoint's signed text is not its size and root")
    key_id = key.split("+")[1] if key.count("+") >= 2 else "?"
    return Finding(SIGNATURE, True, f"the checkpoint is signed by the log's key {key_id}")


def check_offline(receipt: BidReceipt, *, verifier_key: str | None = None) -> list[Finding]:
    """Every check the receipt file alone allows."""
    return check_commitment(receipt) + check_log(receipt, verifier_key=verifier_key)


def check_server(receipt: BidReceipt, client: httpx.Client) -> list[Finding]:
    """Against the live log: its key, its consistency with the receipt's checkpoint and, after
    the opening, the opening record's reading of this bid. Raises httpx.HTTPError."""
    found = []
    key = _get(client, "/api/ledger/public-key")["verifier_key"]
    if receipt.log_public_key and key != receipt.log_public_key:
        found.append(Finding(SIGNATURE, False, "the server's log key is not the receipt's"))
    live = _get(client, "/api/ledger/checkpoint")
    try:
        body = note.parse_checkpoint_body(note.verify_note(live["note"], key))
    except ValueError as error:
        return [*found, Finding(CONSISTENCY, False, f"the live checkpoint is not signed: {error}")]
    checkpoint = receipt.checkpoint
    if checkpoint is not None:
        found.append(
            _check_consistency(client, checkpoint.tree_size, _hex(checkpoint.root_hash), body)
        )
    found.append(_check_opening(client, receipt, body))
    return found


def _check_consistency(
    client: httpx.Client, size: int, root: bytes, live: note.Checkpoint
) -> Finding:
    if live.size < size:
        return Finding(CONSISTENCY, False, f"the live log ({live.size}) is shorter than {size}")
    proof = _get(client, "/api/ledger/proof/consistency", first=size, second=live.size)
    path = [_hex(h) for h in proof["consistency_path"]]
    if not merkle.verify_consistency(size, live.size, root, live.root, path):
        return Finding(
            CONSISTENCY,
            False,
            f"the live log of size {live.size} is not consistent with the receipt's checkpoint "
            f"of size {size}: its history was rewritten",
        )
    return Finding(
        CONSISTENCY, True, f"the live log of size {live.size} extends the receipt's checkpoint"
    )


def _check_opening(client: httpx.Client, receipt: BidReceipt, live: note.Checkpoint) -> Finding:
    """After the opening, the opening record's line for this commitment says the price committed
    (the record itself proved in the live, signed tree)."""
    tender = _get(client, f"/api/tenders/{receipt.tender_id}")
    record = [
        e for e in tender.get("log_entries", []) if e["entry_type"] == "procurement.bids.opened"
    ]
    if not record:
        return Finding(OPENING, None, "the bids are not opened yet: nothing to compare")
    index = record[-1]["index"]
    text = _get(client, "/api/ledger/entries", start=index, end=index + 1)["entries"][0]["entry"]
    proof = _get(client, "/api/ledger/proof/inclusion", index=index, tree_size=live.size)
    path = [_hex(h) for h in proof["audit_path"]]
    if not merkle.verify_inclusion(
        merkle.leaf_hash(text.encode()), index, live.size, path, live.root
    ):
        return Finding(
            OPENING, False, f"the opening record (entry {index}) is not in the signed log"
        )
    rows = [b for b in json.loads(text)["payload"]["bids"] if b["commitment"] == receipt.commitment]
    if not rows:
        return Finding(OPENING, False, "the opening record does not list this bid's commitment")
    row = rows[0]
    if receipt.private is not None and row.get("status") == "valid":
        lots = [{"lot": p.lot, "amount": p.amount} for p in receipt.private.lot_prices]
        published = [{"lot": p["lot"], "amount": p["price"]} for p in row.get("lots", [])]
        if row.get("price") != receipt.private.price.amount or (lots and lots != published):
            return Finding(
                OPENING, False, "the opening record's price is not the price this receipt commits"
            )
    return Finding(
        OPENING,
        True,
        f"the opening record (entry {index}) read this bid: {row.get('status')}, price "
        f"{row.get('price')}",
    )


def _get(client: httpx.Client, path: str, **params: int) -> dict[str, Any]:
    response = client.get(path, params=params)
    response.raise_for_status()
    body: dict[str, Any] = response.json()
    return body
