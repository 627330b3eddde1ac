"""What a supplier, a buyer and any reader are told, in their language: a refused plain bid
names the plain bid's fields only, never the sealed bid's; text with NUL is refused in Thai too;
times are said to be in the deployment's zone in words (Bangkok time, UTC+7), not as a code."""

from __future__ import annotations

import re

import pytest

from tests.procurement import factories as f
from tests.procurement import test_views
from tests.procurement.test_views import sign_in

buyer, tender = test_views.buyer, test_views.tender  # a buyer's open tender
SEALED = ("Commitment", "Sealed content", "commitment", "ciphertext")


def _text(page: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))


def test_a_refused_plain_bid_names_only_the_plain_bids_fields(client, session, clock):
    _, buyer_h = f.buyer(client, session, clock())
    tender = f.published_tender(client, session, clock, buyer_h)
    _, supplier_h = f.supplier(client, session, clock())
    url = f"/api/tenders/{tender['id']}/bids"
    body = {"price": {"amount": -5, "currency": "THB"}, "declaration": False}
    english = client.post(url, json=body, headers=supplier_h)
    assert english.status_code == 422
    detail = english.json()["detail"]
    assert detail == (
        "Invalid input — Amount: Enter more than 0; "
        "Declaration: The declaration must be accepted to bid"
    )
    thai = client.post(url, json=body, headers={**supplier_h, "accept-language": "th"})
    detail = thai.json()["detail"]
    assert "ต้องยอมรับคำรับรองจึงจะยื่นข้อเสนอได้" in detail
    assert not [word for word in SEALED if word in detail]
    assert not re.search(r"[A-Za-z]{3,}", detail.replace("ข้อมูลไม่ถูกต้อง", "")), detail
    # A person's browser posting there gets the same, as a page.
    page = client.post(url, json=body, headers={**supplier_h, "accept": "text/html"})
    assert "Declaration: The declaration must be accepted to bid" in page.text
    assert not [word for word in SEALED[:2] if word in _text(page.text)]
    sealed = client.post(
        url, json={"ciphertext_base64": "AAAA", "commitment": "x"}, headers=supplier_h
    )
    assert sealed.json()["detail"] == "Invalid input — Commitment: This is not in the expected form"


def test_text_with_nul_is_refused_in_the_readers_language(client):
    english = client.get("/api/tenders?buyer=a%00b")
    assert english.json()["detail"] == "Text may not contain NUL (\\x00) characters."
    thai = client.get("/api/tenders?buyer=a%00b", headers={"accept-language": "th"})
    assert thai.status_code == 422
    assert "NUL" in thai.json()["detail"]
    assert "Text" not in thai.json()["detail"]


@pytest.mark.usefixtures("session")
def test_times_are_said_to_be_in_the_zones_words_in_each_language(client, tender, buyer):
    sign_in(client, buyer)
    for path in ("/buyer/tenders/new", f"/tenders/{tender.id}", "/tenders", "/transparency/log"):
        client.cookies.set("lang", "en")
        text = _text(client.get(path).text)
        assert "Bangkok time (UTC+7)" in text, path
        assert "Asia/Bangkok" not in text, path
        client.cookies.set("lang", "th")
        text = _text(client.get(path).text)
        assert "เวลากรุงเทพ (UTC+7)" in text, path
        assert "Asia/Bangkok" not in text, path


class TestAnotherDeployment:
    @pytest.fixture
    def settings(self, settings):
        return settings.model_copy(update={"display_time_zone": "Asia/Kolkata"})

    @pytest.mark.usefixtures("session")
    def test_says_its_own_zone(self, client, tender):
        text = _text(client.get(f"/tenders/{tender.id}").text)
        assert "Kolkata time (UTC+5:30)" in text
        assert "Bangkok time" not in text
