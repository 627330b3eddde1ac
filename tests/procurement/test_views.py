"""The procurement pages, read as a supplier, a buyer and the public read them."""

from __future__ import annotations

import base64
import html
import json
import re
from datetime import timedelta

import pytest

from core.auth.models import Role
from procurement.tenders import service as tender_service
from procurement.tenders.schemas import TenderDraftIn
from tests import factories
from tests.core.test_forms import field_error, summary_links
from tests.pdfs import flat, pdf_text

DAY = timedelta(days=1)
MARKER = 987654321  # satang: ฿9,876,543.21, a price no other figure on the page can be


def csrf_from(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def sign_in(client, user):
    token = csrf_from(client.get("/signin").text)
    response = client.post(
        "/signin",
        data={
            "email": user.email,
            "password": factories.PASSWORD,
            "csrf_token": token,
            "next": "/account",
        },
    )
    assert response.status_code == 303, response.text


def post_form(client, page: str, action: str, data=None, files=None):
    """Post a form the way a browser does: with the CSRF token of the page it sits on."""
    token = csrf_from(client.get(page).text)
    return client.post(action, data={**(data or {}), "csrf_token": token}, files=files)


def draft(now, **overrides) -> TenderDraftIn:
    body = {
        "title": "Hospital beds for Rajavithi Hospital",
        "description": "Supply of 120 electric hospital beds with mattresses.",
        "category": "goods",
        "estimated_value": 480_000_000,
        "enquiry_end_at": now + 4 * DAY,
        "tender_start_at": now,
        "tender_end_at": now + 10 * DAY,
        "opening_at": now + 10 * DAY + timedelta(hours=1),
        "items": [{"description": "Electric hospital bed", "quantity": "120", "unit": "bed"}],
    }
    body.update(overrides)
    return TenderDraftIn(**body)


@pytest.fixture
def buyer(session, clock):
    return factories.user(session, role=Role.BUYER, now=clock())


@pytest.fixture
def tender(session, clock, settings, buyer):
    created = tender_service.create_draft(session, buyer=buyer, draft=draft(clock()), now=clock())
    return tender_service.publish(
        session, buyer=buyer, tender_id=created.id, now=clock(), settings=settings
    )


@pytest.fixture
def supplier(client, session, clock):
    user = factories.user(session, role=Role.SUPPLIER, now=clock())
    sign_in(client, user)
    registered = post_form(
        client,
        "/supplier",
        "/supplier/registration",
        {
            "address": "99 Rama IV Road, Bangkok 10110",
            "contact_name": "Khun Somsak",
            "contact_email": "somsak@private.example",
            "contact_phone": "+66 2 555 0199",
        },
    )
    assert registered.status_code == 303
    return user


def test_the_company_details_form_names_every_problem_at_its_field_and_keeps_what_was_typed(
    client, session, clock
):
    sign_in(client, factories.user(session, role=Role.SUPPLIER, now=clock()))
    refused = post_form(
        client,
        "/supplier",
        "/supplier/registration",
        {
            "address": "99 Rama IV Road, Bangkok 10110",
            "contact_name": "",
            "contact_email": "somsak at example",
            "contact_phone": "+66 2 555 0199",
        },
    )
    assert refused.status_code == 422
    assert summary_links(refused.text) == ["contact_name", "contact_email"]
    assert "Contact email:" in refused.text  # the summary names the field by its label
    assert "such as name@example.com" in field_error(refused.text, "contact_email")
    assert "This is required." in field_error(refused.text, "contact_name")
    assert "99 Rama IV Road, Bangkok 10110</textarea>" in refused.text
    assert 'value="somsak at example"' in refused.text
    assert "Status: <strong>not registered</strong>" in client.get("/supplier").text


def submit_bid(client, tender_id: int, baht: str, **extra):
    return post_form(
        client,
        f"/tenders/{tender_id}/bid",
        f"/tenders/{tender_id}/bid",
        {"price": baht, "declaration": "yes", **extra},
    )


def test_tender_list_shows_published_tenders_with_a_json_twin(client, tender):
    page = client.get("/tenders")
    assert page.status_code == 200
    assert tender.title in page.text
    assert '<link rel="alternate" type="application/json" href="/api/tenders">' in page.text
    assert "฿4,800,000.00" in page.text
    only_cancelled = client.get("/tenders?status=cancelled")
    assert tender.title not in only_cancelled.text


def test_tender_list_pages_by_id(client, session, clock, settings, buyer):
    from procurement.public import views

    ids = []
    for n in range(views.PAGE_SIZE + 2):
        made = tender_service.create_draft(
            session,
            buyer=buyer,
            draft=draft(clock(), title=f"Paging tender number {n}"),
            now=clock(),
        )
        tender_service.publish(
            session, buyer=buyer, tender_id=made.id, now=clock(), settings=settings
        )
        ids.append(made.id)
    first = client.get("/tenders")
    assert "Paging tender number 26" in first.text
    assert "Paging tender number 0<" not in first.text
    link = re.search(r'rel="next" href="([^"]+)"', first.text).group(1).replace("&amp;", "&")
    second = client.get(link)
    assert "Paging tender number 0<" in second.text


def test_a_draft_is_hidden_from_the_public_and_other_buyers(client, session, clock, buyer):
    made = tender_service.create_draft(session, buyer=buyer, draft=draft(clock()), now=clock())
    assert client.get(f"/tenders/{made.id}").status_code == 404
    other = factories.user(session, role=Role.BUYER, now=clock())
    sign_in(client, other)
    assert client.get(f"/buyer/tenders/{made.id}").status_code == 404


def full_receipt(page: str) -> dict:
    """The full receipt a submission's page offers to save, as a data: link."""
    encoded = re.search(r'href="data:application/json;base64,([A-Za-z0-9+/=]+)"', page).group(1)
    return json.loads(base64.b64decode(encoded))


@pytest.mark.usefixtures("session", "settings", "supplier")
def test_the_whole_sealed_bid_flow_through_the_pages(client, clock, tender, buyer):
    form = client.get(f"/tenders/{tender.id}/bid")
    assert form.status_code == 200
    assert "Seal and submit bid" in form.text
    sent = submit_bid(client, tender.id, "9,876,543.21")
    # The receipt is the answer itself: the only page ever to show the price before the opening.
    assert sent.status_code == 200
    assert sent.headers["cache-control"] == "no-store"
    assert "Save this receipt now" in sent.text
    assert '<dd id="price">฿9,876,543.21</dd>' in sent.text
    full = full_receipt(sent.text)
    assert full["private"]["price"] == {"amount": MARKER, "currency": "THB"}
    commitment = re.search(r'id="commitment">([0-9a-f]{64})<', sent.text).group(1)
    assert full["commitment"] == commitment
    receipt_url = f"/tenders/{tender.id}/bids/{full['bid_id']}"
    receipt = client.get(receipt_url)
    assert "Transparency log index" in receipt.text
    assert "9,876,543.21" not in receipt.text
    assert "were given to you once, on the page shown when you submitted" in receipt.text
    downloaded = client.get(f"{receipt_url}/receipt.json").json()
    assert downloaded["commitment"] == commitment
    assert downloaded["private"] is None
    assert downloaded["inclusion_proof"] is not None

    # Before the opening, nothing public carries the price: page, PDFs, JSON twin.
    client.cookies.clear()
    public = [
        client.get(f"/tenders/{tender.id}").text,
        client.get("/tenders").text,
        client.get(f"/api/tenders/{tender.id}").text,
        client.get(f"/tenders/{tender.id}/notice.pdf").content.decode("latin-1"),
    ]
    page = public[0]
    assert "<strong>1</strong> sealed bid received" in page
    for text in public:
        assert str(MARKER) not in text
        assert "9,876,543.21" not in text
    opening = client.get(f"/tenders/{tender.id}/opening.pdf")
    assert opening.status_code == 404
    assert "has not been opened" in opening.text

    # The buyer may not open early: no button before the opening time, and a forced request
    # is refused with the reason, with a 409.
    sign_in(client, buyer)
    assert 'id="open"' not in client.get(f"/buyer/tenders/{tender.id}").text
    early = post_form(client, f"/buyer/tenders/{tender.id}", f"/buyer/tenders/{tender.id}/open")
    assert early.status_code == 409
    assert "Bids open at" in early.text
    clock.set(tender.opening_at)
    sign_in(client, buyer)  # ten days later: a new session
    opened = post_form(client, f"/buyer/tenders/{tender.id}", f"/buyer/tenders/{tender.id}/open")
    assert opened.status_code == 303
    client.cookies.clear()
    after = client.get(f"/tenders/{tender.id}").text
    assert "฿9,876,543.21" in after
    assert commitment in after
    assert client.get(f"/tenders/{tender.id}/opening.pdf").status_code == 200


@pytest.mark.usefixtures("session", "settings", "supplier")
def test_the_full_receipt_pdf_is_made_from_the_bidders_file_once_it_verifies(
    client, tender, tmp_path
):
    sent = submit_bid(client, tender.id, "9,876,543.21")
    held = html.unescape(re.search(r'name="receipt" value="([^"]+)"', sent.text).group(1))
    assert json.loads(held) == full_receipt(sent.text)  # the same file as the JSON download

    def pdf_of(receipt: str, token: str | None = csrf_from(sent.text)):
        data = {"receipt": receipt} | ({"csrf_token": token} if token else {})
        return client.post("/receipts/pdf", data=data)

    made = pdf_of(held)
    assert made.status_code == 200
    assert made.headers["content-type"] == "application/pdf"
    assert "attachment" in made.headers["content-disposition"]
    assert made.headers["cache-control"] == "no-store"
    text = flat(pdf_text(made.content, tmp_path))
    assert "฿9,876,543.21" in text
    assert json.loads(held)["commitment"][:32] in text

    # A file changed after it was issued is not dressed as one of this log's receipts.
    lowered = json.loads(held)
    lowered["private"]["price"]["amount"] -= 100_00
    refused = pdf_of(json.dumps(lowered))
    assert refused.status_code == 422
    assert "does not verify" in refused.text
    public = json.loads(held) | {"private": None}
    assert "no private part" in pdf_of(json.dumps(public)).text
    assert "not a bid receipt" in pdf_of("not json\x00").text
    nested = pdf_of("[" * 20_000 + "]" * 20_000)  # deeper than Python's parser recurses
    assert nested.status_code == 422
    assert "nested too deeply" in nested.text
    assert pdf_of(held, token=None).status_code == 403


@pytest.mark.usefixtures("supplier")
def test_a_supplier_cannot_see_another_suppliers_receipt(client, session, clock, tender):
    sent = submit_bid(client, tender.id, "1,000,000")
    receipt_url = f"/tenders/{tender.id}/bids/{full_receipt(sent.text)['bid_id']}"
    rival = factories.user(session, role=Role.SUPPLIER, now=clock())
    client.cookies.clear()
    sign_in(client, rival)
    for suffix in ("", "/receipt.json", "/receipt.pdf"):
        assert client.get(receipt_url + suffix).status_code == 404


@pytest.mark.usefixtures("supplier")
def test_a_bid_without_the_declaration_is_refused_in_the_form(client, tender):
    refused = post_form(
        client,
        f"/tenders/{tender.id}/bid",
        f"/tenders/{tender.id}/bid",
        {"price": "2,500,000.00"},
    )
    assert refused.status_code == 422
    assert summary_links(refused.text) == ["declaration"]
    assert "Tick the declaration" in field_error(refused.text, "declaration")
    # The price typed is kept for its bidder, on a page no cache keeps (as the receipt is).
    assert 'value="2,500,000.00"' in refused.text
    assert refused.headers["cache-control"] == "no-store"
    assert "Traceback" not in refused.text


def test_an_unregistered_supplier_is_told_to_register(client, session, clock, tender):
    user = factories.user(session, role=Role.SUPPLIER, now=clock())
    sign_in(client, user)
    refused = submit_bid(client, tender.id, "1,000,000")
    assert refused.status_code == 403
    assert "Register your company" in refused.text


def test_a_late_bid_is_refused_with_the_server_time(client, clock, tender, supplier):
    clock.set(tender.tender_end_at)
    sign_in(client, supplier)
    token = csrf_from(client.get(f"/tenders/{tender.id}/bid").text)
    late = client.post(
        f"/tenders/{tender.id}/bid",
        data={"price": "1,000", "declaration": "yes", "csrf_token": token},
    )
    assert late.status_code == 409
    assert "The bid was not accepted" in late.text


def test_a_late_bid_is_refused_in_thai_on_a_thai_readers_page(client, clock, tender, supplier):
    clock.set(tender.tender_end_at)
    sign_in(client, supplier)
    client.cookies.set("lang", "th")
    token = csrf_from(client.get(f"/tenders/{tender.id}/bid").text)
    late = client.post(
        f"/tenders/{tender.id}/bid",
        data={"price": "1,000", "declaration": "yes", "csrf_token": token},
    )
    assert late.status_code == 409
    assert "ยื่นข้อเสนอหลังเวลาปิดรับไม่ได้ กำหนดยื่นข้อเสนอคือ " in late.text
    assert "ระบบไม่รับข้อเสนอนี้" in late.text
    assert "The bid deadline was" not in late.text
    client.cookies.set("lang", "en")
    english = client.post(
        f"/tenders/{tender.id}/bid",
        data={"price": "1,000", "declaration": "yes", "csrf_token": token},
    )
    assert "The bid was not accepted" in english.text
    assert "ยื่นข้อเสนอหลังเวลาปิดรับไม่ได้" not in english.text


@pytest.mark.usefixtures("supplier")
def test_forms_without_csrf_are_refused(client, tender):
    no_token = client.post(
        f"/tenders/{tender.id}/bid", data={"price": "1,000", "declaration": "yes"}
    )
    assert no_token.status_code == 403
    assert client.get("/supplier").text.count("receipt.pdf") == 0


@pytest.mark.usefixtures("session", "clock")
def test_a_supplier_asks_and_the_buyer_answers_without_naming_the_asker(
    client, tender, supplier, buyer
):
    asked = post_form(
        client,
        f"/tenders/{tender.id}",
        f"/tenders/{tender.id}/questions",
        {"question": "May the mattresses be of a different brand?"},
    )
    assert asked.status_code == 303
    too_short = post_form(
        client, f"/tenders/{tender.id}", f"/tenders/{tender.id}/questions", {"question": "?"}
    )
    assert too_short.status_code == 422
    assert summary_links(too_short.text) == ["question-text"]
    assert "Enter at least 5 characters." in field_error(too_short.text, "question-text")
    assert ">?</textarea>" in too_short.text
    client.cookies.clear()
    sign_in(client, buyer)
    manage = client.get(f"/buyer/tenders/{tender.id}").text
    question_id = re.search(r"/questions/(\d+)/answer", manage).group(1)
    answered = post_form(
        client,
        f"/buyer/tenders/{tender.id}",
        f"/buyer/tenders/{tender.id}/questions/{question_id}/answer",
        {"answer": "Yes, if the specification is met."},
    )
    assert answered.status_code == 303
    client.cookies.clear()
    page = client.get(f"/tenders/{tender.id}").text
    assert "different brand" in page
    assert "if the specification is met" in page
    assert "Khun Somsak" not in page
    assert supplier.email not in page
    assert "Question answered" in page  # the log entry, in words
    assert "/api/ledger/proof/inclusion?index=" in page


@pytest.mark.usefixtures("session", "clock")
def test_a_buyer_creates_uploads_and_publishes_through_the_forms(client, buyer):
    sign_in(client, buyer)
    form = {
        "title": "ระบบกล้องวงจรปิด CCTV for Phra Nakhon district",
        "description": "Supply and installation of 40 CCTV cameras.",
        "category": "goods",
        "method": "open",
        "award_criteria": "lowest_price",
        "estimated_value": "3,200,000.50",
        "currency": "THB",
        "standstill_days": "7",
        "tender_start_at": "2026-11-26T11:00",
        "enquiry_end_at": "2026-11-30T17:00",
        "tender_end_at": "2026-12-10T16:30",
        "opening_at": "2026-12-10T17:00",
        "item_description": ["CCTV camera, 4K", ""],
        "item_quantity": ["40", ""],
        "item_unit": ["unit", ""],
    }
    created = post_form(client, "/buyer/tenders/new", "/buyer/tenders", form)
    assert created.status_code == 303, created.text
    manage_url = created.headers["location"]
    tender_id = int(manage_url.rsplit("/", 1)[1])
    view = client.get(manage_url).text
    assert "฿3,200,000.50" in view
    assert "2026-12-10 16:30" in view
    not_pdf = post_form(
        client,
        manage_url,
        f"{manage_url}/documents",
        {"title": "Spec"},
        files={"file": ("spec.txt", b"hello", "text/plain")},
    )
    assert not_pdf.status_code == 422
    assert "must be PDF files" in not_pdf.text
    pdf = b"%PDF-1.4\n% a small test document\n"
    uploaded = post_form(
        client,
        manage_url,
        f"{manage_url}/documents",
        {"title": "Technical specification"},
        files={"file": ("spec.pdf", pdf, "application/pdf")},
    )
    assert uploaded.status_code == 303
    published = post_form(client, manage_url, f"{manage_url}/publish")
    assert published.status_code == 303
    page = client.get(f"/tenders/{tender_id}").text
    assert "Technical specification" in page
    doc_id = re.search(rf"/tenders/{tender_id}/documents/(\d+)", page).group(1)
    assert client.get(f"/tenders/{tender_id}/documents/{doc_id}").content == pdf


def test_the_new_tender_form_shows_what_is_wrong(client, buyer):
    sign_in(client, buyer)
    refused = post_form(
        client,
        "/buyer/tenders/new",
        "/buyer/tenders",
        {
            "title": "Ambulances",
            "description": "Two ambulances.",
            "category": "goods",
            "estimated_value": "lots",
            "tender_start_at": "2026-11-26T11:00",
            "enquiry_end_at": "2026-11-30T17:00",
            "tender_end_at": "2026-12-10T16:30",
            "opening_at": "2026-12-10T17:00",
            "item_description": "Ambulance",
            "item_quantity": "2",
            "item_unit": "vehicle",
        },
    )
    assert refused.status_code == 422
    assert summary_links(refused.text) == ["estimated_value"]
    assert "Estimated value (baht): Enter an amount in baht" in refused.text
    assert 'value="Ambulances"' in refused.text
    assert 'value="lots"' in refused.text


def test_a_buyer_of_another_entity_cannot_act_on_a_tender(client, session, clock, tender):
    other = factories.user(session, role=Role.BUYER, now=clock())
    sign_in(client, other)
    assert client.get(f"/buyer/tenders/{tender.id}").status_code == 403
    cancel = post_form(
        client,
        "/buyer",
        f"/buyer/tenders/{tender.id}/cancel",
        {"reason": "I am not the owner of this tender"},
    )
    assert cancel.status_code == 403
    client.cookies.clear()
    assert "Cancelled" not in client.get(f"/tenders/{tender.id}").text


@pytest.mark.usefixtures("tender", "supplier")
def test_a_supplier_may_not_use_the_buyer_pages(client):
    assert client.get("/buyer").status_code == 403


def test_amend_changes_only_what_differs_and_cancel_needs_a_reason(client, tender, buyer):
    sign_in(client, buyer)
    page = client.get(f"/buyer/tenders/{tender.id}").text
    current = {
        name: re.search(rf'name="{name}" type="datetime-local" value="([^"]+)"', page).group(1)
        for name in ("enquiry_end_at", "tender_end_at", "opening_at")
    }
    amended = post_form(
        client,
        f"/buyer/tenders/{tender.id}",
        f"/buyer/tenders/{tender.id}/amend",
        {
            "rationale": "The beds must also come with side rails.",
            "title": tender.title,
            "description": tender.description + " With side rails.",
            "eligibility": "",
            "estimated_value": "4,800,000.00",
            **current,
        },
    )
    assert amended.status_code == 303, amended.text
    public = client.get(f"/tenders/{tender.id}").text
    assert "Amendment — version 2" in public
    assert "side rails" in public
    nothing = post_form(
        client,
        f"/buyer/tenders/{tender.id}",
        f"/buyer/tenders/{tender.id}/amend",
        {"rationale": "Nothing at all changes here.", "estimated_value": "4,800,000.00"},
    )
    assert nothing.status_code == 422
    assert "changes nothing" in nothing.text
    short = post_form(
        client,
        f"/buyer/tenders/{tender.id}",
        f"/buyer/tenders/{tender.id}/cancel",
        {"reason": "no"},
    )
    assert short.status_code == 422
    assert 'id="reason"' in short.text
    cancelled = post_form(
        client,
        f"/buyer/tenders/{tender.id}",
        f"/buyer/tenders/{tender.id}/cancel",
        {"reason": "The budget was withdrawn by the ministry."},
    )
    assert cancelled.status_code == 303
    assert "budget was withdrawn" in client.get(f"/tenders/{tender.id}").text


@pytest.mark.usefixtures("session", "settings")
def test_award_complaint_and_contract_through_the_buyer_pages(
    client, clock, tender, supplier, buyer
):
    submit_bid(client, tender.id, "4,100,000")
    clock.set(tender.opening_at)
    client.cookies.clear()
    sign_in(client, buyer)
    manage = f"/buyer/tenders/{tender.id}"
    assert post_form(client, manage, f"{manage}/open").status_code == 303
    assert (
        post_form(
            client, manage, f"{manage}/award", {"justification": "Lowest valid price."}
        ).status_code
        == 303
    )
    assert client.get(f"/tenders/{tender.id}/award.pdf").status_code == 200
    client.cookies.clear()
    sign_in(client, supplier)
    lodged = post_form(
        client,
        f"/tenders/{tender.id}",
        f"/tenders/{tender.id}/complaints",
        {
            "award_id": re.search(
                r'name="award_id" value="(\d+)"', client.get(f"/tenders/{tender.id}").text
            ).group(1),
            "text": "We ask the buyer to re-check the delivery schedule.",
        },
    )
    assert lodged.status_code == 303
    client.cookies.clear()
    sign_in(client, buyer)
    page = client.get(manage).text
    complaint_id = re.search(r"/complaints/(\d+)/answer", page).group(1)
    assert (
        post_form(
            client,
            manage,
            f"{manage}/complaints/{complaint_id}/answer",
            {"response": "The schedule was checked and stands."},
        ).status_code
        == 303
    )
    early = post_form(
        client,
        manage,
        f"{manage}/contract",
        {
            "value": "4,100,000",
            "signed_date": "2026-12-30",
            "start_date": "2027-01-01",
            "end_date": "2027-06-30",
        },
    )
    assert early.status_code == 422
    assert "final award" in early.text
