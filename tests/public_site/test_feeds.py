"""Atom feeds: valid Atom 1.0, the right entries for each feed, no personal data, discoverable."""

from __future__ import annotations

import json
import re
from xml.etree import ElementTree as ET

import pytest

from tests.public_site.demo_site import demo_site, scalar_rows  # noqa: F401

A = "{http://www.w3.org/2005/Atom}"


def atom(client, path: str) -> ET.Element:
    """Fetch a feed and check what RFC 4287 requires of it; return the parsed feed."""
    response = client.get(path)
    assert response.status_code == 200, response.text[:300]
    assert response.headers["content-type"] == "application/atom+xml; charset=utf-8"
    # Before the root element, so a browser shows the feed as a page (feed readers ignore it).
    prolog = response.content[: re.search(rb"<[A-Za-z]", response.content).start()]
    assert b'<?xml-stylesheet type="text/xsl" href="/static/feed.xsl"?>' in prolog
    feed = ET.fromstring(response.content)  # noqa: S314 -- our own feed, under test
    assert feed.tag == f"{A}feed"
    for required in ("id", "title", "updated", "author"):
        assert feed.find(f"{A}{required}") is not None, required
    self_link = feed.find(f"{A}link[@rel='self']")
    assert self_link.get("href") == f"http://127.0.0.1:8000{path}"
    ids = []
    for entry in feed.findall(f"{A}entry"):
        for required in ("id", "title", "updated", "summary"):
            assert (entry.findtext(f"{A}{required}") or "").strip(), required
        assert entry.find(f"{A}link[@rel='alternate']").get("href").startswith("http")
        ids.append(entry.findtext(f"{A}id"))
    assert len(ids) == len(set(ids)), "entry ids must be unique"
    return feed


def titles(feed: ET.Element) -> list[str]:
    return [e.findtext(f"{A}title") for e in feed.findall(f"{A}entry")]


def test_the_tenders_feed_lists_every_published_tender(demo_site):  # noqa: F811
    published = {t["title"] for t in demo_site.get("/api/tenders?limit=200").json()}
    feed = atom(demo_site, "/feeds/tenders.atom")
    assert set(titles(feed)) == published
    assert published  # the demo has tenders


def test_the_awards_feed_names_each_winner(demo_site):  # noqa: F811
    rows = scalar_rows(
        demo_site,
        """
        SELECT t.title, o.name FROM procurement_award a
        JOIN procurement_tender t ON t.id = a.tender_id
        JOIN auth_organisation o ON o.id = a.supplier_id
        WHERE a.status IN ('standstill', 'final')""",
    )
    feed = atom(demo_site, "/feeds/awards.atom")
    assert sorted(titles(feed)) == sorted(f"Award: {t} — {s}" for t, s in rows)
    assert rows


def test_a_buyer_feed_holds_only_that_buyers_tenders(demo_site):  # noqa: F811
    mine = {t["title"] for t in demo_site.get("/api/tenders?buyer=doh-highways").json()}
    others = {t["title"] for t in demo_site.get("/api/tenders?limit=200").json()} - mine
    feed = atom(demo_site, "/buyers/doh-highways/feed.atom")
    shown = titles(feed)
    assert mine <= set(shown)
    assert not any(title in others for title in shown)
    awarded = scalar_rows(
        demo_site,
        """
        SELECT t.title, o.name FROM procurement_award a
        JOIN procurement_tender t ON t.id = a.tender_id
        JOIN auth_organisation b ON b.id = t.buyer_id
        JOIN auth_organisation o ON o.id = a.supplier_id
        WHERE a.status IN ('standstill', 'final') AND b.slug = 'doh-highways'""",
    )
    assert awarded
    assert sorted(t for t in shown if t.startswith("Award: ")) == sorted(
        f"Award: {t} — {s}" for t, s in awarded
    )


def test_a_supplier_feed_holds_the_awards_it_won(demo_site):  # noqa: F811
    ((supplier_id, name),) = scalar_rows(
        demo_site,
        """
        SELECT o.id, o.name FROM procurement_award a JOIN auth_organisation o
        ON o.id = a.supplier_id ORDER BY a.id LIMIT 1""",
    )
    feed = atom(demo_site, f"/suppliers/{supplier_id}/feed.atom")
    assert titles(feed)
    assert all(title.endswith(f"— {name}") for title in titles(feed))


def test_department_and_permit_feeds_follow_their_changes(demo_site):  # noqa: F811
    ((number,),) = scalar_rows(
        demo_site, "SELECT tracking_number FROM permits_application ORDER BY id LIMIT 1"
    )
    permit = demo_site.get(f"/api/permits/{number}").json()
    feed = atom(demo_site, f"/permits/{number}/feed.atom")
    entries = feed.findall(f"{A}entry")
    assert len(entries) == len(permit["transitions"])
    assert all(e.findtext(f"{A}title").startswith(f"{number}: ") for e in entries)
    department = atom(demo_site, "/departments/bma-health/feed.atom")
    summaries = [e.findtext(f"{A}summary") for e in department.findall(f"{A}entry")]
    assert summaries
    assert all("BMA Health Department" in s for s in summaries)


@pytest.mark.parametrize(
    "path",
    [
        "/buyers/no-such-buyer/feed.atom",
        "/suppliers/999999/feed.atom",
        "/departments/no-such-department/feed.atom",
        "/permits/FOD-2026-999999-X/feed.atom",
    ],
)
def test_a_feed_of_an_unknown_record_is_a_404(demo_site, path):  # noqa: F811
    assert demo_site.get(path).status_code == 404


def test_no_feed_carries_personal_data(demo_site):  # noqa: F811
    personal = set()
    for address, name, email, phone in scalar_rows(
        demo_site,
        "SELECT address, contact_name, contact_email, contact_phone FROM procurement_supplier",
    ):
        personal |= {address, name, email, phone}
    for email, name in scalar_rows(
        demo_site,
        "SELECT email, display_name FROM auth_user WHERE role IN ('applicant', 'supplier')",
    ):
        personal |= {email, name}
    for (form,) in scalar_rows(demo_site, "SELECT form_data FROM permits_application"):
        values = json.loads(form)
        personal |= {
            values.get(k)
            for k in ("full_name", "national_id", "phone", "premises_address", "email")
        }
    personal = {p for p in personal if p and len(p) >= 5}
    assert len(personal) > 20  # the demo does hold personal data, privately
    paths = [
        "/feeds/tenders.atom",
        "/feeds/awards.atom",
        "/departments/bma-health/feed.atom",
        "/departments/bma-public-works/feed.atom",
        "/departments/phra-nakhon-district/feed.atom",
    ]
    paths += [
        f"/buyers/{s}/feed.atom"
        for (s,) in scalar_rows(
            demo_site, "SELECT slug FROM auth_organisation WHERE kind = 'buying_entity'"
        )
    ]
    paths += [
        f"/suppliers/{i}/feed.atom"
        for (i,) in scalar_rows(
            demo_site, "SELECT id FROM auth_organisation WHERE kind = 'supplier'"
        )
    ]
    paths += [
        f"/permits/{n}/feed.atom"
        for (n,) in scalar_rows(
            demo_site, "SELECT tracking_number FROM permits_application ORDER BY id LIMIT 40"
        )
    ]
    for path in paths:
        body = atom(demo_site, path)
        text = ET.tostring(body, encoding="unicode")
        leaked = [p for p in personal if p in text]
        assert leaked == [], f"{path} shows {leaked}"


def test_pages_announce_their_feeds(demo_site):  # noqa: F811
    home = demo_site.get("/").text
    assert 'type="application/atom+xml" title="New tenders" href="/feeds/tenders.atom"' in home
    assert 'href="/feeds/awards.atom"' in home
    tender = demo_site.get("/api/tenders/2").json()
    page = demo_site.get("/tenders/2").text
    assert (
        f'<link rel="alternate" type="application/atom+xml" '
        f'title="Tenders and awards of {tender["buyer"]["name"]}" '
        f'href="/buyers/{tender["buyer"]["slug"]}/feed.atom">'
    ) in page
    ((number,),) = scalar_rows(
        demo_site, "SELECT tracking_number FROM permits_application ORDER BY id LIMIT 1"
    )
    assert f'href="/permits/{number}/feed.atom"' in demo_site.get(f"/permits/{number}").text


def test_the_feed_stylesheet_is_served_as_xml_and_explains_feeds(client):
    response = client.get("/static/feed.xsl")
    assert response.status_code == 200
    media_type = response.headers["content-type"].split(";")[0]
    assert media_type in {"application/xslt+xml", "application/xml", "text/xml", "text/xsl"}
    sheet = ET.fromstring(response.content)  # noqa: S314 -- our own file, under test
    xsl = "{http://www.w3.org/1999/XSL/Transform}"
    assert sheet.tag == f"{xsl}stylesheet"
    matched = [t.get("match") for t in sheet.iter(f"{xsl}template")]
    assert "/atom:feed" in matched
    assert "atom:entry" in matched
    text = response.text
    assert "This page is a feed" in text
    assert "หน้านี้คือฟีด" in text
    assert "/static/prongsai.css" in text
    assert "/identity.css" in text


def test_a_browser_gets_the_feed_as_xml_so_it_applies_the_stylesheet(client):
    """Chromium shows application/atom+xml as plain text; as XML it renders the stylesheet."""
    browser = client.get(
        "/feeds/tenders.atom",
        headers={"accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"},
    )
    assert browser.headers["content-type"] == "application/xml; charset=utf-8"
    assert b'<?xml-stylesheet type="text/xsl" href="/static/feed.xsl"?>' in browser.content
    reader = client.get("/feeds/tenders.atom", headers={"accept": "application/atom+xml"})
    assert reader.headers["content-type"] == "application/atom+xml; charset=utf-8"
    assert browser.content == reader.content
    assert "accept" in browser.headers["vary"].lower()
