"""Rankings: departments by timeliness, buyers by competition, each with definition and period."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest

from permits import service
from permits.rules import Action
from tests.permits import factories as permit_factories
from tests.public_site.procurement_world import DAY, World, cells

APPLIED = datetime(2026, 6, 8, 3, 0, tzinfo=UTC)  # a Monday with no holiday for two weeks


@pytest.fixture
def world(session, settings, clock):
    return World(session, settings, clock())


@pytest.fixture
def health(session, settings, clock):
    """bma-health: two stages ended (one on time, one late), one stage open."""
    permit_factories.departments(session, now=clock())
    officer = permit_factories.officer(session, department="bma-health", now=clock())
    application = permit_factories.food_application(session, now=APPLIED, settings=settings)
    number = application.tracking_number
    service.act(
        session,
        number=number,
        action=Action.ADVANCE,
        actor=officer,
        now=APPLIED + DAY,
        settings=settings,
    )  # intake: due in 2 business days
    service.act(
        session,
        number=number,
        action=Action.ADVANCE,
        actor=officer,
        now=APPLIED + 40 * DAY,
        settings=settings,
    )  # inspection: 10 days, late
    permit_factories.refresh_figures(session, settings=settings, now=APPLIED + 40 * DAY)
    return number


@pytest.mark.usefixtures("health")
def test_departments_ranked_by_on_time_share_with_definition_and_period(client):
    page = client.get("/rankings")
    assert page.status_code == 200
    data = client.get("/rankings?format=json").json()
    rows = {r["department"]: r for r in data["tables"]["departments"]}
    health_row = rows["Dept bma-health"]
    assert health_row["completed"] == 2
    assert health_row["on_time"] == 1
    assert health_row["on_time_share"] == 50.0
    assert health_row["backlog"] == 1  # the decision stage
    assert health_row["rank"] == 1  # the others completed nothing
    assert rows["Dept bma-public-works"]["on_time_share"] is None
    assert "Definition:" in page.text
    assert "legal due date" in page.text
    assert "Period:" in page.text
    assert "all records up to 2026-11-26" in page.text
    assert "Ranked by on-time share" in data["definitions"]["departments"]
    assert 'role="img"' in page.text


@pytest.mark.usefixtures("health")
def test_a_year_without_records_ranks_nothing_completed(client):
    data = client.get("/rankings?year=2025&rank_by=median&format=json").json()
    assert data["period"] == "the calendar year 2025"
    assert all(r["completed"] == 0 for r in data["tables"]["departments"])
    assert "median days (fewest first)" in data["definitions"]["departments"]


@pytest.mark.usefixtures("session")
def test_buyers_ranked_by_competition(client, world):
    busy, lonely = world.buyer("Busy Office"), world.buyer("Lonely Office")
    a, b, c = (world.supplier(f"Firm {n} Co., Ltd.") for n in "ABC")
    world.tender(busy, bids=[(a, 100_000), (b, 110_000)])
    world.tender(busy, bids=[(a, 100_000), (b, 110_000), (c, 120_000)])
    world.tender(lonely, bids=[(c, 100_000)])
    world.tender(lonely, bids=[], title="Not opened yet")
    data = client.get("/rankings?format=json").json()
    rows = data["tables"]["buyers"]
    assert [r["buyer"].split(" Office")[0] for r in rows] == ["Busy", "Lonely"]
    assert rows[0]["average_bidders"] == 2.5
    assert rows[0]["single_bid_share"] == 0.0
    assert rows[1]["opened_tenders"] == 1  # the tender not yet opened does not count
    assert rows[1]["single_bid_tenders"] == 1
    assert rows[1]["single_bid_share"] == 100.0
    page = client.get("/rankings").text
    download = client.get("/rankings?format=csv&table=buyers").text
    assert list(csv.reader(io.StringIO(download)))[1:] == cells(page, "buyers")
    assert "average number of bidders per opened tender" in page


def test_bad_filters_name_the_field(client):
    response = client.get("/rankings?rank_by=speed")
    assert response.status_code == 422
    assert "rank_by" in response.text
    response = client.get("/rankings?year=1800")
    assert response.status_code == 422
    assert "year" in response.text
    response = client.get("/rankings?format=csv")
    assert response.status_code == 422
    assert "table" in response.text
