import pytest
from fastapi import APIRouter, Depends

from core.auth.dependencies import require_role
from core.auth.models import Role
from tests import factories


@pytest.fixture
def supplier(session, clock):
    return factories.user(session, role=Role.SUPPLIER, now=clock())


def issue(client, user, password=factories.PASSWORD, **extra):
    return client.post(
        "/api/auth/tokens", json={"email": user.email, "password": password, **extra}
    )


def test_a_token_identifies_its_user(client, supplier):
    response = issue(client, supplier, name="bid-script")
    assert response.status_code == 201
    token = response.json()["token"]
    me = client.get("/api/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200
    assert me.json()["email"] == supplier.email
    assert me.json()["role"] == "supplier"
    assert "password_hash" not in me.text


def test_wrong_password_gets_401_with_a_message_and_no_token(client, supplier):
    response = issue(client, supplier, password="not the password")
    assert response.status_code == 401
    assert response.json()["detail"] == "Wrong email or password."
    assert "token" not in response.json()


def test_missing_and_malformed_credentials_say_what_to_send(client):
    response = client.get("/api/auth/me")
    assert response.status_code == 401
    assert "Authorization: Bearer" in response.json()["detail"]
    assert response.headers["www-authenticate"] == "Bearer"
    response = client.get("/api/auth/me", headers={"Authorization": "Basic abc"})
    assert response.status_code == 401
    assert "Bearer" in response.json()["detail"]


def test_revoked_token_is_refused_at_once(client, supplier):
    issued = issue(client, supplier).json()
    headers = {"Authorization": f"Bearer {issued['token']}"}
    assert client.delete(f"/api/auth/tokens/{issued['id']}", headers=headers).status_code == 200
    response = client.get("/api/auth/me", headers=headers)
    assert response.status_code == 401
    assert "revoked" in response.json()["detail"]


def test_expired_token_is_refused(client, supplier, clock):
    issued = issue(client, supplier, expires_in_days=1).json()
    clock.advance(days=1)
    response = client.get("/api/auth/me", headers={"Authorization": f"Bearer {issued['token']}"})
    assert response.status_code == 401
    assert "expired" in response.json()["detail"]


def test_token_list_never_shows_secrets(client, supplier):
    issued = issue(client, supplier).json()
    listed = client.get("/api/auth/tokens", headers={"Authorization": f"Bearer {issued['token']}"})
    assert listed.status_code == 200
    assert issued["token"] not in listed.text
    assert [t["id"] for t in listed.json()] == [issued["id"]]


def test_failed_signins_slow_the_address_they_come_from(client, supplier):
    # The test settings allow 5 failed attempts a minute.
    for _ in range(5):
        assert issue(client, supplier, password="guess guess").status_code == 401
    response = issue(client, supplier)  # from the guessing address, even the right one waits
    assert response.status_code == 429
    assert "Too many failed sign-in attempts from your address" in response.json()["detail"]
    assert int(response.headers["retry-after"]) >= 1


def test_the_owner_is_not_locked_out_by_a_guesser_and_is_told_once_by_email(
    app, client, supplier, session, connection, clock, monkeypatch
):
    from fastapi.testclient import TestClient
    from sqlmodel import select

    from core.auth.models import AccountMail

    for _ in range(12):  # past the limit, from the guesser's address
        assert issue(client, supplier, password="guess guess").status_code in (401, 429)
    with TestClient(app, base_url="https://testserver", client=("198.51.100.7", 4000)) as owner:
        assert issue(owner, supplier).status_code == 201
    notices = session.exec(select(AccountMail)).all()
    assert [n.to_email for n in notices] == [supplier.email]
    assert "you can still sign in" in notices[0].body
    from sqlmodel import Session

    from core.auth import jobs
    from core.scheduler import JobContext

    monkeypatch.setattr(
        jobs,
        "Session",
        lambda _: Session(bind=connection, join_transaction_mode="create_savepoint"),
    )
    settings = app.state.settings
    jobs.send_mail(JobContext(engine=None, settings=settings, clock=clock))
    [sent] = (settings.data_dir / "outbox").glob("accounts-*.eml")
    assert supplier.email in sent.read_text()


def test_x_forwarded_for_names_the_client_only_from_a_trusted_proxy(
    app, settings, engine, clock, supplier
):
    from fastapi.testclient import TestClient

    from prongsai.app import create_app

    def guesses(application) -> list[int]:
        with TestClient(application, base_url="https://testserver", client=("10.0.0.2", 1)) as c:
            return [
                c.post(
                    "/api/auth/tokens",
                    json={"email": supplier.email, "password": "guess guess"},
                    headers={"x-forwarded-for": f"203.0.113.{n}"},
                ).status_code
                for n in range(7)
            ]

    assert guesses(app)[5:] == [429, 429]  # the header is not believed: one address
    behind_proxy = create_app(
        settings.model_copy(update={"trusted_proxies": "10.0.0.0/8"}), clock=clock, engine=engine
    )
    behind_proxy.dependency_overrides = app.dependency_overrides
    assert guesses(behind_proxy) == [401] * 7  # each forwarded address is a client of its own


def test_role_check_is_a_dependency_answering_403_with_the_needed_role(app, client, session, clock):
    router = APIRouter()

    @router.get("/api/test/buyers-only", dependencies=[Depends(require_role(Role.BUYER))])
    def buyers_only():
        return {"ok": True}

    app.include_router(router)
    supplier = factories.user(session, role=Role.SUPPLIER, now=clock())
    buyer = factories.user(session, role=Role.BUYER, now=clock())
    supplier_token = issue(client, supplier).json()["token"]
    buyer_token = issue(client, buyer).json()["token"]
    denied = client.get(
        "/api/test/buyers-only", headers={"Authorization": f"Bearer {supplier_token}"}
    )
    assert denied.status_code == 403
    assert "needs the role: buyer" in denied.json()["detail"]
    allowed = client.get(
        "/api/test/buyers-only", headers={"Authorization": f"Bearer {buyer_token}"}
    )
    assert allowed.json() == {"ok": True}
    assert client.get("/api/test/buyers-only").status_code == 401


def test_malformed_body_is_a_422_naming_the_field(client):
    response = client.post("/api/auth/tokens", json={"email": "a@b.example"})
    assert response.status_code == 422
    assert "Password: This is required" in response.json()["detail"]  # by its label
    assert response.json()["errors"][0]["field"] == "password"  # by its path, for programs
