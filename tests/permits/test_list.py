"""The public list of permits: every filter and order gives what a full read of the record
gives, page after page to the end; counts stop at 10,000 and say so; cursors and page numbers
past the depth are refused with a message, never a 500.

The reference reads each application's open stage from the stages themselves, so it also
checks the copy of the stage in progress kept on the application (permits.record.follow_stage)
after every kind of change; tests/permits/test_insight_aggregates.py calls it after its changes.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlmodel import Session, col, select

from core.auth.models import Organisation, OrganisationKind
from core.settings import Settings
from permits import listing
from permits.models import Application, ApplicationStatus, Stage
from permits.views import public
from tests.permits import factories
from tests.public_site.demo_site import demo_site  # noqa: F401

SETTINGS = Settings(secret_key="s" * 32)


def record(session: Session) -> list[tuple]:
    """Every application with its open stage (or None) and that stage's department slug."""
    slugs = dict(session.exec(select(Organisation.id, Organisation.slug)).all())
    open_stages = {
        s.application_id: s
        for s in session.exec(select(Stage).where(col(Stage.ended_at).is_(None)))
    }
    return [
        (a, stage, slugs[stage.department_id] if stage else None)
        for a in session.exec(select(Application))
        for stage in [open_stages.get(a.id)]
    ]


def reference(applications: list[tuple], *, now: datetime, **filters) -> list[tuple]:
    """The list as a full read of every application and its open stage gives it."""
    rows = []
    for a, stage, department in applications:
        due = stage.due_at if stage else None
        late = bool(due and due <= now and a.status == ApplicationStatus.IN_PROGRESS)
        if (
            (filters.get("type_code") and a.type_code != filters["type_code"])
            or (filters.get("department") and department != filters["department"])
            or (filters.get("status") and a.status != filters["status"])
            or (filters.get("overdue") is not None and late != filters["overdue"])
            or (filters.get("since") and a.updated_at < filters["since"])
        ):
            continue
        if filters.get("since"):
            key: tuple = (a.updated_at, a.id)
        elif filters.get("overdue"):
            key = (due, a.id)
        else:
            key = (-a.submitted_at.timestamp(), -a.id)
        rows.append(
            (key, (a.tracking_number, a.status, stage and stage.code, department, due, late))
        )
    return [row for _, row in sorted(rows, key=lambda item: item[0])]


def walked(session: Session, *, now: datetime, per_page: int, **filters) -> tuple[list, int]:
    """Every row of the list, following `next` from the first page; its total."""
    rows, after, total = [], None, None
    while True:
        page = listing.page(
            session, settings=SETTINGS, now=now, after=after, per_page=per_page, **filters
        )
        total = page.total if total is None else total
        rows += [
            (i.tracking_number, i.status, i.current_stage, i.department, i.due_at, i.overdue)
            for i in page.items
        ]
        if page.next is None:
            return rows, total
        after = page.next.split("after=")[1].split("&")[0]


def assert_same_lists(session: Session, *, now: datetime) -> None:
    """Every filter of the public list, walked to its end, equals the full read."""
    types = sorted(set(session.exec(select(Application.type_code)).all()))
    departments = session.exec(
        select(Organisation.slug).where(Organisation.kind == OrganisationKind.DEPARTMENT)
    ).all()
    since = now - timedelta(days=3)
    shapes: list[dict] = [
        {},
        {"overdue": True},
        {"overdue": False},
        {"since": since},
        {"since": since, "status": "in_progress"},
        *({"status": s} for s in ApplicationStatus),
        *({"type_code": t} for t in types),
        *({"type_code": t, "overdue": True} for t in types[:2]),
        *({"department": d} for d in departments),
        *({"department": d, "status": "in_progress", "overdue": True} for d in departments),
        {"department": "no-such-department"},
    ]
    applications = record(session)
    for filters in shapes:
        expected = reference(applications, now=now, **filters)
        rows, total = walked(session, now=now, per_page=40, **filters)
        assert rows == expected, filters
        if filters and list(filters) != ["status"]:  # counted, not from the running totals
            assert total == len(expected), filters
    # Page numbers give the same rows as the cursor, page for page.
    first = listing.page(session, settings=SETTINGS, now=now, number=2, per_page=7, status=None)
    rows, _ = walked(session, now=now, per_page=7)
    assert [i.tracking_number for i in first.items] == [r[0] for r in rows[7:14]]


def test_counts_stop_at_the_cap_and_say_so(session, monkeypatch, clock, setup, tmp_path):  # noqa: ARG001
    settings = Settings(secret_key="s" * 32, data_dir=tmp_path)
    for _ in range(3):
        factories.food_application(session, now=clock(), settings=settings)
    monkeypatch.setattr(listing, "COUNT_CAP", 2)
    page = listing.page(session, settings=SETTINGS, now=clock(), type_code="FOD", per_page=1)
    assert (page.total, page.total_exact) == (2, False)
    assert page.next is not None
    monkeypatch.setattr(listing, "COUNT_CAP", 3)
    page = listing.page(session, settings=SETTINGS, now=clock(), type_code="FOD", per_page=1)
    assert (page.total, page.total_exact) == (3, True)


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("after=garbage", "after"),
        ("after=s1-" + "9" * 19, "after"),  # past 64 bits
        ("after=s" + "9" * 17 + "-1", "after"),
        ("after=s1%00-1", "after"),
        ("overdue=true&after=s1700000000000000-5", "after"),  # a newest-first cursor
        ("page=201", "page"),
        ("page=41&per_page=250", "per_page"),
        ("page=51&per_page=200", "page"),
    ],
)
def test_cursors_and_pages_past_the_depth_are_refused_plainly(demo_site, query, field):  # noqa: F811
    response = demo_site.get(f"/api/permits?{query}")
    assert response.status_code == 422, response.text
    assert field in response.text
    assert "Traceback" not in response.text


def test_the_widest_cursor_reads_an_empty_page(demo_site):  # noqa: F811
    response = demo_site.get("/api/permits?after=s9999999999999999-999999999999999999")
    assert response.status_code == 200
    assert response.json()["items"][0]["tracking_number"]  # every application is older
    response = demo_site.get("/api/permits?after=s1-999999999999999999")
    assert (response.status_code, response.json()["items"]) == (200, [])


def test_the_page_follows_every_filter_from_page_to_page(demo_site, monkeypatch):  # noqa: F811
    first = demo_site.get("/api/permits", params={"per_page": 2, "status": "in_progress"}).json()
    assert first["total_exact"]
    assert first["next"].startswith("after=s")
    second = demo_site.get(f"/api/permits?{first['next']}&status=in_progress").json()
    assert second["page"] is None
    shown = {i["tracking_number"] for i in first["items"]}
    assert not shown & {i["tracking_number"] for i in second["items"]}
    assert {i["status"] for i in first["items"] + second["items"]} == {"in_progress"}

    monkeypatch.setattr(public, "LIST_PAGE", 1)
    assert "longest overdue first" in demo_site.get("/permits?overdue=true").text
    html = demo_site.get("/permits", params={"status": "in_progress", "overdue": "false"}).text
    assert "newest first" in html
    assert 'name="overdue" value="true" >' in html  # the box stays unticked
    link = html.split('rel="next" href="')[1].split('"')[0].replace("&amp;", "&")
    path, query = link.split("?")
    assert path == "/permits"
    assert sorted(query.split("&"))[1:] == ["overdue=false", "status=in_progress"]
    assert sorted(query.split("&"))[0].startswith("after=s")
    following = demo_site.get(link).text
    assert "First page" in following
    assert following.count("<tr>") == 2  # the header and one application
    page = demo_site.get("/permits", params={"department": "bma-health"}).text
    assert '<option value="bma-health" selected>' in page
    assert demo_site.get("/permits?after=nonsense").status_code == 422
