"""The procurement PDFs read back with pdftotext: the key facts, and no price before opening."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from procurement.bids import opening
from procurement.bids import service as bidding
from procurement.bids.schemas import BidIn, PriceIn, SupplierIn
from procurement.public import queries
from procurement.publishing import pdfs
from tests import factories
from tests.procurement.test_views import draft

MARKER = 987654321


def pdf_text(pdf: bytes, tmp_path) -> str:
    assert shutil.which("pdftotext"), "poppler-utils is needed"
    path = tmp_path / "out.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


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
    return tender, receipt


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
    tender, receipt = sealed
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
    tender, receipt = sealed
    opening.open_tender(session, tender_id=tender.id, now=tender.opening_at, settings=settings)
    report = pdf_text(
        pdfs.opening(app.state.templates.env, view(session, settings, tender.id)), tmp_path
    )
    assert "฿9,876,543.21" in report
    assert receipt.commitment[:20] in report.replace("\n", "")
