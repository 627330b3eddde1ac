"""A refused request said in words: of a union, only the member the request meant; a validator's
own sentence in the reader's language; the display time zone in words, not as its code."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from pydantic import TypeAdapter, ValidationError

from core import i18n
from core.formatting import zone_words
from core.forms import problem_text, said
from core.problems import meant
from core.types import Input
from procurement.bids.schemas import BidIn, SealedBidIn
from prongsai.app import LOCALE_DIR, _label_book

BIDS = TypeAdapter(BidIn | SealedBidIn)


@pytest.fixture
def book():
    i18n._catalogues.update(i18n.load_catalogues(LOCALE_DIR))
    yield _label_book()
    i18n.set_locale("en")


def _problems(body: object) -> list:
    with pytest.raises(ValidationError) as refused:
        BIDS.validate_python(body)
    return refused.value.errors()


def test_a_plain_bid_refused_is_not_also_a_sealed_bid_without_its_commitment(book):
    problems = _problems({"price": {"amount": -5, "currency": "THB"}, "declaration": False})
    assert {p["loc"][0] for p in problems} == {"BidIn", "SealedBidIn"}  # pydantic says both
    assert {p["loc"][0] for p in meant(problems)} == {"BidIn"}
    lines = said(problems, book)
    assert lines == [
        "Amount: Enter more than 0",
        "Declaration: The declaration must be accepted to bid",
    ]
    assert not [line for line in lines if "Commitment" in line or "Sealed content" in line]


def test_a_sealed_bid_refused_names_only_its_own_fields(book):
    problems = _problems({"ciphertext_base64": "AAAA", "commitment": "not hex"})
    assert said(problems, book) == ["Commitment: This is not in the expected form"]
    # Nothing at all: the plain bid, the first member, is the one to fill in.
    assert said(_problems({}), book) == [
        "Total price: This is required",
        "Declaration: This is required",
    ]


def test_a_validators_own_sentence_is_said_in_the_readers_language(book):
    class Note(Input):
        text: str

    with pytest.raises(ValidationError) as refused:
        Note(text="a\x00b")
    problem = refused.value.errors()[0]
    assert problem_text(problem) == "Text may not contain NUL (\\x00) characters."
    with i18n.speaking("th"):
        thai = problem_text(problem)
        assert "NUL" in thai
        assert "Text" not in thai
        declaration = said(
            _problems({"price": {"amount": 5, "currency": "THB"}, "declaration": False}), book
        )
        assert declaration == ["คำรับรอง: ต้องยอมรับคำรับรองจึงจะยื่นข้อเสนอได้"]


def test_the_time_zone_is_said_in_words_from_the_setting():
    summer = datetime(2026, 7, 1, tzinfo=UTC)
    assert zone_words(ZoneInfo("Asia/Bangkok"), locale="en") == "Bangkok time (UTC+7)"
    assert zone_words(ZoneInfo("Asia/Kolkata"), locale="en") == "Kolkata time (UTC+5:30)"
    assert zone_words(ZoneInfo("America/New_York"), at=summer, locale="en") == (
        "New York time (UTC\u22124)"
    )
    assert zone_words(ZoneInfo("UTC"), locale="en") == "UTC"
    i18n._catalogues.update(i18n.load_catalogues(LOCALE_DIR))
    assert zone_words(ZoneInfo("Asia/Bangkok"), locale="th") == "เวลากรุงเทพ (UTC+7)"
