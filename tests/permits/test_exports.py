"""The BLDS downloads (/api/permits/export.json|csv) stream the very bytes the full pass
answered before (tests/permits/export_reference.py), read a batch at a time: on the demo and
on applications in every state, officers named either way, and nothing personal in them."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, select

from core.db import make_engine
from core.settings import Settings
from permits import exports, overdue, service
from permits.models import Application
from permits.rules import Action
from tests.conftest import demo_clone, drop_database
from tests.permits import export_reference as reference
from tests.permits import factories


@pytest.fixture(params=["name", "badge"])
def settings(settings, request):
    """The officers shown by name, as by default, and by badge number."""
    return settings.model_copy(update={"permits_officer_display": request.param})


def _bodies(session: Session, settings: Settings, now: datetime) -> tuple[str, str]:
    """The two downloads' bodies, as streamed, read from `session`."""
    read = exports.rows
    return (
        "".join(exports.json_chunks(read(session, settings=settings, now=now))),
        "".join(exports.csv_chunks(read(session, settings=settings, now=now))),
    )


@pytest.fixture
def states(session, clock, settings, health_officer):
    """Six food applications: in progress, paused, approved, rejected, withdrawn, and one
    overdue with its delay explained and an extension."""
    apps = [factories.food_application(session, now=clock(), settings=settings) for _ in range(6)]
    numbers = [a.tracking_number for a in apps]

    def act(n: int, action: Action, **extra) -> None:
        service.act(
            session,
            number=numbers[n],
            action=action,
            actor=health_officer,
            now=clock(),
            settings=settings,
            **extra,
        )

    service.claim(
        session, number=numbers[0], officer=health_officer, now=clock(), settings=settings
    )
    act(0, Action.ADVANCE)
    act(1, Action.REQUEST_INFORMATION, note="The floor plan is missing")
    act(2, Action.ADVANCE)
    act(2, Action.ADVANCE)
    act(2, Action.APPROVE)
    act(3, Action.REJECT, note="Not a food business")
    owner = session.get(type(health_officer), apps[4].applicant_id)
    service.act(
        session,
        number=numbers[4],
        action=Action.WITHDRAW,
        actor=owner,
        now=clock(),
        settings=settings,
    )
    act(5, Action.ADVANCE)
    clock.advance(days=25)
    overdue.mark_overdue(session, now=clock(), settings=settings)
    service.explain_delay(
        session,
        number=numbers[5],
        officer=health_officer,
        now=clock(),
        settings=settings,
        reason="Inspector on leave",
    )
    act(5, Action.EXTEND, note="A second visit", expected_date=clock().date() + timedelta(days=9))
    clock.advance(days=2)
    return numbers


def test_the_streamed_export_equals_the_full_pass_in_every_state(
    client, session, clock, settings, states, monkeypatch
):
    monkeypatch.setattr(exports, "BATCH", 4)  # two batches, the second short
    monkeypatch.setattr(exports, "CHUNK", 500)  # several chunks each
    rows = reference.export_rows(session, settings=settings, now=clock())
    by_number = {r["PermitNum"]: r for r in rows}
    assert [by_number[n]["OriginalStatus"] for n in states] == [
        "in_progress",
        "paused",
        "approved",
        "rejected",
        "withdrawn",
        "in_progress",
    ]
    late = by_number[states[5]]["StageHistory"][-1]
    assert late["delay_reason"] == "Inspector on leave"
    assert late["delay_days"] > 0  # against the original due date, the extension aside
    assert by_number[states[0]]["StageHistory"][0]["officer"]  # claimed: a public label

    json_response = client.get("/api/permits/export.json")
    assert json_response.headers["content-type"] == "application/json"
    assert json_response.text == reference.json_body(rows)
    csv_response = client.get("/api/permits/export.csv")
    assert csv_response.headers["content-type"] == "text/csv; charset=utf-8"
    assert csv_response.headers["content-disposition"] == 'attachment; filename="permits.csv"'
    assert csv_response.text == reference.csv_body(rows)
    for marker in (factories.SECRET_NAME, factories.SECRET_PHONE, factories.SECRET_ADDRESS):
        assert marker not in json_response.text
        assert marker not in csv_response.text


@pytest.mark.usefixtures("setup")
def test_no_application_is_an_empty_export(session, clock, settings):
    assert _bodies(session, settings, clock()) == (
        reference.json_body([]),
        reference.csv_body([]),
    )


@pytest.fixture
def demo_url(demo_golden, tmp_path_factory, tmp_path):
    url = demo_clone(demo_golden, tmp_path_factory, tmp_path)
    yield url
    drop_database(url)


def test_the_demo_exports_what_the_full_pass_did(demo_url, monkeypatch):
    """Every fifth application of the demo, field for field and byte for byte (the full pass
    takes 3 ms an application: the whole demo would take a second)."""
    monkeypatch.setattr(exports, "BATCH", 128)
    engine = make_engine(demo_url)
    try:
        with Session(engine) as session:
            now = datetime.now(UTC)
            settings = Settings(secret_key="s" * 32)  # officers by name (badges: above)
            streamed = list(exports.rows(session, settings=settings, now=now))
            assert len(streamed) >= 100
            sample = sorted(session.exec(select(Application.id)).all())[::5]
            rows = reference.export_rows(session, settings=settings, now=now, ids=sample)
            numbers = {r["PermitNum"] for r in rows}
            chosen = [r for r in streamed if r["PermitNum"] in numbers]
            assert len({r["OriginalStatus"] for r in rows}) >= 4
            assert [json.loads(reference.json_body([r])) for r in rows] == [
                json.loads("".join(exports.json_chunks([r]))) for r in chosen
            ]
            assert "".join(exports.json_chunks(chosen)) == reference.json_body(rows)
            assert "".join(exports.csv_chunks(chosen)) == reference.csv_body(rows)
    finally:
        engine.dispose()
