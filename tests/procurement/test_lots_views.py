"""Lots and the evaluation committee's page, used as a buyer and a supplier use them."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlmodel import func, select

from core.auth.models import Organisation, Role
from procurement.awards import service as awarding
from procurement.awards.models import Award
from procurement.bids.models import Bid
from procurement.tenders import service as tender_service
from procurement.tenders.schemas import LotIn
from tests import factories
from tests.core.test_forms import field_error, summary_links
from tests.procurement.test_views import csrf_from, draft, post_form, sign_in

HOUR = timedelta(hours=1)


def lotted_draft(now, **overrides):
    made = draft(
        now,
        items=[
            {"description": "Electric hospital bed", "quantity": "120", "unit": "bed", "lot": 1},
            {"description": "Pressure mattress", "quantity": "120", "unit": "unit", "lot": 2},
        ],
        **overrides,
    )
    made.lots = [
        LotIn(title="Beds", description="Three-function beds.", estimated_value=360_000_000),
        LotIn(title="Mattresses", estimated_value=120_000_000),
    ]
    return made


@pytest.fixture
def settings(settings):
    """These stories sign several people in and out: more than the test sign-in limit."""
    return settings.model_copy(update={"signin_rate_limit": "100/minute"})


@pytest.fixture
def buyer(session, clock):
    return factories.user(session, role=Role.BUYER, now=clock())


def _supplier(client, session, clock, n):
    user = factories.user(session, role=Role.SUPPLIER, now=clock())
    sign_in(client, user)
    assert (
        post_form(
            client,
            "/supplier",
            "/supplier/registration",
            {
                "address": "99 Rama IV Road, Bangkok 10110",
                "contact_name": f"Khun Private {n}",
                "contact_email": f"private-{n}@contact.example",
                "contact_phone": f"+66 2 555 01{n:02d}",
            },
        ).status_code
        == 303
    )
    client.cookies.clear()
    return user


def _publish(session, settings, clock, buyer, made):
    created = tender_service.create_draft(session, buyer=buyer, draft=made, now=clock())
    return tender_service.publish(
        session, buyer=buyer, tender_id=created.id, now=clock(), settings=settings
    )


def _bid(client, user, tender_id, **lot_prices):
    sign_in(client, user)
    sent = post_form(
        client,
        f"/tenders/{tender_id}/bid",
        f"/tenders/{tender_id}/bid",
        {"declaration": "yes", **lot_prices},
    )
    client.cookies.clear()
    return sent


def test_a_buyer_makes_a_lotted_tender_through_the_form(client, buyer):
    sign_in(client, buyer)
    form = {
        "title": "Hospital furniture in two lots",
        "description": "Beds and mattresses.",
        "category": "goods",
        "method": "open",
        "award_criteria": "lowest_price",
        "estimated_value": "4,800,000",
        "currency": "THB",
        "standstill_days": "7",
        "tender_start_at": "2026-11-26T11:00",
        "enquiry_end_at": "2026-11-30T17:00",
        "tender_end_at": "2026-12-10T16:30",
        "opening_at": "2026-12-10T17:00",
        "lot_title": ["Beds", "Mattresses", ""],
        "lot_description": ["Electric beds", "", ""],
        "lot_value": ["3,600,000", "1,200,000", ""],
        "item_description": ["Electric bed", "Mattress"],
        "item_quantity": ["120", "120"],
        "item_unit": ["bed", "unit"],
        "item_lot": ["1", ""],
    }
    refused = post_form(client, "/buyer/tenders/new", "/buyer/tenders", form)
    assert refused.status_code == 422
    assert "item 2 must belong to a lot (1 to 2)" in refused.text
    assert 'value="Mattresses"' in refused.text  # what was typed is kept
    created = post_form(
        client, "/buyer/tenders/new", "/buyer/tenders", {**form, "item_lot": ["1", "2"]}
    )
    assert created.status_code == 303, created.text
    page = client.get(created.headers["location"]).text
    assert 'id="lots"' in page
    assert "Electric beds" in page
    assert "฿3,600,000.00" in page
    assert "฿1,200,000.00" in page


def test_suppliers_bid_per_lot_and_the_opening_ranks_each_lot(
    client, session, clock, settings, buyer
):
    tender = _publish(session, settings, clock, buyer, lotted_draft(clock()))
    first = _supplier(client, session, clock, 1)
    second = _supplier(client, session, clock, 2)
    sign_in(client, first)
    form = client.get(f"/tenders/{tender.id}/bid").text
    assert "Lot 1: Beds" in form
    assert "Lot 2: Mattresses" in form
    assert 'name="lot_price_2"' in form
    assert 'name="price"' not in form
    empty = post_form(
        client, f"/tenders/{tender.id}/bid", f"/tenders/{tender.id}/bid", {"declaration": "yes"}
    )
    assert empty.status_code == 422
    assert "Enter a price for at least one lot." in field_error(empty.text, "lot-price-1")
    bad = post_form(
        client,
        f"/tenders/{tender.id}/bid",
        f"/tenders/{tender.id}/bid",
        {"declaration": "yes", "lot_price_1": "cheap"},
    )
    assert bad.status_code == 422
    assert "Lot 1 price: Enter an amount in baht" in bad.text  # the summary names the field
    assert 'value="cheap"' in bad.text  # what was typed is kept
    client.cookies.clear()
    assert session.exec(select(func.count()).select_from(Bid)).one() == 0
    sent = _bid(client, first, tender.id, lot_price_1="3,400,000", lot_price_2="1,150,000")
    assert sent.status_code == 200
    # The receipt answering the submission names each lot's price, for its bidder alone.
    assert "<dt>Lot 1</dt><dd>฿3,400,000.00</dd>" in sent.text
    assert _bid(client, second, tender.id, lot_price_2="1,090,000.50").status_code == 200
    sealed = client.get(f"/tenders/{tender.id}").text
    assert "1,090,000" not in sealed
    assert "3,400,000" not in sealed
    assert 'id="lots"' in sealed
    assert "Three-function beds." in sealed
    assert "฿3,600,000.00" in sealed  # a lot's estimated value

    clock.set(tender.opening_at)
    sign_in(client, buyer)
    manage = f"/buyer/tenders/{tender.id}"
    assert post_form(client, manage, f"{manage}/open").status_code == 303
    client.cookies.clear()
    page = client.get(f"/tenders/{tender.id}").text
    lot_2 = page.split("Lot 2: Mattresses — bids and ranking", 1)[1].split("</table>", 1)[0]
    second_name = session.get(Organisation, second.organisation_id).name
    first_name = session.get(Organisation, first.organisation_id).name
    assert lot_2.index(second_name) < lot_2.index(first_name)  # rank 1 first
    assert "฿1,090,000.50" in lot_2
    assert "฿1,150,000.00" in lot_2
    lot_1 = page.split("Lot 1: Beds — bids and ranking", 1)[1].split("</table>", 1)[0]
    assert second_name not in lot_1
    assert "฿3,400,000.00" in lot_1
    assert "private-1@contact.example" not in page
    assert "Khun Private" not in page
    report = client.get(f"/tenders/{tender.id}/opening.pdf")
    assert report.status_code == 200
    assert report.content.startswith(b"%PDF")
    sign_in(client, first)
    mine = client.get("/supplier").text
    assert "lot 1: rank 1" in mine
    assert "lot 2: rank 2" in mine


def test_the_buyer_awards_lot_by_lot_and_records_a_contract_per_award(
    client, session, clock, settings, buyer
):
    tender = _publish(session, settings, clock, buyer, lotted_draft(clock()))
    first = _supplier(client, session, clock, 1)
    second = _supplier(client, session, clock, 2)
    _bid(client, first, tender.id, lot_price_1="3,400,000", lot_price_2="1,150,000")
    _bid(client, second, tender.id, lot_price_2="1,090,000")
    clock.set(tender.opening_at)
    sign_in(client, buyer)
    manage = f"/buyer/tenders/{tender.id}"
    post_form(client, manage, f"{manage}/open")
    page = client.get(manage).text
    assert "Award lot 1" in page
    assert "Award lot 2" in page
    assert (
        post_form(
            client, manage, f"{manage}/award", {"lot": "2", "justification": "Lowest on lot 2."}
        ).status_code
        == 303
    )
    page = client.get(manage).text
    assert "Award lot 2" not in page
    assert "Award lot 1" in page
    assert post_form(client, manage, f"{manage}/award", {"lot": "1"}).status_code == 303
    public = client.get(f"/tenders/{tender.id}").text
    second_name = session.get(Organisation, second.organisation_id).name
    awards_part = public.split('id="award"', 1)[1]
    assert "Lot 2: Mattresses" in awards_part
    assert second_name in awards_part
    assert "฿1,090,000.00" in awards_part
    client.cookies.clear()
    sign_in(client, first)
    ids = [a.id for a in session.exec(select(Award).order_by(Award.id))]
    public = client.get(f"/tenders/{tender.id}").text
    assert all(f'id="complaint-{i}"' in public for i in ids)
    assert "Lodge a complaint against the award of lot 2" in public
    short = post_form(
        client,
        f"/tenders/{tender.id}",
        f"/tenders/{tender.id}/complaints",
        {"award_id": str(ids[0]), "text": "Too short"},
    )
    assert short.status_code == 422
    form = short.text.split(f'id="complaint-{ids[0]}"', 1)[1].split("</form>", 1)[0]
    assert "Enter at least 10 characters." in form
    assert ">Too short</textarea>" in form
    client.cookies.clear()
    sign_in(client, buyer)
    clock.advance(days=11)
    awards = session.exec(select(Award).order_by(Award.id)).all()
    for award in awards:  # the standstill job's work, done here with the test's clock
        awarding.finalise_award(session, award_id=award.id, now=clock(), settings=settings)
    client.cookies.clear()
    sign_in(client, buyer)  # eleven days on, the web session has expired
    page = client.get(manage).text
    assert "Record the signed contract of lot 1" in page
    assert "Record the signed contract of lot 2" in page
    lot_2_award = next(a for a in awards if a.value == 109_000_000)
    signed = post_form(
        client,
        manage,
        f"{manage}/contract",
        {
            "award_id": str(lot_2_award.id),
            "value": "1,090,000",
            "signed_date": "2026-12-30",
            "start_date": "2027-01-01",
            "end_date": "2027-06-30",
        },
    )
    assert signed.status_code == 303, signed.text
    page = client.get(manage).text
    assert "Record the signed contract of lot 2" not in page
    assert "Record the signed contract of lot 1" in page
    assert client.get(f"/api/tenders/{tender.id}").json()["status"] == "awarded"


def best_value_tender(session, settings, clock, buyer, *, lots=False):
    criteria = [{"name": "Price", "weight": 40}, {"name": "Quality", "weight": 60}]
    made = (lotted_draft if lots else draft)(
        clock(), award_criteria="best_value", criteria=criteria
    )
    return _publish(session, settings, clock, buyer, made)


def test_the_committee_scores_shows_totals_and_awards_from_the_evaluation_page(
    client, session, clock, settings, buyer
):
    tender = best_value_tender(session, settings, clock, buyer)
    cheap = _supplier(client, session, clock, 1)
    good = _supplier(client, session, clock, 2)
    for user, price in ((cheap, "4,000,000"), (good, "4,400,000")):
        sign_in(client, user)
        post_form(
            client,
            f"/tenders/{tender.id}/bid",
            f"/tenders/{tender.id}/bid",
            {"price": price, "declaration": "yes"},
        )
        client.cookies.clear()
    clock.set(tender.opening_at)
    sign_in(client, buyer)
    manage = f"/buyer/tenders/{tender.id}"
    post_form(client, manage, f"{manage}/open")
    assert f"/buyer/tenders/{tender.id}/evaluation" in client.get(manage).text
    page_url = f"/buyer/tenders/{tender.id}/evaluation"
    page = client.get(page_url).text
    ids = [int(i) for i in re.findall(r'name="score-(\d+)-0"', page)]
    bids = {b.supplier_id: b.id for b in session.exec(select(Bid))}
    cheap_id, good_id = bids[cheap.organisation_id], bids[good.organisation_id]
    assert sorted(ids) == sorted([cheap_id, good_id])
    assert "Quality (60%)" in page
    assert "Weighted total" in page

    scores = {
        f"score-{cheap_id}-0": "100",
        f"score-{cheap_id}-1": "50",
        f"score-{good_id}-0": "70",
        f"score-{good_id}-1": "90",
    }
    notes = {
        f"note-{cheap_id}-0": "Lowest price.",
        f"note-{cheap_id}-1": "Basic model.",
        f"note-{good_id}-0": "10% dearer.",
        f"note-{good_id}-1": "Better motors.",
    }
    wrong = post_form(
        client,
        page_url,
        page_url,
        {
            **scores,
            f"score-{good_id}-1": "120",
            **notes,
            f"note-{cheap_id}-1": "",
            "justification": "",
            "action": "award",
        },
    )
    assert wrong.status_code == 422
    assert "A score is a whole number from 0 to 100." in field_error(
        wrong.text, f"score-{good_id}-1"
    )
    assert "Justify this score." in field_error(wrong.text, f"note-{cheap_id}-1")
    assert "Write the committee" in field_error(wrong.text, "justification")
    links = summary_links(wrong.text)
    assert sorted(links) == sorted([f"score-{good_id}-1", f"note-{cheap_id}-1", "justification"])
    assert "justification: Justify this score." in wrong.text  # labelled by bidder, criterion
    assert 'value="70"' in wrong.text
    assert "Better motors." in wrong.text
    assert session.exec(select(func.count()).select_from(Award)).one() == 0

    calculated = post_form(
        client,
        page_url,
        page_url,
        {**scores, **notes, "justification": "Quality outweighs price.", "action": "calculate"},
    )
    assert calculated.status_code == 200
    assert "82.00" in calculated.text
    assert "70.00" in calculated.text
    good_name = session.get(Organisation, good.organisation_id).name
    assert f"Ranked first: {good_name}, with a weighted total of 82.00." in calculated.text
    assert session.exec(select(func.count()).select_from(Award)).one() == 0  # nothing saved

    no_csrf = client.post(
        page_url, data={**scores, **notes, "justification": "x", "action": "award"}
    )
    assert no_csrf.status_code == 403
    awarded = post_form(
        client,
        page_url,
        page_url,
        {**scores, **notes, "justification": "Quality outweighs price.", "action": "award"},
    )
    assert awarded.status_code == 303
    award = session.exec(select(Award)).one()
    assert award.bid_id == good_id
    client.cookies.clear()
    public = client.get(f"/tenders/{tender.id}").text
    assert "Committee scores (best value)" in public
    assert "Better motors." in public
    assert "82.00" in public
    assert "private-2@contact.example" not in public


def test_the_evaluation_page_scores_one_lot_and_refuses_strangers(
    client, session, clock, settings, buyer
):
    tender = best_value_tender(session, settings, clock, buyer, lots=True)
    only = _supplier(client, session, clock, 1)
    _bid(client, only, tender.id, lot_price_2="1,000,000")
    clock.set(tender.opening_at)
    sign_in(client, buyer)
    manage = f"/buyer/tenders/{tender.id}"
    post_form(client, manage, f"{manage}/open")
    assert "/evaluation?lot=2" in client.get(manage).text
    no_lot = client.get(f"/buyer/tenders/{tender.id}/evaluation")
    assert no_lot.status_code == 422
    assert "Choose the lot to evaluate" in no_lot.text
    assert (
        "There is no valid bid to score"
        in client.get(f"/buyer/tenders/{tender.id}/evaluation?lot=1").text
    )
    url = f"/buyer/tenders/{tender.id}/evaluation?lot=2"
    page = client.get(url).text
    bid_id = re.search(r'name="score-(\d+)-0"', page).group(1)
    done = post_form(
        client,
        url,
        f"/buyer/tenders/{tender.id}/evaluation",
        {
            "lot": "2",
            f"score-{bid_id}-0": "80",
            f"score-{bid_id}-1": "75",
            f"note-{bid_id}-0": "Fair price.",
            f"note-{bid_id}-1": "Meets the spec.",
            "justification": "The only bid on lot 2 meets the specification.",
            "action": "award",
        },
    )
    assert done.status_code == 303
    assert "This has been awarded to" in client.get(url).text
    client.cookies.clear()
    other = factories.user(session, role=Role.BUYER, now=clock())
    sign_in(client, other)
    assert client.get(url).status_code == 403
    token = csrf_from(client.get("/buyer").text)
    assert (
        client.post(
            f"/buyer/tenders/{tender.id}/evaluation", data={"lot": "2", "csrf_token": token}
        ).status_code
        == 403
    )
