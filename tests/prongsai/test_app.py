import logging

import pytest
from fastapi import APIRouter


def test_healthz_reports_database_and_schema_head(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["schema_revision"] == body["schema_head"] is not None


def test_home_page_is_served_with_security_headers(client):
    response = client.get("/")
    assert response.status_code == 200
    assert "Public money and public permits" in response.text
    csp = response.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp
    assert "default-src 'self'" in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"


def test_openapi_docs_are_served_without_any_cdn(client):
    docs = client.get("/api/docs")
    assert docs.status_code == 200
    assert "/api/docs/assets/swagger-ui-bundle.js" in docs.text
    assert "cdn" not in docs.text.lower()
    assert client.get("/api/docs/assets/swagger-ui-bundle.js").status_code == 200
    spec = client.get("/api/openapi.json").json()
    assert "/api/auth/tokens" in spec["paths"]


def test_unknown_page_is_an_html_404_and_unknown_api_path_is_json(client):
    page = client.get("/no/such/page")
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    assert "There is nothing at /no/such/page" in page.text
    api = client.get("/api/no-such-thing")
    assert api.status_code == 404
    assert api.json() == {"detail": "There is nothing at /api/no-such-thing."}


@pytest.mark.usefixtures("settings", "engine", "clock")
def test_an_unexpected_error_shows_no_stack_trace(app):
    from fastapi.testclient import TestClient

    router = APIRouter()

    @router.get("/api/test/boom")
    def boom_api():
        raise RuntimeError("secret internals at line 42")

    @router.get("/test/boom")
    def boom_page():
        raise RuntimeError("secret internals at line 42")

    app.include_router(router)
    with TestClient(app, base_url="https://testserver", raise_server_exceptions=False) as client:
        for path in ("/api/test/boom", "/test/boom"):
            response = client.get(path)
            assert response.status_code == 500
            assert "secret internals" not in response.text
            assert "Traceback" not in response.text
            assert "unexpected error" in response.text


def test_request_log_records_the_path_but_never_the_body(client, caplog):
    with caplog.at_level(logging.INFO, logger="prongsai.request"):
        client.post(
            "/api/auth/tokens?x=leak-query",
            json={"email": "someone@test.example", "password": "body-secret-123"},
        )
    lines = [r.getMessage() for r in caplog.records if r.name == "prongsai.request"]
    assert any(line.startswith("POST /api/auth/tokens 401") for line in lines)
    assert not any(
        "body-secret" in line or "someone@" in line or "leak-query" in line for line in lines
    )


def test_directories_list_organisations_with_a_json_twin(client, session, clock):
    from core.auth.models import OrganisationKind
    from tests import factories

    department = factories.organisation(session, kind=OrganisationKind.DEPARTMENT, now=clock())
    page = client.get("/departments")
    assert department.name in page.text
    assert 'rel="alternate" type="application/json" href="/api/permits/departments"' in page.text
    assert department.slug in [d["slug"] for d in client.get("/api/permits/departments").json()]


def test_healthz_asks_the_database_one_cheap_question(client, engine):
    from sqlalchemy import event

    statements: list[str] = []

    def note(_conn, _cursor, statement, *_args):
        statements.append(statement)

    client.get("/healthz")  # warm: the migration head is read from disk once per process
    event.listen(engine, "before_cursor_execute", note)
    try:
        assert client.get("/healthz").status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", note)
    # (SQLite's read transaction starts with a BEGIN of its own.)
    assert [s for s in statements if s != "BEGIN"] == ["SELECT version_num FROM alembic_version"]


def test_a_server_process_freezes_what_it_holds_for_good_once_started(settings, engine):
    """What a started server holds (modules, templates, catalogues) leaves the collector's
    full passes, which stopped a request now and then; an app built per test does not."""
    import gc

    from fastapi.testclient import TestClient

    from prongsai.app import create_app

    gc.unfreeze()
    with TestClient(create_app(settings, engine=engine)):
        assert gc.get_freeze_count() == 0
    try:
        with TestClient(create_app(settings, engine=engine, freeze_after_start=True)) as client:
            assert gc.get_freeze_count() > 0
            assert client.get("/healthz").status_code == 200
    finally:
        gc.unfreeze()  # this test process goes on building apps
