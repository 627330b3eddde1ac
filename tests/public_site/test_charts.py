"""Charts: accessible SVG with its data table beside it, and downloads of exactly that data."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime

import pytest

from permits import service as permit_service
from permits.rules import Action
from public_site.svg import Chart, nice_ceiling
from tests.permits import factories as permit_factories
from tests.public_site.procurement_world import DAY, World, cells

APPLIED = datetime(2026, 6, 8, 3, 0, tzinfo=UTC)  # Monday; no Thai holiday until 19 June
TABLES = (
    "awarded_by_month",
    "awarded_by_category",
    "top_suppliers",
    "bidders_per_tender",
    "permit_processing_days",
    "permit_processing_trend",
)


@pytest.fixture
def world(session, settings, clock):
    return World(session, settings, clock())


@pytest.fixture
def decided_permit(session, settings, clock):
    """A food licence applied for on 8 June and approved on 19 June: 9 business days."""
    permit_factories.departments(session, now=clock())
    officer = permit_factories.officer(session, department="bma-health", now=clock())
    number = permit_factories.food_application(
        session, now=APPLIED, settings=settings
    ).tracking_number
    for at, action in (
        (APPLIED + DAY, Action.ADVANCE),
        (APPLIED + 8 * DAY, Action.ADVANCE),
        (APPLIED + 11 * DAY, Action.APPROVE),
    ):
        permit_service.act(
            session, number=number, action=action, actor=officer, now=at, settings=settings
        )
    permit_factories.refresh_figures(session, settings=settings, now=APPLIED + 11 * DAY)
    return number


@pytest.fixture
def awards(world):
    buyer = world.buyer()
    big, small = world.supplier("Big Co., Ltd."), world.supplier("Small Co., Ltd.")
    march = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)
    world.tender(buyer, published=march, bids=[(big, 500_000), (small, 600_000)])
    world.tender(buyer, published=march, bids=[(big, 250_000)])
    world.tender(buyer, published=march + 30 * DAY, bids=[(small, 100_000), (big, 120_000)])


@pytest.mark.usefixtures("awards", "decided_permit")
def test_every_chart_is_an_accessible_svg_with_its_table(client):
    page = client.get("/charts")
    assert page.status_code == 200
    assert page.text.count('role="img"') == len(TABLES)
    for name in TABLES:
        ident = name.replace("_", "-")
        assert f'aria-labelledby="{ident}-title {ident}-desc"' in page.text
        assert f'<title id="{ident}-title">' in page.text
        assert f'<table id="data-{name}">' in page.text
        assert f"table={name}" in page.text
        assert "format=csv" in page.text
    assert "<script" not in page.text.split("<main")[1]


@pytest.mark.usefixtures("awards")
def test_spending_suppliers_and_bidders_add_up(client):
    data = client.get("/charts?format=json").json()["tables"]
    months = {r["month"]: r for r in data["awarded_by_month"]}
    # both March tenders are awarded when opened (20 days later, in March); the April one too
    assert sum(r["awards"] for r in months.values()) == 3
    assert sum(float(r["value"]) for r in months.values()) == 500_000 + 250_000 + 100_000
    assert data["awarded_by_category"] == [
        {"category": "works", "currency": "THB", "awards": 3, "value": "850000.00"}
    ]
    top = data["top_suppliers"]
    assert [r["supplier"] for r in top] == ["Big Co., Ltd.", "Small Co., Ltd."]
    assert top[0]["value"] == "750000.00"
    assert top[0]["awards"] == 2
    bidders = {r["bidders"]: r["tenders"] for r in data["bidders_per_tender"]}
    assert bidders["1"] == 1
    assert bidders["2"] == 2
    assert bidders["0"] == 0


@pytest.mark.usefixtures("awards", "decided_permit")
def test_each_download_is_exactly_its_table(client):
    page = client.get("/charts").text
    for name in TABLES:
        as_csv = client.get(f"/charts?format=csv&table={name}")
        assert as_csv.status_code == 200
        rows = list(csv.reader(io.StringIO(as_csv.text)))
        assert rows[1:] == cells(page, name), name
        as_json = client.get(f"/charts?format=json&table={name}").json()
        assert as_json["table"] == name
        assert as_json["columns"] == rows[0]
        assert [
            [str(v) if v is not None else "" for v in r.values()] for r in as_json["rows"]
        ] == rows[1:], name


@pytest.mark.usefixtures("decided_permit")
def test_permit_processing_time_distribution_and_trend(client):
    data = client.get("/charts?format=json").json()["tables"]
    buckets = {r["days"]: r["applications"] for r in data["permit_processing_days"]}
    assert buckets["6–10"] == 1
    assert sum(buckets.values()) == 1
    assert data["permit_processing_trend"] == [
        {"month": "2026-06", "decided": 1, "median_days": 9.0}
    ]
    only_2025 = client.get("/charts?year=2025&format=json").json()
    assert only_2025["tables"]["permit_processing_trend"] == []
    assert only_2025["period"] == "the calendar year 2025"
    assert "No data for this period." in client.get("/charts?year=2025").text


@pytest.mark.usefixtures("awards", "decided_permit")
def test_no_personal_data_in_charts(client):
    everything = client.get("/charts").text + json.dumps(client.get("/charts?format=json").json())
    for secret in (
        permit_factories.SECRET_NAME,
        permit_factories.SECRET_PHONE,
        permit_factories.SECRET_EMAIL,
        "@private.example",
        "Secret Soi",
    ):
        assert secret not in everything


def test_svg_scale_and_escaping():
    assert nice_ceiling(0) == 1
    assert nice_ceiling(3) == 5
    assert nice_ceiling(118.2) == 200
    svg = Chart("c", ["<b>&"], [5.0]).render("Title <x>", "Desc")
    assert "<b>&" not in svg
    assert "&lt;b&gt;&amp;" in svg
    assert "Title &lt;x&gt;" in svg
    empty = Chart("e", [], [], kind="hbars").render("T", "D", "Nothing here")
    assert "Nothing here" in empty
