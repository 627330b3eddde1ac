import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from fastapi.testclient import TestClient
from sqlalchemy import inspect

from core.db import make_engine
from core.settings import Settings
from prongsai import schema
from prongsai.app import create_app
from prongsai.models import metadata


def test_upgrade_downgrade_upgrade_round_trip(fresh_database):
    engine = make_engine(fresh_database)
    try:
        schema.upgrade(fresh_database)
        tables = set(inspect(engine).get_table_names())
        assert {"auth_organisation", "auth_user", "auth_token"} <= tables
        schema.downgrade(fresh_database, "base")
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        schema.upgrade(fresh_database)
        assert schema.current_revision(engine) == schema.head_revision()
    finally:
        engine.dispose()


def test_models_and_migrations_do_not_drift(engine):
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, metadata) == []


def test_app_refuses_to_serve_a_database_behind_the_head(fresh_database, tmp_path):
    engine = make_engine(fresh_database)
    try:
        settings = Settings(data_dir=tmp_path, database_url=fresh_database, secret_key="k" * 32)
        app = create_app(settings, engine=engine)
        with pytest.raises(schema.SchemaNotCurrent, match="prongsai migrate"), TestClient(app):
            pass
        health = TestClient(app).get("/healthz")  # no lifespan: the probe still answers
        assert health.status_code == 503
        assert health.json()["action"] == "Run `prongsai migrate`."
    finally:
        engine.dispose()
