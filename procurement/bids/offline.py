"""Sealing a bid on the supplier's own machine, for those who trust no server.

    prongsai seal-bid --url https://prongsai.example --tender 42 --amount 123456789 \\
        --document proposal.pdf --declare > sealed.json
    curl -X POST -H "Authorization: Bearer $TOKEN" -H "Content-Type: application/json" \\
        --data @sealed.json https://prongsai.example/api/tenders/42/bids

The clear bid never leaves the machine; the server stores the ciphertext and logs the
commitment, and at the opening checks the decrypted bid against that commitment.
"""

from __future__ import annotations

import base64
from pathlib import Path

from procurement.bids import sealing
from procurement.bids.content import bid_document
from procurement.bids.schemas import BidDocumentIn, BidIn, LotPriceIn, PriceIn

MAX_DOCUMENT_BYTES = 200_000_000


def seal_bid_offline(
    *,
    public_key_base64: str,
    ocid: str,
    currency: str,
    amount: int,
    documents: list[Path],
    declaration: bool,
    lot_prices: dict[int, int] | None = None,
) -> dict[str, str]:
    """The JSON body to POST: the ciphertext and the commitment, sealed here.

    On a tender with lots, `lot_prices` maps each lot bid on to its price; `amount` is their sum.
    """
    bid = BidIn(
        price=PriceIn(amount=amount, currency=currency),
        lot_prices=[LotPriceIn(lot=n, amount=a) for n, a in sorted((lot_prices or {}).items())],
        declaration=declaration,
        documents=[
            BidDocumentIn(
                title=path.name, content_base64=base64.b64encode(path.read_bytes()).decode()
            )
            for path in documents
        ],
    )
    document = bid_document(bid, currency=currency, max_document_bytes=MAX_DOCUMENT_BYTES)
    ciphertext, commitment = sealing.seal(base64.b64decode(public_key_base64), document, ocid=ocid)
    return {"ciphertext_base64": base64.b64encode(ciphertext).decode(), "commitment": commitment}
