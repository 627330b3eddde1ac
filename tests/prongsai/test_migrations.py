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


def test_this_weeks_migrations_go_down_and_up_over_real_records(demo_deployment):
    """Over the demo's records (contracts referring to awards, stages to applications), the
    newest migrations go down and up again and keep what they copy: a table that others refer
    to may not be copied (SQLite's way to change a column) while foreign keys are enforced."""
    demo_copy, _folder = demo_deployment
    engine = make_engine(demo_copy)
    try:
        copies = (
            "SELECT a.tracking_number, a.current_stage, a.current_department_id, a.current_due_at"
            " FROM permits_application a ORDER BY a.id",
            "SELECT w.id, w.buyer_id FROM procurement_award w ORDER BY w.id",
        )
        with engine.connect() as connection:
            before = [connection.exec_driver_sql(sql).all() for sql in copies]
        assert any(row[1] for row in before[0])
        assert all(row[1] for row in before[1])
        schema.downgrade(demo_copy, "0015_permit_aggregates")
        assert "buyer_id" not in {
            c["name"] for c in inspect(engine).get_columns("procurement_award")
        }
        schema.upgrade(demo_copy)
        with engine.connect() as connection:
            assert [connection.exec_driver_sql(sql).all() for sql in copies] == before
    finally:
        engine.dispose()
