"""Documents people need to see: an applicant who registered themselves applies through the API
with documents; an officer opens one, and the applicant's access log shows who, when and why."""

from __future__ import annotations

from sqlmodel import select

from permits.models import Application
from tests.core.auth.onboarding import STRONG, applicant_body, last_link, token_for
from tests.core.auth.test_views import csrf_from
from tests.factories import PASSWORD
from tests.permits import factories
from tests.procurement.factories import headers_for

FILES = [
    ("doc_floor_plan", ("kitchen plan.pdf", factories.PDF, "application/pdf")),
    ("doc_health_certificate", ("h.png", factories.PNG, "image/png")),
]


def registered_applicant(client, settings) -> dict:
    """An applicant who registered and confirmed their address through the API; their token."""
    email = "anan@applicant.example"
    assert client.post("/api/accounts", json=applicant_body(email)).status_code == 202
    token = last_link(settings.data_dir, email, "/verify")
    assert client.post("/api/accounts/verify", json={"token": token}).status_code == 200
    issued = token_for(client, email, STRONG)
    assert issued.status_code == 201, issued.text
    return {"Authorization": f"Bearer {issued.json()['token']}"}


def test_an_officer_opens_an_api_applicants_document_and_the_access_is_logged(
    client, settings, health_officer, works_officer
):
    headers = registered_applicant(client, settings)
    bad = client.post(
        "/api/permits/apply/FOD", data=factories.food_values(), files=FILES[:1], headers=headers
    )
    assert bad.status_code == 422, bad.text  # a required document is missing: named
    assert "health" in bad.json()["detail"].lower()
    applied = client.post(
        "/api/permits/apply/FOD", data=factories.food_values(), files=FILES, headers=headers
    )
    assert applied.status_code == 201, applied.text
    mine = applied.json()
    number = mine["permit"]["tracking_number"]
    plan = next(d for d in mine["documents"] if d["requirement"] == "floor_plan")
    assert (plan["filename"], plan["content_type"]) == ("kitchen plan.pdf", "application/pdf")
    assert mine["accesses"] == []
    own = client.get(f"/api/permits/mine/{number}/documents/{plan['id']}", headers=headers)
    assert own.content == factories.PDF

    officer = headers_for(client, health_officer)
    path = f"/api/permits/{number}/documents/{plan['id']}/open"
    no_reason = client.post(path, json={"reason": ""}, headers=officer)
    assert no_reason.status_code == 422
    elsewhere = client.post(
        path, json={"reason": "checking the plan"}, headers=headers_for(client, works_officer)
    )
    assert elsewhere.status_code == 403
    assert (
        client.post(path, json={"reason": "checking the plan"}, headers=headers).status_code == 403
    )
    opened = client.post(path, json={"reason": "Checking the kitchen plan"}, headers=officer)
    assert opened.status_code == 200
    assert opened.content == factories.PDF
    assert "attachment" in opened.headers["content-disposition"]

    log = client.get(f"/api/permits/mine/{number}", headers=headers).json()["accesses"]
    assert len(log) == 1
    assert "Checking the kitchen plan" in log[0]["reason"]
    public = client.get(f"/api/permits/{number}").text
    assert "kitchen plan" not in public
    assert "Checking the kitchen plan" not in public


def test_an_officer_opens_a_document_from_the_work_page(client, session, clock, health_officer):
    applicant = factories.applicant(session, now=clock())
    made = client.post(
        "/api/permits/apply/FOD",
        data=factories.food_values(),
        files=FILES,
        headers=headers_for(client, applicant),
    )
    number = made.json()["permit"]["tracking_number"]
    token = csrf_from(client.get("/signin").text)
    client.post(
        "/signin",
        data={"email": health_officer.email, "password": PASSWORD, "csrf_token": token},
    )
    page = client.get(f"/permits/officer/applications/{number}")
    assert "kitchen plan.pdf" in page.text
    forms = [
        part.split('"')[0]
        for part in page.text.split('action="')
        if part.startswith(f"/permits/officer/applications/{number}/documents/")
    ]
    assert len(forms) == 2
    refused = client.post(forms[0], data={"reason": "x", "csrf_token": csrf_from(page.text)})
    assert refused.status_code == 422
    assert "Say why" in refused.text
    opened = client.post(
        forms[0], data={"reason": "Plan review today", "csrf_token": csrf_from(page.text)}
    )
    assert opened.status_code == 200
    assert opened.content == factories.PDF
    application = session.exec(
        select(Application).where(Application.tracking_number == number)
    ).one()
    assert application.id is not None
