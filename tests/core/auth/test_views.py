import re

import pytest
from sqlmodel import select

from core.auth.models import AuthToken, Role, TokenKind
from tests import factories


def csrf_from(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


@pytest.fixture
def applicant(session, clock):
    return factories.user(session, role=Role.APPLICANT, now=clock())


def sign_in(client, user, password=factories.PASSWORD):
    token = csrf_from(client.get("/signin").text)
    return client.post(
        "/signin",
        data={"email": user.email, "password": password, "csrf_token": token, "next": "/account"},
    )


def test_signin_sets_a_secure_http_only_samesite_session_cookie(client, applicant):
    response = sign_in(client, applicant)
    assert response.status_code == 303
    assert response.headers["location"] == "/account"
    cookie = next(
        c for c in response.headers.get_list("set-cookie") if c.startswith("prongsai_session=")
    )
    assert "HttpOnly" in cookie
    assert "Secure" in cookie
    assert "SameSite=lax" in cookie
    page = client.get("/account")
    assert page.status_code == 200
    assert applicant.email in page.text


def test_a_form_without_its_csrf_token_is_refused_and_changes_nothing(client, session, applicant):
    client.get("/signin")  # the browser has its CSRF cookie, but the form lacks the token
    response = client.post("/signin", data={"email": applicant.email, "password": "x" * 12})
    assert response.status_code == 403
    assert "Reload the page" in response.text
    assert "prongsai_session" not in response.headers.get("set-cookie", "")
    forged = client.post(
        "/signin",
        data={"email": applicant.email, "password": factories.PASSWORD, "csrf_token": "forged"},
    )
    assert forged.status_code == 403
    sessions = session.exec(select(AuthToken).where(AuthToken.user_id == applicant.id)).all()
    assert sessions == []


def test_a_token_from_another_browser_is_refused(app, client, applicant):
    from fastapi.testclient import TestClient

    other = TestClient(app, base_url="https://testserver")
    token_of_other_browser = csrf_from(other.get("/signin").text)
    client.get("/signin")
    response = client.post(
        "/signin",
        data={
            "email": applicant.email,
            "password": factories.PASSWORD,
            "csrf_token": token_of_other_browser,
        },
    )
    assert response.status_code == 403


def test_wrong_password_shows_the_form_again_with_a_message(client, applicant):
    response = sign_in(client, applicant, password="nope nope nope")
    assert response.status_code == 401
    assert "Wrong email or password." in response.text
    assert 'name="email"' in response.text


def test_signin_never_redirects_off_site(client, applicant):
    token = csrf_from(client.get("/signin").text)
    response = client.post(
        "/signin",
        data={
            "email": applicant.email,
            "password": factories.PASSWORD,
            "csrf_token": token,
            "next": "//evil.example/phish",
        },
    )
    assert response.headers["location"] == "/permits/mine"  # the applicant's own dashboard


def test_pages_needing_an_account_send_the_public_to_sign_in(client):
    response = client.get("/account")
    assert response.status_code == 303
    assert response.headers["location"] == "/signin?next=/account"


def test_signout_ends_the_session_on_the_server(client, session, applicant):
    sign_in(client, applicant)
    page = client.get("/account")
    response = client.post("/signout", data={"csrf_token": csrf_from(page.text)})
    assert response.status_code == 303
    token = session.exec(
        select(AuthToken).where(
            AuthToken.user_id == applicant.id, AuthToken.kind == TokenKind.SESSION
        )
    ).one()
    assert token.revoked_at is not None
    assert client.get("/account").status_code == 303


def test_api_tokens_are_made_and_revoked_from_the_account_page(client, applicant):
    sign_in(client, applicant)
    page = client.get("/account")
    made = client.post(
        "/account/tokens", data={"name": "my-script", "csrf_token": csrf_from(page.text)}
    )
    assert made.status_code == 200
    raw = re.search(r'<code class="token">([^<]+)</code>', made.text).group(1)
    assert client.get("/api/auth/me", headers={"Authorization": f"Bearer {raw}"}).status_code == 200
    token_id = re.search(r"/account/tokens/(\d+)/revoke", made.text).group(1)
    client.post(f"/account/tokens/{token_id}/revoke", data={"csrf_token": csrf_from(made.text)})
    assert client.get("/api/auth/me", headers={"Authorization": f"Bearer {raw}"}).status_code == 401


def api_routes(routes):
    for route in routes:
        included = getattr(route, "original_router", None)
        if included is not None:
            yield from api_routes(included.routes)
        elif hasattr(route, "dependant"):
            yield route


def test_every_form_route_checks_csrf(app):
    from core.auth.csrf import verify_csrf

    unchecked = []
    routes = list(api_routes(app.routes))
    assert any(route.path == "/signin" for route in routes)
    for route in routes:
        methods = getattr(route, "methods", set()) or set()
        if route.path.startswith("/api/") or not methods & {"POST", "PUT", "PATCH", "DELETE"}:
            continue
        calls = [d.call for d in route.dependant.dependencies]
        if verify_csrf not in calls:
            unchecked.append(route.path)
    assert unchecked == []
