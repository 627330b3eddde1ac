"""The `prongsai` command as an operator runs it: its entry point with the settings of the
environment; a real process where only a process shows it (usage errors, `serve`)."""

import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from core.auth.models import Organisation, User
from core.db import make_engine
from procurement.insights.models import InsightSum
from prongsai import schema
from tests.deployment import invoke, run


@pytest.fixture
def migrated(fresh_database):
    """A migrated database (`prongsai migrate` itself runs as a process for every demo build)."""
    schema.upgrade(fresh_database)
    return fresh_database


def count(url, model):
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            return session.exec(select(func.count()).select_from(model)).one()
    finally:
        engine.dispose()


def test_unknown_argument_prints_usage_and_exits_2(tmp_path):
    result = run("serve", "--colour", "blue", data_dir=tmp_path)
    assert result.returncode == 2
    assert "usage: prongsai" in result.stderr
    assert "unrecognized arguments: --colour blue" in result.stderr


def test_malformed_setting_stops_with_one_line_naming_it(tmp_path):
    result = invoke("migrate", data_dir=tmp_path, env_extra={"PRONGSAI_DEFAULT_LOCALE": "xx"})
    assert result.returncode == 1
    assert result.stderr.strip().count("\n") == 0
    assert "PRONGSAI_DEFAULT_LOCALE" in result.stderr


def test_demo_has_every_role_and_is_rerunnable_without_duplicates(demo_deployment):
    url, data_dir = demo_deployment
    organisations, users = count(url, Organisation), count(url, User)
    assert organisations >= 9
    assert users >= 12
    engine = make_engine(url)
    with Session(engine) as session:
        roles = set(session.exec(select(User.role)))
    engine.dispose()
    assert {"buyer", "supplier", "permit_officer", "applicant", "auditor", "admin"} <= roles
    again = invoke("demo", database_url=url, data_dir=data_dir)
    assert again.returncode == 0, again.stderr
    assert "0 organisations and 0 users created" in again.stdout
    assert (count(url, Organisation), count(url, User)) == (organisations, users)


def test_user_create_reads_the_password_from_stdin(migrated, tmp_path):
    result = invoke(
        "user",
        "create",
        "--email",
        "Auditor@Example.org",
        "--name",
        "A. Auditor",
        "--role",
        "auditor",
        "--password-stdin",
        stdin="a long enough password\n",
        database_url=migrated,
        data_dir=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert "auditor@example.org" in result.stdout
    again = invoke(
        "user",
        "create",
        "--email",
        "auditor@example.org",
        "--name",
        "Twice",
        "--role",
        "auditor",
        "--password-stdin",
        stdin="a long enough password\n",
        database_url=migrated,
        data_dir=tmp_path,
    )
    assert again.returncode == 1
    assert "already exists" in again.stderr
    assert count(migrated, User) == 1


def test_user_create_with_a_bad_role_or_organisation_is_refused(migrated, tmp_path):
    bad_role = invoke(
        "user",
        "create",
        "--email",
        "x@example.org",
        "--name",
        "X",
        "--role",
        "king",
        "--password-stdin",
        stdin="a long enough password\n",
        database_url=migrated,
        data_dir=tmp_path,
    )
    assert bad_role.returncode == 2
    assert "invalid choice: 'king'" in bad_role.stderr
    no_org = invoke(
        "user",
        "create",
        "--email",
        "x@example.org",
        "--name",
        "X",
        "--role",
        "buyer",
        "--organisation",
        "ghost",
        "--password-stdin",
        stdin="a long enough password\n",
        database_url=migrated,
        data_dir=tmp_path,
    )
    assert no_org.returncode == 1
    assert "No organisation has the slug 'ghost'" in no_org.stderr
    assert count(migrated, User) == 0


def test_serve_refuses_a_database_that_is_not_migrated(fresh_database, tmp_path):
    result = run("serve", "--port", "8999", database_url=fresh_database, data_dir=tmp_path)
    assert result.returncode == 1
    assert "Run `prongsai migrate` first" in result.stderr


def test_org_create_and_user_invite_as_an_operator(migrated, tmp_path):
    common = {"database_url": migrated, "data_dir": tmp_path}
    made = invoke(
        "org", "create", "--slug", "nan-province", "--name", "Nan Province", "--kind",
        "buying_entity", "--reason", "new buying entity joins", **common,
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    assert "nan-province" in made.stdout
    again = invoke(
        "org", "create", "--slug", "nan-province", "--name", "Again", "--kind", "department",
        **common,
    )  # fmt: skip
    assert again.returncode == 1
    assert "already exists" in again.stderr
    invited = invoke(
        "user", "invite", "--email", "lead@nan.example", "--name", "Khun Lead", "--role",
        "buyer", "--organisation", "nan-province", "--lead", **common,
    )  # fmt: skip
    assert invited.returncode == 0, invited.stderr
    mails = list((tmp_path / "outbox").glob("accounts-*.eml"))
    assert len(mails) == 1
    assert "/invitation?token=" in mails[0].read_text()
    from email import message_from_bytes, policy

    body = message_from_bytes(mails[0].read_bytes(), policy=policy.default).get_content()
    assert "as buyer of Nan Province" in body  # the role in words, in each language
    assert "เจ้าหน้าที่จัดซื้อจัดจ้าง" in body
    assert "permit_officer" not in body
    wrong = invoke(
        "user", "invite", "--email", "x@nan.example", "--name", "Khun X", "--role", "applicant",
        "--organisation", "nan-province", **common,
    )  # fmt: skip
    assert wrong.returncode == 1
    assert "belongs to no organisation" in wrong.stderr
    engine = make_engine(migrated)
    try:
        with Session(engine) as session:
            lead = session.exec(select(User).where(User.email == "lead@nan.example")).one()
            assert lead.is_lead
            assert lead.email_verified_at is None  # until they follow the link
            assert (
                session.exec(select(Organisation).where(Organisation.slug == "nan-province"))
                .one()
                .status
                == "active"
            )
    finally:
        engine.dispose()


def totals(url):
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            rows = session.exec(select(InsightSum)).all()
            return {
                tuple(r.model_dump().values()) for r in rows if (r.n1, r.n2, r.n3, r.n4) != (0,) * 4
            }
    finally:
        engine.dispose()


def test_insights_rebuild_gives_the_totals_the_demo_built(demo_deployment):
    url, data_dir = demo_deployment
    built = totals(url)
    assert built  # `prongsai demo` reads its tenders in at once
    result = invoke("insights", "rebuild", database_url=url, data_dir=data_dir)
    assert result.returncode == 0, result.stderr
    assert "tenders read into the aggregates" in result.stdout
    assert totals(url) == built
    again = invoke("insights", "refresh", database_url=url, data_dir=data_dir)
    assert again.returncode == 0, again.stderr
    assert totals(url) == built
