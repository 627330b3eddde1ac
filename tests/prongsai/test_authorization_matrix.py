"""The authorization matrix: every route of the app against an explicit policy.

A new route without a line in POLICY fails here, and so does a route whose dependencies ask
for other roles than its line says. Then every route is called as each identity its policy
leaves out (anonymous, each other role), and the owner-only routes as the same role of
another organisation: each is refused (401, 403, 404 or the sign-in page), never served and
never a 5xx.
"""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from itsdangerous import URLSafeTimedSerializer

from core.auth import service as auth_service
from core.auth.csrf import COOKIE as CSRF_COOKIE
from core.auth.dependencies import SESSION_COOKIE, current_user
from core.auth.models import Role, TokenKind
from prongsai.openapi import routes
from tests import factories
from tests.procurement import factories as f

PUBLIC, SIGNED_IN = "public", "signed-in"
POLICY: dict[str, str] = {
    "POST /api/auth/tokens": "public",
    "GET /api/auth/tokens": "signed-in",
    "DELETE /api/auth/tokens/{token_id}": "signed-in",
    "GET /api/auth/me": "signed-in",
    "POST /api/accounts": "public",
    "POST /receipts/pdf": "public",  # the PDF of a receipt file its holder sends, once verified
    "POST /api/accounts/verify": "public",
    "POST /api/accounts/password-reset": "public",
    "POST /api/accounts/password-reset/confirm": "public",
    "POST /api/accounts/invitation/accept": "public",
    "POST /api/accounts/password": "signed-in",
    "GET /api/admin/organisations": "admin",
    "POST /api/admin/organisations": "admin",
    "POST /api/admin/organisations/{slug}/approve": "admin",
    "POST /api/admin/organisations/{slug}/reject": "admin",
    "POST /api/admin/organisations/{slug}/deactivate": "admin",
    "POST /api/admin/organisations/{slug}/rename": "admin",
    "POST /api/admin/invitations": "admin|buyer|permit_officer",
    "POST /api/admin/users/{user_id}/deactivate": "admin",
    "POST /api/admin/users/{user_id}/role": "admin",
    "GET /api/admin/actions": "admin|auditor",
    "GET /signin": "public",
    "POST /signin": "public",
    "POST /signout": "public",
    "GET /account": "signed-in",
    "POST /account/tokens": "signed-in",
    "POST /account/tokens/{token_id}/revoke": "signed-in",
    "GET /register": "public",
    "POST /register": "public",
    "GET /verify": "public",
    "POST /verify": "public",
    "GET /password-reset": "public",
    "POST /password-reset": "public",
    "GET /password-reset/confirm": "public",
    "GET /invitation": "public",
    "POST /invitation": "public",
    "POST /password-reset/confirm": "public",
    "POST /account/password": "signed-in",
    "GET /supplier-register": "public",
    "GET /admin/permits": "admin",
    "POST /admin/permits/closures": "admin",
    "POST /admin/checkpoint": "admin",
    "POST /admin/organisations/{slug}/deactivate": "admin",
    "GET /api/suppliers/me/bids": "supplier",
    "GET /api/tenders/{tender_id}/bids/{bid_id}/receipt": "supplier",
    "GET /api/tenders/{tender_id}/bids/{bid_id}/documents/{number}": "buyer",
    "GET /buyer/tenders/{tender_id}/bids/{bid_id}/documents/{number}": "buyer",
    "GET /api/supplier-register": "public",
    "GET /admin": "admin",
    "GET /admin/actions": "admin|auditor",
    "POST /admin/organisations/{slug}/approve": "admin",
    "POST /admin/organisations/{slug}/reject": "admin",
    "POST /admin/organisations": "admin",
    "POST /admin/invitations": "admin",
    "POST /admin/users/{user_id}/deactivate": "admin",
    "GET /lang": "public",
    "GET /api/ledger/checkpoint": "public",
    "GET /api/ledger/checkpoint.txt": "public",
    "POST /api/ledger/checkpoint": "admin|auditor",
    "GET /api/ledger/checkpoints": "public",
    "GET /api/ledger/public-key": "public",
    "GET /api/ledger/entries": "public",
    "GET /api/ledger/proof/inclusion": "public",
    "GET /api/ledger/proof/consistency": "public",
    "GET /api/procurement/buyers": "public",
    "GET /api/tenders": "public",
    "GET /api/tenders/changes": "public",
    "GET /api/tenders/{tender_id}": "public",
    "POST /api/tenders": "buyer",
    "PUT /api/tenders/{tender_id}": "buyer",
    "DELETE /api/tenders/{tender_id}": "buyer",
    "POST /api/tenders/{tender_id}/documents": "buyer",
    "POST /api/tenders/{tender_id}/publish": "buyer",
    "POST /api/tenders/{tender_id}/questions": "supplier",
    "POST /api/questions/{question_id}/answer": "buyer",
    "POST /api/tenders/{tender_id}/amendments": "buyer",
    "POST /api/tenders/{tender_id}/cancel": "buyer",
    "PUT /api/suppliers/me": "supplier",
    "POST /api/tenders/{tender_id}/bids": "supplier",
    "DELETE /api/tenders/{tender_id}/bids/mine": "supplier",
    "POST /api/tenders/{tender_id}/open": "buyer",
    "POST /api/bids/{bid_id}/disqualify": "buyer",
    "POST /api/tenders/{tender_id}/award": "buyer",
    "POST /api/awards/{award_id}/complaints": "supplier",
    "POST /api/complaints/{complaint_id}/answer": "buyer",
    "POST /api/awards/{award_id}/finalise": "buyer",
    "POST /api/awards/{award_id}/contract": "buyer",
    "POST /api/contracts/{contract_id}/amendments": "buyer",
    "POST /api/contracts/{contract_id}/milestones": "buyer",
    "POST /api/milestones/{milestone_id}/done": "buyer",
    "POST /api/contracts/{contract_id}/payments": "buyer",
    "GET /api/ocds/releases": "public",
    "GET /api/ocds/releases/{release_id}": "public",
    "GET /api/ocds/records/{ocid}": "public",
    "GET /api/ocds/bulk/releases.jsonl.gz": "public",
    "GET /buyers": "public",
    "GET /tenders": "public",
    "GET /tenders/{tender_id}": "public",
    "GET /tenders/{tender_id}/documents/{document_id}": "public",
    "GET /tenders/{tender_id}/notice.pdf": "public",
    "GET /tenders/{tender_id}/opening.pdf": "public",
    "GET /tenders/{tender_id}/award.pdf": "public",
    "POST /buyer/tenders/{tender_id}/open": "buyer",
    "GET /supplier": "supplier",
    "POST /supplier/registration": "supplier",
    "GET /tenders/{tender_id}/bid": "supplier",
    "POST /tenders/{tender_id}/bid": "supplier",
    "GET /tenders/{tender_id}/bids/{bid_id}": "supplier",
    "GET /tenders/{tender_id}/bids/{bid_id}/receipt.json": "supplier",
    "GET /tenders/{tender_id}/bids/{bid_id}/receipt.pdf": "supplier",
    "GET /receipts/verify": "public",
    "POST /tenders/{tender_id}/bid/withdraw": "supplier",
    "GET /buyer": "buyer",
    "GET /buyer/tenders/new": "buyer",
    "POST /buyer/tenders": "buyer",
    "GET /buyer/tenders/{tender_id}/edit": "buyer",
    "POST /buyer/tenders/{tender_id}/edit": "buyer",
    "POST /buyer/tenders/{tender_id}/delete": "buyer",
    "GET /buyer/tenders/{tender_id}": "buyer",
    "POST /buyer/tenders/{tender_id}/documents": "buyer",
    "POST /buyer/tenders/{tender_id}/publish": "buyer",
    "POST /buyer/tenders/{tender_id}/questions/{question_id}/answer": "buyer",
    "POST /buyer/tenders/{tender_id}/amend": "buyer",
    "POST /buyer/tenders/{tender_id}/cancel": "buyer",
    "POST /tenders/{tender_id}/questions": "supplier",
    "POST /buyer/tenders/{tender_id}/bids/{bid_id}/disqualify": "buyer",
    "POST /buyer/tenders/{tender_id}/award": "buyer",
    "POST /buyer/tenders/{tender_id}/complaints/{complaint_id}/answer": "buyer",
    "POST /buyer/tenders/{tender_id}/contract": "buyer",
    "POST /tenders/{tender_id}/complaints": "supplier",
    "GET /buyer/tenders/{tender_id}/evaluation": "buyer",
    "POST /buyer/tenders/{tender_id}/evaluation": "buyer",
    "POST /api/permits/apply/{code}": "applicant",
    "GET /api/permits/mine": "applicant",
    "GET /api/permits/mine/{number}": "applicant",
    "GET /api/permits/mine/{number}/documents/{document_id}": "applicant",
    "POST /api/permits/mine/{number}/respond": "applicant",
    "POST /api/permits/mine/{number}/withdraw": "applicant",
    "POST /api/permits/{number}/documents/{document_id}/open": "permit_officer",
    "GET /api/permits/departments": "public",
    "GET /api/permits/closures": "public",
    "POST /api/permits/closures": "admin",
    "GET /api/permits": "public",
    "GET /api/permits/export.json": "public",
    "GET /api/permits/export.csv": "public",
    "GET /api/permits/statistics": "public",
    "GET /api/permits/{number}": "public",
    "GET /api/permits/{number}/stream": "public",
    "POST /api/permits/{number}/transitions": "permit_officer",
    "GET /permits/apply": "applicant",
    "GET /permits/apply/{code}": "applicant",
    "POST /permits/apply/{code}": "applicant",
    "GET /permits/mine": "applicant",
    "GET /permits/mine/{number}": "applicant",
    "POST /permits/mine/{number}/respond": "applicant",
    "POST /permits/mine/{number}/withdraw": "applicant",
    "GET /permits/mine/{number}/receipt.pdf": "applicant",
    "GET /permits/mine/{number}/documents/{document_id}": "applicant",
    "GET /permits/officer": "permit_officer",
    "GET /permits/officer/applications/{number}": "permit_officer",
    "POST /permits/officer/applications/{number}/claim": "permit_officer",
    "POST /permits/officer/applications/{number}/act": "permit_officer",
    "POST /permits/officer/applications/{number}/delay": "permit_officer",
    "POST /permits/officer/applications/{number}/personal-data": "permit_officer",
    "POST /permits/officer/applications/{number}/documents/{document_id}": "permit_officer",
    "GET /departments": "public",
    "GET /departments/{slug}": "public",
    "GET /departments/{slug}/performance.json": "public",
    "GET /departments/{slug}/applications.json": "public",
    "GET /departments/{slug}/applications.csv": "public",
    "GET /permits": "public",
    "GET /permits/lookup": "public",
    "GET /permits/certificates/{digest}": "public",
    "GET /permits/{number}": "public",
    "GET /permits/{number}/timeline": "public",
    "POST /permits/{number}/subscribe": "public",
    "GET /permits/{number}/confirm": "public",
    "GET /permits/{number}/unsubscribe": "public",
    "GET /permits/{number}/certificate.pdf": "public",
    "GET /transparency": "public",
    "GET /transparency/log": "public",
    "GET /transparency/log/{index}": "public",
    "GET /feeds/tenders.atom": "public",
    "GET /feeds/awards.atom": "public",
    "GET /buyers/{slug}/feed.atom": "public",
    "GET /suppliers/{supplier_id}/feed.atom": "public",
    "GET /departments/{slug}/feed.atom": "public",
    "GET /permits/{number}/feed.atom": "public",
    "GET /": "public",
    "GET /data": "public",
    "GET /suppliers": "public",
    "GET /suppliers/{supplier_id}": "public",
    "GET /buyers/{slug}": "public",
    "GET /rankings": "public",
    "GET /red-flags": "public",
    "GET /red-flags/{code}": "public",
    "GET /charts": "public",
    "GET /search": "public",
    "GET /search.csv": "public",
    "GET /search.json": "public",
    "GET /api/search": "public",
    "GET /healthz": "public",
    "GET /identity.css": "public",
    "GET /favicon.ico": "public",
    "GET /emblem": "public",
    "GET /api/docs": "public",
}


def required(dependant) -> str:
    """The policy a route's dependencies enforce: public, signed-in, or the roles let in."""
    roles: set[str] = set()
    signed_in = False

    def walk(node) -> None:
        nonlocal signed_in
        call = node.call
        signed_in = signed_in or call is current_user
        if getattr(call, "__name__", "") == "check" and call.__module__ == "core.auth.dependencies":
            cells = dict(zip(call.__code__.co_freevars, call.__closure__ or (), strict=True))
            roles.update(str(role) for role in cells["roles"].cell_contents)
        for sub in node.dependencies:
            walk(sub)

    walk(dependant)
    if roles:
        return "|".join(sorted(roles))
    return SIGNED_IN if signed_in else PUBLIC


def operations(app) -> dict[str, object]:
    return {f"{m} {r.path}": r for r in routes(app) for m in sorted(r.methods or ())}


def test_every_route_has_a_policy_and_enforces_it(app):
    found = operations(app)
    assert sorted(set(found) - set(POLICY)) == [], "add the new routes to POLICY"
    assert sorted(set(POLICY) - set(found)) == [], "remove the routes that are gone"
    differs = {
        key: (POLICY[key], required(route.dependant))  # type: ignore[attr-defined]
        for key, route in found.items()
        if POLICY[key] != required(route.dependant)  # type: ignore[attr-defined]
    }
    assert differs == {}


SAMPLE = {"number": "BLD-2026-000001-K", "slug": "nobody", "code": "BLD", "digest": "0" * 64}


def url_of(path: str, ids: dict[str, int]) -> str:
    def value(match: re.Match) -> str:
        name = match.group(1)
        if name.endswith("_id"):
            return str(ids.get(name, 999_999))
        if name == "number" and "/documents/" in path:
            return "1"  # a bid's document, by its position
        return SAMPLE.get(name, "x")

    return re.sub(r"\{(\w+)\}", value, path)


class Identity:
    """A client signed in as one user (a session cookie for pages, a token for the API)."""

    def __init__(self, app, session, user) -> None:
        self.client = TestClient(
            app,
            base_url="https://testserver",
            follow_redirects=False,
            raise_server_exceptions=False,
        )
        self.headers: dict[str, str] = {}
        if user is not None:
            now = user.created_at
            api, _ = auth_service.issue_token(
                session, user=user, kind=TokenKind.API, now=now, lifetime=None
            )
            page, _ = auth_service.issue_token(
                session, user=user, kind=TokenKind.SESSION, now=now, lifetime=None
            )
            self.headers = {"Authorization": f"Bearer {api}"}
            self.client.cookies.set(SESSION_COOKIE, page)
        self.client.get("/healthz")  # the CSRF cookie
        seed = self.client.cookies.get(CSRF_COOKIE)
        secret = app.state.settings.secret()
        self.csrf = URLSafeTimedSerializer(secret, salt="prongsai-csrf").dumps(seed)

    def call(self, method: str, url: str, body: dict | None = None, files: dict | None = None):
        if url.startswith("/api/"):
            if files:
                return self.client.request(
                    method, url, headers=self.headers, data=body, files=files
                )
            return self.client.request(method, url, headers=self.headers, json=body or {})
        data = {"csrf_token": self.csrf, **(body or {})} if method != "GET" else None
        return self.client.request(method, url, data=data, files=files)


def refused(response) -> bool:
    if response.status_code == 303:
        return response.headers["location"].startswith("/signin")
    return response.status_code in (401, 403, 404)


SURFACES = {  # three parts of the app, each tested on its own so that no test runs long
    "api": lambda path: path.startswith("/api/"),
    "permit pages": lambda path: path.startswith("/permits"),
    "other pages": lambda path: not path.startswith(("/api/", "/permits")),
}


@pytest.mark.parametrize("surface", SURFACES)
def test_no_one_outside_a_routes_policy_gets_through(app, session, clock, surface):
    people = {"anonymous": Identity(app, session, None)} | {
        str(role): Identity(app, session, factories.user(session, role=role, now=clock()))
        for role in Role
    }
    served = []
    for key, policy in POLICY.items():
        method, path = key.split(" ", 1)
        if policy == PUBLIC or not SURFACES[surface](path):
            continue
        let_in = {str(role) for role in Role} if policy == SIGNED_IN else set(policy.split("|"))
        for who, identity in people.items():
            if who in let_in:
                continue
            response = identity.call(method, url_of(path, {}))
            if not refused(response):
                served.append((key, who, response.status_code))
    assert served == []


PDF = {"file": ("spec.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")}
BODIES = {
    "PUT /api/tenders/{tender_id}": lambda clock: f.draft_body(clock()),
    "POST /api/tenders/{tender_id}/amendments": lambda _: {
        "rationale": "Drawings corrected",
        "title": "Road works v2",
    },
    "POST /api/tenders/{tender_id}/cancel": lambda _: {"reason": "Budget withdrawn."},
    "POST /buyer/tenders/{tender_id}/delete": lambda _: {"confirm": "yes"},
    "POST /api/tenders/{tender_id}/documents": lambda _: {"title": "Specification"},
}
FILES = {"POST /api/tenders/{tender_id}/documents": PDF}
# The form is read and checked before the tender is looked up: a 422 answers the sender's own
# input and shows nothing of the tender.
VALIDATED_FIRST = {"POST /buyer/tenders/{tender_id}/edit"}


def test_the_same_role_of_another_organisation_cannot_act_on_what_is_not_its_own(
    app, session, clock
):
    _, buyer_h = f.buyer(app, session, clock())
    tender = f.published_tender(TestClient(app), session, clock, buyer_h)
    owner, _ = f.supplier(app, session, clock())
    from procurement.bids import service as bidding
    from procurement.bids.schemas import BidIn

    receipt = bidding.submit_bid(
        session,
        user=owner,
        tender_id=tender["id"],
        bid=BidIn.model_validate(f.bid_body(100)),
        clock=clock,
        settings=app.state.settings,
    )
    others = {
        "buyer": Identity(app, session, factories.user(session, role=Role.BUYER, now=clock())),
        "supplier": Identity(
            app, session, factories.user(session, role=Role.SUPPLIER, now=clock())
        ),
    }
    ids = {"tender_id": tender["id"], "bid_id": receipt.bid_id}
    served = []
    for key, policy in POLICY.items():
        method, path = key.split(" ", 1)
        owned = (policy == "buyer" and "{tender_id}" in path) or (
            policy == "supplier" and "{bid_id}" in path
        )
        if not owned:
            continue
        body = BODIES.get(key, lambda _: {})(clock)  # valid, so the ownership check is reached
        files = FILES.get(key)
        response = others[policy].call(method, url_of(path, ids), body, files)
        if key in VALIDATED_FIRST and response.status_code == 422:
            continue
        if not refused(response):
            served.append((key, response.status_code))
    assert served == []
