"""The transparency pages: plain words, the signed checkpoint, the log browser, one entry."""

from __future__ import annotations

import hashlib
import re

from tests.public_site.demo_site import demo_site, scalar_rows, visible_text  # noqa: F401


def test_the_page_explains_the_log_and_shows_the_signed_checkpoint(demo_site):  # noqa: F811
    checkpoint = demo_site.get("/api/ledger/checkpoint").json()
    key = demo_site.get("/api/ledger/public-key").json()
    page = demo_site.get("/transparency")
    assert page.status_code == 200
    words = visible_text(page.text)
    for term in (
        "Leaf hash",
        "Root hash",
        "Signed checkpoint",
        "Inclusion proof",
        "Consistency proof",
        "prongsai ledger verify --url http://127.0.0.1:8000",
    ):
        assert term in words
    assert re.search(r'id="checkpoint-size">\s*' + str(checkpoint["tree_size"]), page.text)
    assert f'id="checkpoint-root">{checkpoint["root_hash"]}<' in page.text
    assert key["verifier_key"] in page.text
    # The signed note is shown exactly as signed (its signature line included).
    assert checkpoint["note"].split("\n")[-2] in page.text


def test_the_log_browser_pages_newest_first_without_gaps(demo_site):  # noqa: F811
    size = demo_site.get("/api/ledger/checkpoint").json()["tree_size"]
    first = demo_site.get("/transparency/log")
    assert first.status_code == 200
    shown = [int(i) for i in re.findall(r'<a href="/transparency/log/(\d+)">', first.text)]
    assert shown == list(range(size - 1, size - 51, -1))
    older = re.search(r'rel="next" href="(/transparency/log\?before=\d+)"', first.text).group(1)
    second = demo_site.get(older)
    shown_next = [int(i) for i in re.findall(r'<a href="/transparency/log/(\d+)">', second.text)]
    assert shown_next[0] == shown[-1] - 1
    assert len(shown_next) == 50


def test_the_log_browser_reads_a_range_oldest_first(demo_site):  # noqa: F811
    page = demo_site.get("/transparency/log?start=10")
    shown = [int(i) for i in re.findall(r'<a href="/transparency/log/(\d+)">', page.text)]
    assert shown == list(range(10, 60))
    assert "core.organisation.registered" in page.text or "permits." in page.text


def test_each_row_links_its_subject_and_shows_its_canonical_json(demo_site):  # noqa: F811
    ((index, subject),) = scalar_rows(
        demo_site,
        'SELECT "index", subject FROM ledger_entry '
        "WHERE entry_type = 'procurement.tender.published' ORDER BY \"index\" LIMIT 1",
    )
    page = demo_site.get(f"/transparency/log?start={index}")
    tender_id = subject.rsplit("-", 1)[1]
    assert f'<a href="/tenders/{tender_id}">{subject}</a>' in page.text


def test_one_entry_page_shows_the_bytes_that_are_hashed(demo_site):  # noqa: F811
    ((index, number),) = scalar_rows(
        demo_site,
        'SELECT "index", subject FROM ledger_entry '
        "WHERE entry_type = 'permits.application.received' ORDER BY \"index\" LIMIT 1",
    )
    api = demo_site.get(f"/api/ledger/entries?start={index}&end={index + 1}").json()
    entry = api["entries"][0]
    page = demo_site.get(f"/transparency/log/{index}")
    assert page.status_code == 200
    canonical = re.search(
        r'<pre class="json" id="entry-canonical">(.*?)</pre>', page.text, re.S
    ).group(1)
    assert visible_text(canonical) == entry["entry"]
    leaf = hashlib.sha256(b"\x00" + entry["entry"].encode()).hexdigest()
    assert leaf == entry["leaf_hash"]
    assert leaf in page.text
    assert f'<a href="/permits/{number}">{number}</a>' in page.text
    # The verify control checks this one entry.
    assert f'data-verify="{index}"' in page.text
    assert '<script src="/static/verify.js" defer></script>' in page.text


def test_record_pages_carry_the_verify_control_with_their_log_indices(demo_site):  # noqa: F811
    ((number,),) = scalar_rows(
        demo_site, "SELECT tracking_number FROM permits_application ORDER BY id LIMIT 1"
    )
    permit = demo_site.get(f"/api/permits/{number}").json()
    indices = [t["ledger_index"] for t in permit["transitions"]]
    page = demo_site.get(f"/permits/{number}")
    assert f'data-verify="{",".join(map(str, indices))}"' in page.text
    tender = demo_site.get("/api/tenders/2").json()
    tender_page = demo_site.get("/tenders/2")
    expected = ",".join(str(e["index"]) for e in tender["log_entries"])
    assert f'data-verify="{expected}"' in tender_page.text
    assert "Verify in my browser" in tender_page.text


def test_unknown_entries_and_bad_ranges_are_explained(demo_site):  # noqa: F811
    missing = demo_site.get("/transparency/log/99999999")
    assert missing.status_code == 404
    assert "has no entry 99999999" in visible_text(missing.text)
    both = demo_site.get("/transparency/log?start=1&before=5")
    assert both.status_code == 422
    assert "not both" in visible_text(both.text)
    beyond = demo_site.get("/transparency/log?start=99999999")
    assert beyond.status_code == 422
    assert "start must be at most" in visible_text(beyond.text)
    negative = demo_site.get("/transparency/log?before=-3")
    assert negative.status_code == 422
    assert "Show entries before: Enter 1 or more" in visible_text(negative.text)
