"""Buyers' drafts: a lead buyer's invited colleague drafts, edits and publishes; drafts are
deleted; a published tender changes only by amendment; dates are checked when saved."""

from __future__ import annotations

from tests import factories
from tests.core.auth.onboarding import STRONG, last_link, token_for
from tests.core.auth.test_views import csrf_from
from tests.procurement import factories as f


def test_an_invited_colleague_drafts_edits_and_publishes(client, session, clock, settings):
    lead, lead_headers = f.buyer(client, session, clock())
    lead.is_lead = True
    session.add(lead)
    session.commit()
    invited = client.post(
        "/api/admin/invitations",
        json={"email": "noi@buyer.example", "name": "Khun Noi", "role": "buyer"},
        headers=lead_headers,
    )  # into the lead's own organisation, which they need not name
    assert invited.status_code == 202, invited.text
    token = last_link(settings.data_dir, "noi@buyer.example", "/invitation")
    assert (
        client.post(
            "/api/accounts/invitation/accept", json={"token": token, "password": STRONG}
        ).status_code
        == 200
    )
    issued = token_for(client, "noi@buyer.example", STRONG)
    headers = {"Authorization": f"Bearer {issued.json()['token']}"}
    me = client.get("/api/auth/me", headers=headers).json()
    assert (me["role"], me["organisation_id"]) == ("buyer", lead.organisation_id)

    made = client.post("/api/tenders", json=f.draft_body(clock()), headers=headers)
    assert made.status_code == 201, made.text
    tid = made.json()["id"]
    late = f.draft_body(clock(), tender_end_at=clock().isoformat())
    refused = client.put(f"/api/tenders/{tid}", json=late, headers=headers)
    assert refused.status_code == 422
    assert "bid deadline" in refused.json()["detail"]
    edited = client.put(
        f"/api/tenders/{tid}",
        json=f.draft_body(
            clock(),
            title="Road resurfacing, Sukhumvit soi 103",
            items=[
                {"description": "Asphalt resurfacing", "quantity": "9000", "unit": "m2"},
                {"description": "Drain covers", "quantity": "40", "unit": "piece"},
            ],
        ),
        headers=headers,
    )
    assert edited.status_code == 200, edited.text
    assert edited.json()["title"] == "Road resurfacing, Sukhumvit soi 103"
    assert [i["description"] for i in edited.json()["items"]] == [
        "Asphalt resurfacing",
        "Drain covers",
    ]
    other = f.buyer(client, session, clock())[1]
    assert (
        client.put(f"/api/tenders/{tid}", json=f.draft_body(clock()), headers=other).status_code
        == 404
    )
    published = client.post(f"/api/tenders/{tid}/publish", headers=headers)
    assert published.status_code == 200, published.text
    assert published.json()["title"] == "Road resurfacing, Sukhumvit soi 103"
    after = client.put(f"/api/tenders/{tid}", json=f.draft_body(clock()), headers=headers)
    assert after.status_code == 409
    assert "amendment" in after.json()["detail"]
    assert client.delete(f"/api/tenders/{tid}", headers=headers).status_code == 409


def test_a_draft_is_edited_and_deleted_on_the_pages(client, session, clock):
    buyer, headers = f.buyer(client, session, clock())
    tid = client.post("/api/tenders", json=f.draft_body(clock()), headers=headers).json()["id"]
    token = csrf_from(client.get("/signin").text)
    client.post(
        "/signin",
        data={"email": buyer.email, "password": factories.PASSWORD, "csrf_token": token},
    )
    form = client.get(f"/buyer/tenders/{tid}/edit")
    assert form.status_code == 200
    assert 'value="Road resurfacing, Sukhumvit soi 101"' in form.text
    assert 'value="2500000.00"' in form.text
    fields = {
        "csrf_token": csrf_from(form.text),
        "title": "Road resurfacing, Sukhumvit soi 105",
        "description": "Resurfacing with drainage repairs.",
        "category": "works",
        "method": "open",
        "award_criteria": "lowest_price",
        "estimated_value": "2,400,000.00",
        "currency": "THB",
        "standstill_days": "10",
        "tender_start_at": "2026-11-26T11:00",
        "enquiry_end_at": "2026-12-01T10:00",
        "tender_end_at": "2026-12-08T10:00",
        "opening_at": "2026-12-08T11:00",
        "item_description": "Asphalt resurfacing",
        "item_quantity": "12000",
        "item_unit": "m2",
    }
    saved = client.post(f"/buyer/tenders/{tid}/edit", data=fields)
    assert saved.status_code == 303, saved.text
    page = client.get(saved.headers["location"]).text
    assert "The draft is saved." in page
    assert "Sukhumvit soi 105" in page
    bad = client.post(
        f"/buyer/tenders/{tid}/edit", data=fields | {"tender_end_at": "2026-11-20T10:00"}
    )
    assert bad.status_code == 422
    assert 'value="Road resurfacing, Sukhumvit soi 105"' in bad.text
    unconfirmed = client.post(
        f"/buyer/tenders/{tid}/delete", data={"csrf_token": fields["csrf_token"]}
    )
    assert unconfirmed.status_code == 422
    deleted = client.post(
        f"/buyer/tenders/{tid}/delete", data={"csrf_token": fields["csrf_token"], "confirm": "yes"}
    )
    assert deleted.headers["location"] == "/buyer?deleted=1"
    assert client.get(f"/buyer/tenders/{tid}").status_code == 404
