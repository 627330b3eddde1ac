"""A bid's content as it is sealed (and, at the opening, read): the price, the documents with
their SHA-256, the declaration, the lot and item prices and the reserve picks."""

from __future__ import annotations

import base64
import binascii
import hashlib

from core.i18n import gettext
from procurement.bids.schemas import BidIn
from procurement.exceptions import InvalidBid
from procurement.tenders.documents import PDF_MAGIC


def bid_document(bid: BidIn, *, currency: str, max_document_bytes: int) -> dict:
    """The bid as it is sealed (and, at the opening, read): price, documents, declaration."""
    if bid.price.currency != currency:
        raise InvalidBid(
            gettext("This tender takes bids in %(currency)s, not %(given)s.")
            % {"currency": currency, "given": bid.price.currency}
        )
    documents = []
    for document in bid.documents:
        try:
            content = base64.b64decode(document.content_base64, validate=True)
        except (binascii.Error, ValueError):
            raise InvalidBid(
                gettext("Document %(title)s is not valid base64.") % {"title": repr(document.title)}
            ) from None
        if not content.startswith(PDF_MAGIC):
            raise InvalidBid(
                gettext("Document %(title)s is not a PDF.") % {"title": repr(document.title)}
            )
        if len(content) > max_document_bytes:
            raise InvalidBid(
                gettext("Document %(title)s is larger than %(limit)s bytes.")
                % {"title": repr(document.title), "limit": f"{max_document_bytes:,}"}
            )
        documents.append(
            {
                "title": document.title,
                "sha256": hashlib.sha256(content).hexdigest(),
                "content_base64": document.content_base64,
            }
        )
    sealed = {
        "price": {"amount": bid.price.amount, "currency": bid.price.currency},
        "item_prices": bid.item_prices,
        "documents": documents,
        "declaration": bid.declaration,
        "reserve_picks": bid.reserve_picks,
    }
    if bid.lot_prices:  # only lotted bids carry the key, so other bids seal as they always did
        sealed["lot_prices"] = [{"lot": p.lot, "amount": p.amount} for p in bid.lot_prices]
    return sealed
