"""The permit certificate and the applicant's receipt read back as their readers see them: on
the deploying body's letterhead, with the permit's number, a QR code leading to its public
record and the log entry that recorded it, documents named in words, nothing personal on the
public certificate."""

from __future__ import annotations

import pytest
from pydantic import AnyHttpUrl

from permits import certificates, service
from permits.rules import Action
from tests.core.auth.test_views import sign_in
from tests.pdfs import has_url, pdf_text, qr_codes, raw_keys
from tests.permits import factories

BODY = "Bangkok Metropolitan Administration"
BODY_TH = "กรุงเทพมหานคร"
SITE = "https://permits.bangkok.example"


@pytest.fixture
def settings(settings):
    """A deployment with a name of its own, so the letterhead is seen to come from settings."""
    return settings.model_copy(
        update={"body_name": BODY, "body_name_th": BODY_TH, "public_base_url": AnyHttpUrl(SITE)}
    )


@pytest.fixture
def applicant(session, clock):
    return factories.applicant(session, now=clock())


@pytest.fixture
def application(session, clock, settings, setup, applicant):  # noqa: ARG001 -- requested for its effect; marks do not apply to fixtures
    return factories.food_application(
        session, now=clock(), settings=settings, applicant_user=applicant
    )


def test_the_certificate_leads_to_its_verification_page_and_log_entry(
    client, session, clock, settings, application, health_officer, tmp_path
):
    number = application.tracking_number
    for action in (Action.ADVANCE, Action.ADVANCE, Action.APPROVE):
        service.act(
            session,
            number=number,
            action=action,
            actor=health_officer,
            now=clock(),
            settings=settings,
        )
    permit = client.get(f"/api/permits/{number}").json()
    verification = permit["certificate_url"]
    assert verification.startswith(f"{SITE}/permits/certificates/")
    pdf = client.get(f"/permits/{number}/certificate.pdf").content
    text = pdf_text(pdf, tmp_path)
    assert BODY in text
    assert BODY_TH in text
    assert number in text
    assert has_url(text, verification)
    assert has_url(text, f"{SITE}/permits/{number}")
    issued = certificates.of_application(session, application)
    assert has_url(text, f"{SITE}/transparency/log/{issued.ledger_index}")
    assert qr_codes(pdf, tmp_path) == [verification]
    assert "Food-sanitation licence" in text
    assert "ใบอนุญาต" in text  # the Thai name (pdftotext garbles some of its vowels)
    for marker in (factories.SECRET_NAME, factories.SECRET_PHONE, factories.SECRET_ADDRESS):
        assert marker not in text
    assert raw_keys(text) == []


def test_the_receipt_names_documents_in_words_in_the_readers_language(
    client, application, applicant, tmp_path
):
    number = application.tracking_number
    sign_in(client, applicant)
    pdf = client.get(f"/permits/mine/{number}/receipt.pdf")
    assert pdf.status_code == 200
    text = pdf_text(pdf.content, tmp_path)
    assert BODY in text
    assert number in text
    assert has_url(text, f"{SITE}/permits/{number}")
    received = client.get(f"/api/permits/{number}").json()["transitions"][0]
    assert received["action"] == "submitted"
    assert has_url(text, f"{SITE}/transparency/log/{received['ledger_index']}")
    assert qr_codes(pdf.content, tmp_path) == [f"{SITE}/permits/{number}"]
    assert "Floor plan of the kitchen" in text
    assert "floor_plan" not in text
    assert "health_certificate" not in text
    assert raw_keys(text) == []
    thai = pdf_text(client.get(f"/permits/mine/{number}/receipt.pdf?lang=th").content, tmp_path)
    assert "Floor plan" not in thai
    assert "Receipt of your application" not in thai
    assert thai.index(BODY_TH) < thai.index(BODY)


def test_another_applicants_receipt_is_refused(client, session, clock, application):
    sign_in(client, factories.applicant(session, now=clock()))
    refused = client.get(f"/permits/mine/{application.tracking_number}/receipt.pdf")
    assert refused.status_code in (403, 404)
