"""The bare stack the bid route is measured against (bench/bid_http_bench.py): FastAPI and
uvicorn from the same venv, one POST route that reads a bid's JSON body, checks its headers and
answers JSON, with no database, no middleware and no work.

    .venv/bin/uvicorn --factory bench.bare_app:create --port 8100
"""

from __future__ import annotations

from fastapi import FastAPI, Header, HTTPException
from pydantic import BaseModel


class Price(BaseModel):
    amount: int
    currency: str


class Bid(BaseModel):
    price: Price
    declaration: bool


def create() -> FastAPI:
    app = FastAPI()

    @app.post("/api/tenders/{tender_id}/bids", status_code=201)
    def bid(
        tender_id: int,
        bid: Bid,
        authorization: str = Header(),
        idempotency_key: str = Header(),
    ) -> dict[str, object]:
        if not authorization.startswith("Bearer ") or not idempotency_key:
            raise HTTPException(401)
        return {"tender_id": tender_id, "price": bid.price.amount, "key": idempotency_key}

    return app
