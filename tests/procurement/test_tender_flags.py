"""The public tender page names the red flags its record raises, and links each indicator."""

from __future__ import annotations

import html
from datetime import timedelta

from sqlmodel import select

from procurement.awards.models import Award, AwardStatus
from procurement.insights import aggregates, queries, rules
from tests.procurement import factories as f
from tests.public_site.procurement_world import World, service_bids

DAY = timedelta(days=1)


def opened_tender(client, session, clock, *, bidders: int) -> dict:
    """A 20-day open tender (no short-period flag) with `bidders` valid bids, opened."""
    now = clock()
    _, buyer_h = f.buyer(client, session, now)
    tender = f.published_tender(
        client,
        session,
        clock,
        buyer_h,
        enquiry_end_at=(now + 10 * DAY).isoformat(),
        tender_end_at=(now + 20 * DAY).isoformat(),
        opening_at=(now + 20 * DAY + timedelta(hours=1)).isoformat(),
    )
    for n in range(bidders):
        _, supplier_h = f.supplier(client, session, clock())
        sent = client.post(
            f"/api/tenders/{tender['id']}/bids",
            json=f.bid_body(200_000_000 + n * 1_000_000),
            headers=supplier_h,
        )
        assert sent.status_code == 201, sent.text
    clock.advance(days=20, hours=1)
    opened = client.post(f"/api/tenders/{tender['id']}/open", headers=buyer_h)
    assert opened.status_code == 200, opened.text
    aggregates.refresh(session, now=clock())  # as the job does within seconds
    return tender


def test_single_bid_tender_page_shows_the_single_bidder_flag_with_its_link(client, session, clock):
    tender = opened_tender(client, session, clock, bidders=1)
    page = client.get(f"/tenders/{tender['id']}")
    assert page.status_code == 200
    text = html.unescape(page.text)
    assert 'id="red-flags"' in text
    assert '<a href="/red-flags/single-bidder">Single bidder</a>: 1 bidder at the opening' in text
    assert "not proof of wrongdoing" in text
    assert "private.example" not in text
    assert "+66 2 555 0199" not in text


def test_two_bid_tender_page_shows_no_red_flag(client, session, clock):
    tender = opened_tender(client, session, clock, bidders=2)
    page = client.get(f"/tenders/{tender['id']}")
    assert page.status_code == 200
    assert 'id="red-flags"' not in page.text
    assert 'href="/red-flags/' not in page.text  # no indicator linked (the menu's /red-flags is)


# --- one tender's flags are the ones the red-flag pages list for it ----------------------


def test_every_tenders_flags_are_the_ones_the_red_flag_pages_list(client, session, settings, clock):
    """tender_flags reads one tender's record; the pages evaluate all; they must agree."""
    world = World(session, settings, clock())
    city, port, school = world.buyer("City"), world.buyer("Port"), world.buyer("School")
    winner, cover, rival = (world.supplier(n) for n in ("Winner Co.", "Cover Co.", "Rival Co."))
    spread, once = world.supplier("Spread Co."), world.supplier("Once Co.")
    ids = []
    # City: Winner takes 3 of 5 awards (supplier share); Cover always loses to Winner; Spread
    # loses to several winners, Winner and Once lose once but have won.
    for _ in range(3):
        ids.append(
            world.tender(city, bids=[(winner, 100_000), (cover, 120_000), (spread, 130_000)])
        )
    ids.append(world.tender(city, bids=[(rival, 100_000), (spread, 110_000)], days=10))
    ids.append(
        world.tender(
            city,
            bids=[(once, 90_000), (winner, 95_000), (spread, 99_000)],
            amend_before_deadline=2 * DAY,
            contract=90_000,
            amended_to=120_000,
        )
    )
    # Port: three awards, all to Rival (under the minimum count); Once loses there too.
    for price in (995_000, 1_000_000, 700_000):
        ids.append(
            world.tender(port, bids=[(rival, price), (once, price + 50_000)], estimate=1_000_000)
        )
    # School: a single bid, an unopened and an unawarded tender, a disqualified low bid.
    ids.append(world.tender(school, bids=[(spread, 400_000)]))
    ids.append(world.tender(school, bids=[(cover, 400_000)], opened=False))
    ids.append(world.tender(school, bids=[(cover, 400_000), (rival, 450_000)], award=False))
    ids.append(world.tender(school, bids=[(once, 300_000), (winner, 310_000)], disqualify=once))
    ids.append(world.tender(school))
    # A tender with two live awards (as with lots) and one whose second award was cancelled.
    # (City's fourth tender leaves its award count, and Rival's win there does not count.)
    for tender_id, status in ((ids[3], AwardStatus.STANDSTILL), (ids[4], AwardStatus.CANCELLED)):
        first = session.exec(select(Award).where(Award.tender_id == tender_id)).one()
        other = next(b for b in service_bids(session, tender_id) if b.id != first.bid_id)
        session.add(
            Award(
                tender_id=tender_id,
                buyer_id=first.buyer_id,
                bid_id=other.id,
                supplier_id=other.supplier_id,
                value=other.price or 0,
                currency="THB",
                status=status,
                decided_at=first.decided_at,
                standstill_end_at=first.decided_at,
            )
        )
    session.commit()
    world.refresh()  # (a service would have stamped the tenders' updated_at)

    listed = {code: queries.indicator(session, code=code)[1] for code in rules.BY_CODE}
    pages = {
        code: client.get(f"/red-flags/{code}?format=json").json()["tables"]["tenders"]
        for code in rules.BY_CODE
    }
    raised = set()
    for tender_id in ids:
        expected = [f for code in rules.BY_CODE for f in listed[code] if f.tender_id == tender_id]
        own = queries.tender_flags(session, tender_id=tender_id)
        assert own == expected, tender_id
        shown = [
            (code, r["measure"])
            for code in rules.BY_CODE
            for r in pages[code]
            if r["tender_id"] == tender_id
        ]
        assert [(f.code, f.measure) for f in own] == shown
        raised |= {f.code for f in own}
    # the world raises every indicator but not-lowest-price (awards go to the lowest valid bid)
    assert raised == set(rules.BY_CODE) - {"not-lowest-price"}
    assert {f.tender_id for f in listed["same-winner"]} == set(ids[:3])
    assert {f.tender_id for f in listed["supplier-share"]} == set(ids[:3])
    assert queries.tender_flags(session, tender_id=max(ids) + 1000) == []
