"""A request for information asks for what the officer names: a document by its name, or a
written answer to a question; the applicant answers with exactly that, in a page or the API,
and the answer stays between the applicant and the department."""

from __future__ import annotations

import pytest
from sqlmodel import select

from core.auth import service as auth_service
from core.auth.models import TokenKind, User
from core.ledger.models import LedgerEntry
from permits import service
from permits.rules import Action, Asks, InformationRequest
from tests.core.auth.test_views import csrf_from, sign_in
from tests.core.test_forms import field_error, summary_links
from tests.permits import factories

QUESTION = "How many seats does the terrace add?"
SECRET = "Twelve seats, folded away at 22:00 (canary-answer-7431)"


@pytest.fixture
def application(session, clock, settings, setup):  # noqa: ARG001 -- requested for its effect
    return factories.food_application(session, now=clock(), settings=settings)


def ask(session, clock, settings, application, officer, asks: Asks, asked_for: str):
    return service.act(
        session,
        number=application.tracking_number,
        action=Action.REQUEST_INFORMATION,
        actor=officer,
        now=clock(),
        settings=settings,
        note="The plan leaves part of the premises out.",
        asked=InformationRequest(asks, asked_for),
    )


def test_a_named_document_is_asked_for_and_answered_with_that_document(
    client, session, clock, settings, application, health_officer
):
    ask(session, clock, settings, application, health_officer, Asks.DOCUMENT, "Terrace plan")
    number = application.tracking_number
    public = client.get(f"/api/permits/{number}").json()
    pause = public["stages"][0]["pauses"][0]
    assert (pause["asks"], pause["asked_for"]) == ("document", "Terrace plan")
    assert "Asked for the document: Terrace plan." in client.get(f"/permits/{number}").text

    owner = session.get(User, application.applicant_id)
    sign_in(client, owner)
    page = client.get(f"/permits/mine/{number}")
    assert "The document asked for: Terrace plan" in page.text
    assert 'name="doc_requested"' in page.text
    assert 'name="doc_floor_plan"' not in page.text  # not the type's fixed slots
    token = csrf_from(page.text)
    wrong = client.post(
        f"/permits/mine/{number}/respond",
        data={"csrf_token": token},
        files={"doc_floor_plan": ("plan.pdf", factories.PDF, "application/pdf")},
    )
    assert wrong.status_code == 422
    assert "Terrace plan" in wrong.text
    # On the applicant's own page, at the control that asks for it, not on an error page.
    assert summary_links(wrong.text) == ["r-requested"]
    assert "Terrace plan" in field_error(wrong.text, "r-requested")
    assert client.get(f"/api/permits/{number}").json()["status"] == "paused"  # nothing changed

    answered = client.post(
        f"/permits/mine/{number}/respond",
        data={"csrf_token": token},
        files={"doc_requested": ("terrace.pdf", factories.PDF, "application/pdf")},
    )
    assert answered.status_code == 303
    assert client.get(f"/api/permits/{number}").json()["status"] == "in_progress"
    mine = client.get(f"/permits/mine/{number}").text
    assert "Document the department asked for — terrace.pdf" in mine


def test_a_question_is_answered_in_writing_and_the_answer_stays_private(
    client, session, clock, settings, application, health_officer
):
    ask(session, clock, settings, application, health_officer, Asks.ANSWER, QUESTION)
    number = application.tracking_number
    owner = session.get(User, application.applicant_id)
    raw, _ = auth_service.issue_token(
        session, user=owner, kind=TokenKind.API, now=clock(), lifetime=None
    )
    headers = {"Authorization": f"Bearer {raw}"}

    empty = client.post(f"/api/permits/mine/{number}/respond", data={}, headers=headers)
    assert empty.status_code == 422
    assert QUESTION in empty.json()["detail"]
    response = client.post(
        f"/api/permits/mine/{number}/respond",
        data={"answer": SECRET},
        headers=headers,
    )
    assert response.status_code == 200, response.text
    assert response.json()["answers"][0] == {
        "asked_for": QUESTION,
        "answer": SECRET,
        "answered_at": response.json()["answers"][0]["answered_at"],
    }
    assert response.json()["permit"]["status"] == "in_progress"

    # Public: the question, never the answer.
    assert QUESTION in client.get(f"/permits/{number}").text
    for url in (f"/permits/{number}", f"/api/permits/{number}", "/api/permits/export.csv"):
        assert "canary-answer" not in client.get(url).text
    entries = session.exec(select(LedgerEntry.entry)).all()
    assert not any("canary-answer" in e for e in entries)

    # The officer reads it with the personal data, once the opening is logged.
    sign_in(client, health_officer)
    work = client.get(f"/permits/officer/applications/{number}")
    assert "canary-answer" not in work.text
    opened = client.post(
        f"/permits/officer/applications/{number}/personal-data",
        data={"csrf_token": csrf_from(work.text), "reason": "Checking the seating answer"},
    )
    assert "canary-answer" in opened.text


def test_the_officer_names_what_a_request_asks_for(client, application, health_officer):
    number = application.tracking_number
    sign_in(client, health_officer)
    page = client.get(f"/permits/officer/applications/{number}")
    assert 'name="asks" value="document"' in page.text
    assert 'name="asks" value="answer"' in page.text
    assert "checked" not in page.text.split('id="asks"')[1].split("</fieldset>")[0]
    act = f"/permits/officer/applications/{number}/act"
    base = {"csrf_token": csrf_from(page.text), "action": "request_information", "note": "Why"}
    unnamed = client.post(act, data={**base, "asks": "document"})
    assert unnamed.status_code == 422
    assert "Name the document you ask for." in unnamed.text
    no_kind = client.post(act, data=base)
    assert no_kind.status_code == 422
    assert "a document or an answer" in no_kind.text
    assert client.get(f"/api/permits/{number}").json()["status"] == "in_progress"
    asked = client.post(act, data={**base, "asks": "answer", "asked_for": QUESTION})
    assert asked.status_code == 303
    assert client.get(f"/api/permits/{number}").json()["status"] == "paused"


def test_a_written_answer_refused_comes_back_at_its_field_with_what_was_typed(
    client, session, clock, settings, application, health_officer
):
    ask(session, clock, settings, application, health_officer, Asks.ANSWER, QUESTION)
    number = application.tracking_number
    sign_in(client, session.get(User, application.applicant_id))
    page = client.get(f"/permits/mine/{number}")
    too_long = "Twelve seats. " * 400
    refused = client.post(
        f"/permits/mine/{number}/respond",
        data={"csrf_token": csrf_from(page.text), "answer": too_long},
    )
    assert refused.status_code == 422
    assert summary_links(refused.text) == ["answer"]
    assert "under" in field_error(refused.text, "answer")
    assert too_long.strip()[:200] in refused.text  # kept, to shorten rather than retype
    assert client.get(f"/api/permits/{number}").json()["status"] == "paused"
