"""Every release and record we publish validates against OCDS 1.1.5 (+ Bids), offline."""

import csv
import gzip
import json
import zlib
from datetime import timedelta
from pathlib import Path

import pytest
from jsonschema import Draft4Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from procurement.publishing.ocds import merge_patch
from tests.procurement import factories as f

OCDS = Path(__file__).resolve().parents[1] / "data" / "ocds"
BASE = "https://standard.open-contracting.org/schema/1__1__5/"


def load(name):
    return json.loads((OCDS / name).read_text())


@pytest.fixture(scope="module")
def validators():
    release = merge_patch(
        load("1.1.5/release-schema.json"), load("extensions/bids/release-schema.json")
    )
    registry = Registry().with_resources(
        [
            (
                BASE + "release-schema.json",
                Resource.from_contents(release, default_specification=DRAFT4),
            ),
            (
                BASE + "versioned-release-validation-schema.json",
                Resource.from_contents(
                    load("1.1.5/versioned-release-validation-schema.json"),
                    default_specification=DRAFT4,
                ),
            ),
        ]
    )
    return {
        "release_package": Draft4Validator(
            load("1.1.5/release-package-schema.json"), registry=registry
        ),
        "record_package": Draft4Validator(
            load("1.1.5/record-package-schema.json"), registry=registry
        ),
        "release": Draft4Validator(release, registry=registry),
    }


def codes(path):
    with open(OCDS / path) as handle:
        return {row["Code"] for row in csv.DictReader(handle)}


def errors(validator, instance):
    return [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in validator.iter_errors(instance)
    ]


def run_lifecycle(client, session, clock):
    _, buyer_h = f.buyer(client, session, clock())
    suppliers = [f.supplier(client, session, clock())[1] for _ in range(3)]
    tender = f.published_tender(client, session, clock, buyer_h)
    tid = tender["id"]
    q = client.post(
        f"/api/tenders/{tid}/questions",
        json={"question": "Which asphalt grade?"},
        headers=suppliers[0],
    ).json()
    client.post(f"/api/questions/{q['id']}/answer", json={"answer": "AC 60/70."}, headers=buyer_h)
    client.post(
        f"/api/tenders/{tid}/amendments",
        headers=buyer_h,
        json={"rationale": "Quantity corrected", "description": "Now 1.4 km."},
    )
    for i, headers in enumerate(suppliers):
        client.post(f"/api/tenders/{tid}/bids", json=f.bid_body(200_000_000 + i), headers=headers)
    clock.advance(days=11)
    opened = client.post(f"/api/tenders/{tid}/open", headers=buyer_h).json()
    client.post(
        f"/api/bids/{opened['opening'][2]['id']}/disqualify",
        json={"reason": "Bid bond missing."},
        headers=buyer_h,
    )
    award = client.post(f"/api/tenders/{tid}/award", json={}, headers=buyer_h).json()["awards"][0]
    clock.advance(days=11)
    client.post(f"/api/awards/{award['id']}/finalise", headers=buyer_h)
    today = clock().date()
    client.post(
        f"/api/awards/{award['id']}/contract",
        headers=buyer_h,
        json={
            "value": 200_000_000,
            "start_date": str(today),
            "signed_date": str(today),
            "end_date": str(today + timedelta(days=90)),
        },
    )
    contract = client.get(f"/api/tenders/{tid}").json()["contracts"][0]
    amended = client.post(
        f"/api/contracts/{contract['id']}/amendments",
        headers=buyer_h,
        json={"rationale": "Extra drainage work found on site", "value": 260_000_000},
    )
    assert amended.status_code == 201, amended.text
    planned = client.post(
        f"/api/contracts/{contract['id']}/milestones",
        headers=buyer_h,
        json={"title": "Base course laid", "due_date": str(today)},
    ).json()
    client.post(
        f"/api/milestones/{planned['milestones'][0]['id']}/done",
        json={"met": True},
        headers=buyer_h,
    )
    client.post(
        f"/api/contracts/{contract['id']}/payments",
        headers=buyer_h,
        json={"amount": 50_000_000, "paid_date": str(today), "description": "Advance"},
    )
    cancelled = f.published_tender(client, session, clock, buyer_h, title="Cancelled tender")
    client.post(
        f"/api/tenders/{cancelled['id']}/cancel", json={"reason": "Budget cut."}, headers=buyer_h
    )
    return tender


def test_every_release_and_record_validates(client, session, clock, validators):
    tender = run_lifecycle(client, session, clock)
    package = client.get("/api/ocds/releases", params={"limit": 1000}).json()
    assert errors(validators["release_package"], package) == []
    releases = package["releases"]
    tags = [tag for r in releases for tag in r["tag"]]
    for expected in (
        "tender",
        "tenderUpdate",
        "tenderAmendment",
        "award",
        "awardUpdate",
        "contract",
        "contractAmendment",
        "implementation",
        "implementationUpdate",
        "tenderCancellation",
    ):
        assert expected in tags
    assert set(tags) <= codes("1.1.5/codelists/releaseTag.csv")
    bid_statuses = codes("extensions/bids/codelists/bidStatus.csv")
    for release in releases:
        assert errors(validators["release"], release) == []
        for detail in release.get("bids", {}).get("details", []):
            assert detail["status"] in bid_statuses
        for party in release["parties"]:
            assert set(party["roles"]) <= codes("1.1.5/codelists/partyRole.csv") | {"tenderer"}
    one = client.get(f"/api/ocds/releases/{releases[0]['id']}").json()
    assert errors(validators["release_package"], one) == []
    record = client.get(f"/api/ocds/records/{tender['ocid']}").json()
    assert errors(validators["record_package"], record) == []
    compiled = record["records"][0]["compiledRelease"]
    assert compiled["tender"]["status"] == "complete"
    assert compiled["bids"]["statistics"][0]["value"] == 3
    assert compiled["awards"][0]["status"] == "active"
    contract = compiled["contracts"][0]
    assert contract["status"] == "active"
    assert contract["value"]["amount"] == 2_600_000
    assert contract["amendments"][0]["rationale"] == "Extra drainage work found on site"
    assert contract["milestones"][0]["status"] == "met"
    assert contract["implementation"]["transactions"][0]["value"]["amount"] == 500_000


def test_release_pages_link_to_the_next_and_the_bulk_file_holds_every_release(
    client, session, clock
):
    run_lifecycle(client, session, clock)
    first = client.get("/api/ocds/releases", params={"limit": 3}).json()
    assert len(first["releases"]) == 3
    nxt = first["links"]["next"].split("/api/ocds/releases")[1]
    second = client.get("/api/ocds/releases" + nxt).json()
    assert second["releases"][0]["id"] not in {r["id"] for r in first["releases"]}
    everything = client.get("/api/ocds/releases", params={"limit": 1000}).json()["releases"]
    bulk = client.get("/api/ocds/bulk/releases.jsonl.gz")
    assert bulk.status_code == 200
    lines = gzip.decompress(bulk.content).decode().splitlines()
    assert [json.loads(line)["id"] for line in lines] == [r["id"] for r in everything]


def test_the_bulk_file_is_one_gzip_stream_of_the_stored_releases_across_pages(
    client, session, clock
):
    """The bulk file holds each release's stored JSON text byte for byte, one per line, in id
    order, whatever the page size it is read with; it is one gzip member without a time in its
    header, so two downloads of the same releases are the same bytes."""
    from sqlmodel import select

    from procurement.publishing import queries as publishing_queries
    from procurement.publishing.models import Release

    run_lifecycle(client, session, clock)
    stored = session.exec(select(Release.body).order_by(Release.id)).all()
    assert len(stored) > 3
    expected = "".join(body + "\n" for body in stored).encode()
    first = client.get("/api/ocds/bulk/releases.jsonl.gz").content
    assert first == client.get("/api/ocds/bulk/releases.jsonl.gz").content
    assert first[:2] == b"\x1f\x8b"
    assert first[4:8] == b"\x00\x00\x00\x00"  # no time in the header
    decompressor = zlib.decompressobj(16 + zlib.MAX_WBITS)
    assert decompressor.decompress(first) == expected
    assert decompressor.eof  # one member...
    assert decompressor.unused_data == b""  # ...and nothing after it
    for page_size in (1, 2, 1000):
        pieces = publishing_queries.bulk_releases(session, page_size=page_size)
        assert gzip.decompress(b"".join(pieces)) == expected


def test_walking_links_next_from_the_first_page_ends_with_every_release_once(
    client, session, clock
):
    run_lifecycle(client, session, clock)
    everything = client.get("/api/ocds/releases", params={"limit": 1000}).json()
    assert "next" not in everything.get("links", {})  # one page holds them all: it is the last
    seen, path, pages = [], "/api/ocds/releases?limit=2", 0
    while path is not None:
        page = client.get(path).json()
        pages += 1
        assert pages <= len(everything["releases"]), "links.next never ends"
        seen += [r["id"] for r in page["releases"]]
        nxt = page.get("links", {}).get("next")
        path = nxt.split("127.0.0.1:8000", 1)[1] if nxt else None
    assert seen == [r["id"] for r in everything["releases"]]
    assert page["releases"], "the last page is never an empty one"


def test_unknown_release_and_record_are_404(client):
    assert client.get("/api/ocds/releases/nope").status_code == 404
    assert client.get("/api/ocds/records/ocds-prongsai-999999").status_code == 404


def test_every_demo_release_validates(client, session, clock, settings, validators):
    from procurement import demo
    from tests.procurement.test_demo import accounts

    accounts(session, clock())
    demo.load(session, now=clock(), settings=settings)
    package = client.get("/api/ocds/releases", params={"limit": 1000}).json()
    assert errors(validators["release_package"], package) == []
    releases = package["releases"]
    assert len(releases) > 20
    tender_statuses = codes("1.1.5/codelists/tenderStatus.csv")
    bid_statuses = codes("extensions/bids/codelists/bidStatus.csv")
    for release in releases:
        assert errors(validators["release"], release) == [], release["id"]
        assert set(release["tag"]) <= codes("1.1.5/codelists/releaseTag.csv")
        assert {lot["status"] for lot in release["tender"].get("lots", [])} <= tender_statuses
        for detail in release.get("bids", {}).get("details", []):
            assert detail["status"] in bid_statuses
    lotted = [r for r in releases if r["tender"].get("lots")]
    assert lotted
    assert any(d.get("relatedLots") for r in lotted for d in r.get("bids", {}).get("details", []))
    assert any(a.get("relatedLots") for r in lotted for a in r.get("awards", []))
    for ocid in {r["ocid"] for r in releases}:
        record = client.get(f"/api/ocds/records/{ocid}").json()
        assert errors(validators["record_package"], record) == [], ocid
