"""The home page: what is happening now, with its figures and links into everything."""

from __future__ import annotations

import re

from tests.procurement import factories as procurement
from tests.public_site.demo_site import demo_site, scalar_rows, visible_text  # noqa: F401


def section(html: str, heading_id: str) -> str:
    """The words of one home-page section, from its heading to the next section."""
    match = re.search(rf'<h2 id="{heading_id}">(.*?)</section>', html, re.S)
    assert match, heading_id
    return visible_text(match.group(1))


def test_a_tender_closing_within_a_week_is_listed_and_a_later_one_is_not(client, session, clock):
    _, headers = procurement.buyer(client, session, clock())
    soon = procurement.published_tender(
        client, session, clock, headers, title="Canal dredging, Khlong Saen Saep"
    )
    procurement.published_tender(
        client,
        session,
        clock,
        headers,
        title="School roof repairs, Bang Kapi",
        tender_end_at=(clock() + 20 * procurement.DAY).isoformat(),
        opening_at=(clock() + 20 * procurement.DAY + procurement.DAY / 24).isoformat(),
    )
    clock.advance(days=5)
    page = client.get("/")
    assert page.status_code == 200
    closing = section(page.text, "closing")
    assert "Canal dredging, Khlong Saen Saep" in closing
    assert "School roof repairs" not in closing
    assert f'href="/tenders/{soon["id"]}"' in page.text


def test_todays_bid_openings_are_listed(client, session, clock):
    _, headers = procurement.buyer(client, session, clock())
    procurement.published_tender(
        client, session, clock, headers, title="Hospital beds for Rajavithi"
    )
    assert "No public bid opening is scheduled for today" in section(
        client.get("/").text, "openings"
    )
    clock.advance(days=10)  # the opening is 10 days and one hour after publication
    assert "Hospital beds for Rajavithi" in section(client.get("/").text, "openings")


def test_the_demo_home_shows_awards_permit_changes_and_figures(demo_site):  # noqa: F811
    page = demo_site.get("/")
    assert page.status_code == 200
    awards = section(page.text, "awards")
    for title, supplier in scalar_rows(
        demo_site,
        """
            SELECT t.title, o.name FROM procurement_award a
            JOIN procurement_tender t ON t.id = a.tender_id
            JOIN auth_organisation o ON o.id = a.supplier_id""",
    ):
        assert title in awards
        assert supplier in awards
    ((latest,),) = scalar_rows(
        demo_site,
        """
        SELECT a.tracking_number FROM permits_transition t
        JOIN permits_application a ON a.id = t.application_id
        ORDER BY t.entered_at DESC, t.id DESC LIMIT 1""",
    )
    assert latest in section(page.text, "permit-changes")
    ((received,),) = scalar_rows(demo_site, "SELECT count(*) FROM permits_application")
    words = visible_text(page.text)
    assert f"{received:,} permit applications" in words
    ((published,),) = scalar_rows(
        demo_site, "SELECT count(*) FROM procurement_tender WHERE status != 'draft'"
    )
    assert f"{published:,} tenders published" in words
    for link in (
        "/transparency",
        "/data",
        "/feeds/tenders.atom",
        "/feeds/awards.atom",
        "/permits?overdue=true",
        "/tenders?status=active",
    ):
        assert f'href="{link}"' in page.text


def test_an_overdue_application_is_listed_with_its_reason(demo_site):  # noqa: F811
    rows = scalar_rows(
        demo_site,
        """
        SELECT a.tracking_number FROM permits_stage s
        JOIN permits_application a ON a.id = s.application_id
        WHERE s.overdue_at IS NOT NULL AND s.ended_at IS NULL AND a.status = 'in_progress'""",
    )
    overdue = section(demo_site.get("/").text, "overdue")
    if rows:
        assert any(number in overdue for (number,) in rows)
    else:
        assert "No application is overdue." in overdue
