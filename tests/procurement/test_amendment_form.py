"""The buyer's amendment form names every bad field at once, each at its field and in the error
summary, in the reader's language, and keeps what was typed."""

from __future__ import annotations

import html
import re

import pytest

from tests.core.test_forms import field_error, summary_links
from tests.procurement import test_views
from tests.procurement.test_views import post_form, sign_in

pytestmark = pytest.mark.usefixtures("session", "settings")
buyer, tender = test_views.buyer, test_views.tender  # a buyer's open tender


def _typed(page: str, name: str) -> str:
    found = re.search(rf'<(input|textarea)[^>]*name="{name}"[^>]*>', page)
    assert found, name
    if found.group(1) == "textarea":
        return html.unescape(page[found.end() :].split("</textarea>", 1)[0])
    value = re.search(r'value="([^"]*)"', found.group(0))
    return html.unescape(value.group(1) if value else "")


def _refused(client, tender, buyer):
    sign_in(client, buyer)
    manage = f"/buyer/tenders/{tender.id}"
    return post_form(
        client,
        manage,
        f"{manage}/amend",
        {
            "rationale": "",
            "title": "Hospital beds with side rails",
            "estimated_value": "four million",
            "tender_end_at": "2020-01-01T10:00",
            "opening_at": "2020-01-01T11:00",
        },
    )


def test_every_bad_field_of_an_amendment_is_named_at_once(client, tender, buyer):
    refused = _refused(client, tender, buyer)
    assert refused.status_code == 422
    page = refused.text
    assert summary_links(page) == ["rationale", "a-value", "a-deadline"]
    assert "This is required." in field_error(page, "rationale")
    assert "Enter an amount in baht" in field_error(page, "a-value")
    assert "Set the bid deadline at 2026-" in field_error(page, "a-deadline")
    # What was typed is kept, the bad values too, for the buyer to correct.
    assert _typed(page, "title") == "Hospital beds with side rails"
    assert _typed(page, "estimated_value") == "four million"
    assert _typed(page, "tender_end_at") == "2020-01-01T10:00"
    assert "Amendment — version 2" not in client.get(f"/tenders/{tender.id}").text


def test_an_amendment_refused_in_thai_names_each_field_in_thai(client, tender, buyer):
    client.cookies.set("lang", "th")
    page = _refused(client, tender, buyer).text
    assert summary_links(page, "พบปัญหา") == ["rationale", "a-value", "a-deadline"]
    assert field_error(page, "rationale").endswith("ต้องกรอกช่องนี้")
    for control in ("rationale", "a-value", "a-deadline"):
        message = re.sub(r"<[^>]+>", "", field_error(page, control))
        assert not re.search(r"[A-Za-z]{3,}", message), (control, message)


def test_a_bad_opening_and_a_short_rationale_are_named_with_the_deadline(client, tender, buyer):
    sign_in(client, buyer)
    manage = f"/buyer/tenders/{tender.id}"
    deadline = re.search(
        r'name="tender_end_at" type="datetime-local" value="([^"]+)"', client.get(manage).text
    ).group(1)
    refused = post_form(
        client,
        manage,
        f"{manage}/amend",
        {"rationale": "Typo", "tender_end_at": deadline, "opening_at": "2020-01-01T11:00"},
    )
    assert refused.status_code == 422
    assert summary_links(refused.text) == ["rationale", "a-opening"]
    assert "at least 5 characters" in field_error(refused.text, "rationale")
    assert "The opening must be at or after the bid deadline" in field_error(
        refused.text, "a-opening"
    )
