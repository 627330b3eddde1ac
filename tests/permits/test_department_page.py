"""A permit department's public page: the figures a journalist would check, and no person."""

from __future__ import annotations

import csv
import html
import io
import random
import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from core.auth.models import User
from permits import performance, service
from permits.rules import Action, Calendar
from tests.permits import factories


def facts(page: str) -> dict[str, str]:
    """The page's "Now" figures: each <dt> label with its <dd> text."""
    pairs = re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", page, flags=re.S)
    return {html.unescape(k): html.unescape(re.sub(r"<[^>]+>", "", v)).strip() for k, v in pairs}


@pytest.fixture
def history(session, clock, settings, health_officer):
    """Five food applications at bma-health, moved through the services day by day.

    Thu 26 Nov 2026 all five are filed (intake: 2 business days, due at the end of Mon 30).
    Fri 27: A's intake is advanced (1 day, on time), D is rejected at intake (1 day, on
    time), C is withdrawn by its applicant. Wed 2 Dec: E's intake is advanced, late (4 days).
    B is left in intake, overdue. The page is read on Thu 3 Dec.
    """
    apps = {
        name: factories.food_application(session, now=clock(), settings=settings)
        for name in "ABCDE"
    }
    clock.advance(days=1)

    def act(name: str, action: Action, actor: User = health_officer, note: str | None = None):
        service.act(
            session,
            number=apps[name].tracking_number,
            action=action,
            actor=actor,
            now=clock(),
            settings=settings,
            note=note,
        )

    act("A", Action.ADVANCE)
    act("D", Action.REJECT, note="The floor plan does not show the kitchen.")
    act("C", Action.WITHDRAW, actor=session.get(User, apps["C"].applicant_id))
    clock.advance(days=5)
    act("E", Action.ADVANCE)
    clock.advance(days=1)
    factories.refresh_figures(session, settings=settings, now=clock())
    return {name: a.tracking_number for name, a in apps.items()}


@pytest.mark.usefixtures("history")
def test_the_department_page_shows_its_figures_now(client):
    response = client.get("/departments/bma-health")
    assert response.status_code == 200
    figures = facts(response.text)
    assert figures["Applications received"] == "5"
    assert figures["Decided"] == "1 (approved 0, rejected 1)"
    assert figures["In progress"] == "3"
    assert figures["Withdrawn"] == "1"
    assert figures["On-time share"] == ("67% (2 of 3 stages completed on or before their due date)")
    assert figures["Median processing time"] == "1.0 business days per stage"
    assert figures["Backlog"] == "3 stages open"
    assert figures["Overdue now"] == "1"
    assert "Food-sanitation licence" in response.text
    assert "Hygiene inspection: 10 business days" in response.text


def test_the_overdue_list_links_each_application_with_the_delay_its_page_shows(client, history):
    page = client.get("/departments/bma-health").text
    overdue = page.split('id="overdue"')[1].split('id="by-month"')[0]
    numbers = re.findall(r'href="/permits/([A-Z0-9*-]+)"', overdue)
    assert numbers == [history["B"]]
    public = client.get(f"/api/permits/{history['B']}").json()
    late = public["stages"][0]["delay_days"]
    assert late == 2
    row = re.search(r"<tr><td[^>]*><a[^>]*>" + re.escape(history["B"]) + r"</a>.*?</tr>", overdue)
    assert f'<td class="num">{late}</td>' in row.group(0)
    assert "Document check" in row.group(0)
    assert "Food-sanitation licence" in row.group(0)


def test_the_overdue_list_names_the_type_and_stage_in_thai_for_a_thai_reader(client, history):
    page = client.get("/departments/bma-health", headers={"accept-language": "th"}).text
    overdue = page.split('id="overdue"')[1].split('id="by-month"')[0]
    row = re.search(r"<tr><td[^>]*><a[^>]*>" + re.escape(history["B"]) + r"</a>.*?</tr>", overdue)
    assert "ตรวจสอบเอกสาร" in row.group(0)
    assert "ใบอนุญาตจัดตั้งสถานที่จำหน่ายอาหาร" in row.group(0)
    assert "Document check" not in row.group(0)


@pytest.mark.usefixtures("history")
def test_performance_by_month_counts_started_and_completed_stages(client):
    page = client.get("/departments/bma-health").text
    months = page.split('id="by-month"')[1]
    rows = re.findall(r'<th scope="row">(\d{4}-\d{2})</th>(.*?)</tr>', months, flags=re.S)
    cells = {m: re.findall(r'<td class="num">\s*(.*?)\s*</td>', r) for m, r in rows}
    # Nov: five intakes and A's inspection started; A's and D's intakes completed, on time.
    assert cells["2026-11"] == ["6", "2", "2", "100%", "1.0"]
    # Dec: E's inspection started; E's intake completed four business days after filing.
    assert cells["2026-12"] == ["1", "1", "0", "0%", "4.0"]


def test_the_json_twin_and_the_downloads_carry_the_same_figures(client, history):
    data = client.get("/departments/bma-health/performance.json").json()
    assert (data["received"], data["decided"], data["in_progress"], data["withdrawn"]) == (
        5,
        1,
        3,
        1,
    )
    assert (data["completed"], data["on_time"], data["on_time_share"]) == (3, 2, 0.6667)
    assert data["median_days"] == 1
    assert data["backlog"] == 3
    assert data["overdue"] == 1

    response = client.get("/departments/bma-health/applications.csv")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert len(rows) == 7  # A and E: intake and inspection; B, C, D: intake
    late = next(r for r in rows if r["tracking_number"] == history["E"] and r["stage"] == "intake")
    assert (late["business_days"], late["on_time"], late["outcome"]) == ("4", "False", "advanced")
    stuck = next(r for r in rows if r["tracking_number"] == history["B"])
    assert stuck["overdue_now"] == "True"
    assert stuck["ended_at"] == ""

    listed = client.get("/departments/bma-health/applications.json").json()["applications"]
    assert len(listed) == 7
    assert {r["tracking_number"] for r in listed} == set(history.values())


@pytest.mark.usefixtures("history")
def test_the_page_links_its_feed_and_downloads_and_is_linked_from_the_lists(client):
    page = client.get("/departments/bma-health").text
    for href in (
        "/departments/bma-health/feed.atom",
        "/departments/bma-health/applications.csv",
        "/departments/bma-health/applications.json",
        "/departments/bma-health/performance.json",
    ):
        assert f'href="{href}"' in page
    assert client.get("/departments/bma-health/feed.atom").status_code == 200
    assert 'href="/departments/bma-health"' in client.get("/departments").text
    assert 'href="/departments/bma-health"' in client.get("/rankings").text


@pytest.mark.usefixtures("setup")
def test_a_department_with_no_application_yet_still_has_its_page(client):
    response = client.get("/departments/bma-public-works")
    assert response.status_code == 200
    figures = facts(response.text)
    assert figures["Applications received"] == "0"
    assert figures["On-time share"] == "no stage completed yet"
    assert "Building permit" in response.text  # its stages of the building permit
    assert "No application is overdue at this department now." in response.text


@pytest.mark.usefixtures("setup")
def test_an_unknown_department_is_a_helpful_404(client):
    for url in (
        "/departments/no-such-office",
        "/departments/no-such-office/applications.csv",
        "/departments/no-such-office/performance.json",
    ):
        response = client.get(url)
        assert response.status_code == 404, url
    page = client.get("/departments/no-such-office").text
    assert "No permit department is called" in page
    assert 'action="/search"' in page
    assert 'href="/departments"' in page


def test_no_personal_data_on_the_department_page_or_its_downloads(client, session, history):
    applicants = [
        session.get(User, a.applicant_id)
        for a in (service.get_application(session, number=n) for n in history.values())
    ]
    markers = [
        factories.SECRET_NAME,
        factories.SECRET_PHONE,
        factories.SECRET_EMAIL,
        factories.SECRET_ADDRESS,
        "Zzyzx",
        "Secret-Marker",
    ]
    markers += [u.email for u in applicants] + [u.display_name for u in applicants]
    for url in (
        "/departments/bma-health",
        "/departments/bma-health/performance.json",
        "/departments/bma-health/applications.csv",
        "/departments/bma-health/applications.json",
    ):
        text = client.get(url).text
        for marker in markers:
            assert marker not in text, (marker, url)


def test_business_days_are_counted_as_a_day_by_day_walk_would():
    zone = ZoneInfo("Asia/Bangkok")
    closed = frozenset(
        {
            date(2026, 12, 7),
            date(2026, 12, 10),
            date(2026, 12, 31),
            date(2027, 1, 1),
            date(2026, 12, 5),
        }
    )
    calendar = Calendar(zone=zone, closed=closed)

    def walk(start: datetime, end: datetime) -> int:
        day, last, count = calendar.local_date(start), calendar.local_date(end), 0
        while day < last:
            day += timedelta(days=1)
            count += calendar.is_business_day(day)
        return count

    draw = random.Random(6)
    origin = datetime(2026, 11, 1, tzinfo=UTC)
    for _ in range(2000):
        start = origin + timedelta(minutes=draw.randrange(0, 120 * 1440))
        end = start + timedelta(minutes=draw.randrange(-3 * 1440, 90 * 1440))
        assert calendar.business_days_between(start, end) == walk(start, end), (start, end)
    # Thu 3 Dec to Fri 11 Dec: Fri 4, Tue 8, Wed 9, Fri 11 (Mon 7 and Thu 10 closed).
    assert (
        calendar.business_days_between(
            datetime(2026, 12, 3, 3, tzinfo=UTC), datetime(2026, 12, 11, 3, tzinfo=UTC)
        )
        == 4
    )


@pytest.mark.usefixtures("health_officer")  # the departments and the permit types
def test_the_overdue_list_goes_a_page_at_a_time_the_longest_overdue_first(
    client, session, clock, settings, monkeypatch
):
    """A department of a national archive has tens of thousands of overdue applications: the
    page lists them a page at a time, the longest overdue first, every one on some page."""
    filed = []
    for _ in range(3):  # filed a day apart: each one's intake falls due a day after the last's
        filed.append(factories.food_application(session, now=clock(), settings=settings))
        clock.advance(days=1)
    clock.advance(days=10)
    factories.refresh_figures(session, settings=settings, now=clock())
    monkeypatch.setattr(performance, "OVERDUE_PAGE", 2)

    def listed(page: str) -> list[str]:
        overdue = page.split('id="overdue"')[1].split('id="by-month"')[0]
        return re.findall(r'<tr><td[^>]*><a href="/permits/([A-Z0-9*-]+)"', overdue)

    first = client.get("/departments/bma-health")
    second = client.get("/departments/bma-health?page=2")
    assert facts(first.text)["Overdue now"] == "3"
    assert listed(first.text) == [a.tracking_number for a in filed[:2]]
    assert listed(second.text) == [filed[2].tracking_number]
    assert "Rows 1–2 of 3, the longest overdue first" in first.text
    assert 'href="/departments/bma-health?page=2#overdue" rel="next"' in first.text
    assert 'href="/departments/bma-health?page=1#overdue" rel="prev"' in second.text
    assert 'rel="next"' not in second.text

    past = client.get("/departments/bma-health?page=9")
    assert past.status_code == 200
    assert listed(past.text) == []
    assert "Listed on the earlier pages (3 in all)" in past.text
    assert 'href="/departments/bma-health?page=2#overdue" rel="prev"' in past.text

    data = client.get("/departments/bma-health/performance.json?page=2").json()
    assert (data["overdue"], data["overdue_page"], data["overdue_pages"]) == (3, 2, 2)
    assert [o["tracking_number"] for o in data["overdue_applications"]] == [
        filed[2].tracking_number
    ]
    assert client.get("/departments/bma-health?page=0").status_code == 422
    assert client.get("/departments/bma-health?page=99999999999999999999").status_code == 422


def test_the_downloads_of_an_unknown_department_are_a_404_before_any_row(client):
    for suffix in ("applications.csv", "applications.json"):
        response = client.get(f"/departments/no-such-department/{suffix}")
        assert response.status_code == 404
        assert "No permit department is called" in response.text
