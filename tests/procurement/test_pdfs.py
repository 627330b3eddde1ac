"""The procurement PDFs read back with pdftotext: the key facts, and no price before opening;
each on the deploying body's letterhead, with its reference, a QR code of its public page and
the addresses of that page and of its log entry, in the reader's language, in words."""

from __future__ import annotations

import pytest
from pydantic import AnyHttpUrl

from procurement.awards import service as awarding
from procurement.awards.schemas import AwardIn
from procurement.bids import opening
from procurement.bids import service as bidding
from procurement.bids.schemas import BidIn, PriceIn, SupplierIn
from procurement.public import queries
from procurement.publishing import pdfs
from tests import factories
from tests.pdfs import has_url, pdf_text, qr_codes, raw_keys
from tests.procurement.test_views import draft

MARKER = 987654321
BODY = "Nakhon Ratchasima Provincial Office"
BODY_TH = "ศาลากลางจังหวัดนครราชสีมา"
SITE = "https://procure.korat.example"


@pytest.fixture
def settings(settings):
    """A deployment with a name of its own, so the letterhead is seen to come from settings."""
    return settings.model_copy(
        update={"body_name": BODY, "body_name_th": BODY_TH, "public_base_url": AnyHttpUrl(SITE)}
    )


@pytest.fixture
def sealed(session, clock, settings, app):  # noqa: ARG001 -- requested for its effect; marks do not apply to fixtures
    from core.auth.models import Role
    from procurement.tenders import service

    buyer = factories.user(session, role=Role.BUYER, now=clock())
    made = service.create_draft(
        session,
        buyer=buyer,
        now=clock(),
        draft=draft(clock(), title="Ambulances for Nakhon Ratchasima (รถพยาบาล)"),
    )
    tender = service.publish(
        session, buyer=buyer, tender_id=made.id, now=clock(), settings=settings
    )
    supplier = factories.user(session, role=Role.SUPPLIER, now=clock())
    bidding.register_supplier(
        session,
        user=supplier,
        now=clock(),
        details=SupplierIn(
            address="1 Mittraphap Road, Korat",
            contact_name="K. Dee",
            contact_email="k@dee.example",
            contact_phone="+66 44 555 000",
        ),
    )
    receipt = bidding.submit_bid(
        session,
        user=supplier,
        tender_id=tender.id,
        clock=clock,
        settings=settings,
        bid=BidIn(price=PriceIn(amount=MARKER, currency="THB"), declaration=True),
    )
    return tender, receipt, buyer


def stored(session, settings, receipt):
    """The receipt as its supplier downloads it later: the public part only."""
    from procurement.bids import receipts
    from procurement.bids.models import Bid

    return receipts.stored_receipt(
        session,
        organisation_id=session.get(Bid, receipt.bid_id).supplier_id,
        tender_id=receipt.tender_id,
        bid_id=receipt.bid_id,
        prefix=settings.ocid_prefix,
        verifier_key=None,
    )


def view(session, settings, tender_id):
    return queries.tender_view(session, tender_id=tender_id, prefix=settings.ocid_prefix)


def test_notice_and_receipt_before_the_opening_carry_no_price(
    session, settings, app, sealed, tmp_path
):
    tender, receipt, _buyer = sealed
    env = app.state.templates.env
    notice = pdf_text(pdfs.notice(env, view(session, settings, tender.id)), tmp_path)
    assert "Ambulances for Nakhon Ratchasima" in notice
    assert "รถพยาบาล" in notice
    assert "฿4,800,000.00" in notice
    printed = pdf_text(pdfs.receipt(env, stored(session, settings, receipt)), tmp_path)
    assert receipt.commitment[:32] in printed.replace("\n", "")
    for text in (notice, printed):
        assert str(MARKER) not in text
        assert "9,876,543.21" not in text
    with pytest.raises(Exception, match="no opening report yet"):
        pdfs.opening(env, view(session, settings, tender.id))


def test_the_opening_report_lists_every_price_after_the_opening(
    session, settings, app, sealed, tmp_path
):
    tender, receipt, _buyer = sealed
    opening.open_tender(session, tender_id=tender.id, now=tender.opening_at, settings=settings)
    report = pdf_text(
        pdfs.opening(app.state.templates.env, view(session, settings, tender.id)), tmp_path
    )
    assert "฿9,876,543.21" in report
    assert receipt.commitment[:20] in report.replace("\n", "")


@pytest.fixture
def awarded(session, settings, sealed):
    tender, _receipt, buyer = sealed
    opening.open_tender(session, tender_id=tender.id, now=tender.opening_at, settings=settings)
    awarding.award(
        session,
        buyer=buyer,
        tender_id=tender.id,
        now=tender.opening_at,
        settings=settings,
        decision=AwardIn(justification="Lowest valid price."),
    )
    return tender


@pytest.mark.parametrize("document", ["notice", "opening", "award"])
def test_each_document_has_the_letterhead_reference_and_the_way_back_to_the_record(
    client, session, settings, awarded, tmp_path, document
):
    tender = awarded
    pdf = client.get(f"/tenders/{tender.id}/{document}.pdf")
    assert pdf.status_code == 200
    text = pdf_text(pdf.content, tmp_path)
    page_url = f"{SITE}/tenders/{tender.id}"
    assert BODY in text
    assert BODY_TH in text
    assert f"{settings.ocid_prefix}-{tender.id}" in text
    assert has_url(text, page_url)
    entries = view(session, settings, tender.id).log_entries
    wanted = {
        "notice": "procurement.tender.published",
        "opening": "procurement.bids.opened",
        "award": "procurement.award.decided",
    }[document]
    index = next(e.index for e in entries if e.entry_type == wanted)
    assert has_url(text, f"{SITE}/transparency/log/{index}")
    assert qr_codes(pdf.content, tmp_path) == [page_url]
    assert raw_keys(text) == []


def test_a_document_speaks_the_readers_language(client, awarded, tmp_path):
    english = pdf_text(client.get(f"/tenders/{awarded.id}/award.pdf").content, tmp_path)
    thai = pdf_text(client.get(f"/tenders/{awarded.id}/award.pdf?lang=th").content, tmp_path)
    assert "Award notice" in english
    assert "Awarded to" in english
    assert "Awarded to" not in thai
    assert "พิจารณาเมื่อ" in thai  # Decided (pdftotext garbles some Thai vowels; not this)
    # The issuing body in the reader's language first, the other beneath it.
    assert thai.index(BODY_TH) < thai.index(BODY)
    assert english.index(BODY) < english.index(BODY_TH)
