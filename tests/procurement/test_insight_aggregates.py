"""The aggregates give exactly the figures of the full pass over the public record.

The full pass (facts.load with stats, flags and profiles over every published tender) is the
reference: each public figure read from the aggregates is compared with it, on the demo, on a
generated archive, and after changes read in incrementally.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, col, select

from core.auth.models import Organisation, OrganisationKind
from core.db import make_engine
from procurement.awards import service as awarding
from procurement.awards.models import Award
from procurement.awards.schemas import AwardIn
from procurement.contracts import service as implementation
from procurement.contracts.models import Contract
from procurement.contracts.schemas import ContractAmendmentIn
from procurement.insights import (
    aggregates,
    facts,
    flags,
    party_sums,
    profiles,
    queries,
    rules,
    stats,
    summaries,
)
from procurement.insights.models import InsightPartySum, InsightSum
from procurement.public import activity
from tests.conftest import demo_clone, drop_database
from tests.public_site.procurement_world import DAY, World

CODES = [i.code for i in rules.INDICATORS]


def all_parties(session: Session) -> list[int]:
    """Every buying entity and supplier (the full pass names them all)."""
    kinds = [OrganisationKind.BUYING_ENTITY, OrganisationKind.SUPPLIER]
    return list(session.exec(select(Organisation.id).where(col(Organisation.kind).in_(kinds))))


def _in_period(tenders, year):
    return [t for t in tenders if year is None or (t.published_at and t.published_at.year == year)]


def assert_same_figures(
    session: Session, *, every_tender: bool = True, parties: int | None = None
) -> None:
    """Every site-wide figure read from the aggregates equals the full pass's."""
    everything = facts.load(session)
    party = summaries.parties(session, all_parties(session))
    years = sorted({t.published_at.year for t in everything if t.published_at}, reverse=True)
    assert queries.years(session) == years
    for year in [None, *years]:
        tenders = _in_period(everything, year)
        assert queries.buyer_rankings(session, year=year) == stats.buyer_competition(tenders, party)
        charts = queries.charts(session, year=year)
        assert charts.awarded_by_month == stats.awarded_by_month(tenders)
        assert charts.awarded_by_category == stats.awarded_by_category(tenders)
        assert charts.top_suppliers == stats.top_suppliers(tenders, party)
        assert charts.bidders_per_tender == stats.bidders_per_tender(tenders)
        raised = flags.evaluate(tenders, party)
        counted = {i.code: i.flagged for i in queries.indicators(session, year=year)}
        assert counted == {c: len({f.tender_id for f in raised if f.code == c}) for c in CODES}
        for code in CODES:
            described, listed, more = queries.indicator(session, code=code, year=year)
            assert more is None
            assert described.flagged == counted[code]
            assert listed == [f for f in raised if f.code == code], code
            assert_pages_add_up(session, code, year, listed)
    raised = flags.evaluate(everything, party)
    ids = [t.id for t in everything] if every_tender else sorted({f.tender_id for f in raised})
    for tender_id in ids:
        assert queries.tender_flags(session, tender_id=tender_id) == [
            f for f in raised if f.tender_id == tender_id
        ], tender_id
    listed, count = queries.suppliers(session)
    assert count == len(listed)
    assert listed == profiles.supplier_list(
        [r.supplier for r in listed], everything, queries.DEFAULT_CURRENCY
    )
    paged = [queries.suppliers(session, offset=n, limit=7)[0] for n in range(0, count, 7)]
    assert [row for page in paged for row in page] == listed
    figures = activity.figures(session, now=activity_now(everything))
    awards = [a for t in everything for a in t.awards if a.status in aggregates.HOME_AWARDS]
    assert figures.published == len(everything)
    assert figures.awards == len(awards)
    totals: Counter = Counter()
    for a in awards:
        totals[a.currency] += a.value
    assert figures.awarded_by_currency == dict(totals)
    assert_same_profiles(session, everything, parties)


BUYER_LISTS = ("tenders", "bidders", "awards", "contracts")
SUPPLIER_LISTS = ("bids", "competitors", "awards", "contracts")


def assert_same_profiles(session, everything, parties=None, size=3):
    """Each buyer's and supplier's profile, read page by page (`size` rows of each list) from
    the aggregates and the indexes, has the full pass's totals and lists; so do its downloads.
    `parties`: that many buyers and suppliers with the most tenders (every one when None)."""
    party = summaries.parties(session, all_parties(session))
    of_buyer, of_supplier = defaultdict(list), defaultdict(list)
    for tender in everything:
        of_buyer[tender.buyer_id].append(tender)
        for supplier in tender.bidders | {a.supplier_id for a in tender.awards}:
            of_supplier[supplier].append(tender)
    buyers = sorted(of_buyer, key=lambda b: -len(of_buyer[b]))[:parties]
    for buyer_id in buyers:
        full = profiles.buyer_profile(party(buyer_id), of_buyer[buyer_id], party)
        paged = [queries.buyer_profile(session, slug=party(buyer_id).slug, page=1, size=size)]
        assert paged[0].pages == max(1, *(-(-n // size) for n in full.counts.values()))
        paged += [
            queries.buyer_profile(session, slug=party(buyer_id).slug, page=n, size=size)
            for n in range(2, paged[0].pages + 1)
        ]
        assert_same_pages(full, paged, BUYER_LISTS)
        for name in BUYER_LISTS:
            whole = queries.buyer_list(session, buyer_id=buyer_id, name=name, offset=0, limit=10**6)
            assert whole == getattr(full, name), name
    suppliers = sorted(of_supplier, key=lambda s: -len(of_supplier[s]))[:parties]
    for supplier_id in suppliers:
        full = profiles.supplier_profile(party(supplier_id), of_supplier[supplier_id], party)
        paged = [
            queries.supplier_profile(session, supplier_id=supplier_id, page=n, size=size)
            for n in range(1, max(1, *(-(-n // size) for n in full.counts.values())) + 1)
        ]
        assert_same_pages(full, paged, SUPPLIER_LISTS)
        for name in SUPPLIER_LISTS:
            whole = queries.supplier_list(
                session, supplier_id=supplier_id, name=name, offset=0, limit=10**6
            )
            assert whole == getattr(full, name), name


def assert_same_pages(full, paged, lists):
    totals = set(lists) | {"page", "pages"}
    for n, page in enumerate(paged, start=1):
        assert (page.page, page.pages) == (n, len(paged))
        assert page.model_dump(exclude=totals) == full.model_dump(exclude=totals)
    for name in lists:
        assert [row for page in paged for row in getattr(page, name)] == getattr(full, name), name


def activity_now(tenders):
    return max((t.tender_end_at for t in tenders), default=None) or datetime.now(UTC)


def assert_pages_add_up(session, code, year, listed, size=3):
    """Page by page (`size` tenders each), the flags are the same as in one list."""
    paged, after = [], 0
    while True:
        _, page, more = queries.indicator(session, code=code, year=year, after=after, limit=size)
        paged += page
        assert len({f.tender_id for f in page}) <= size
        if more is None:
            break
        after = more
    assert paged == listed


@pytest.fixture
def world(session, settings, clock):
    return World(session, settings, clock())


def refresh(session, now):
    return aggregates.refresh(session, now=now + timedelta(days=365))


def test_a_small_world_read_incrementally_gives_the_full_pass_figures(world, session):
    buyer, other = world.buyer("Dominant"), world.buyer("Open")
    big, small, cover, late = (world.supplier(n) for n in ("Big Co", "Small", "Cover", "Late"))
    ids = []
    for n in range(5):  # Big wins every tender of one buyer, Cover always loses to it
        ids.append(world.tender(buyer, bids=[(big, 100_000 + n), (cover, 120_000)], contract=1))
    ids.append(world.tender(other, bids=[(small, 90_000)], days=10))  # single bidder, short
    ids.append(world.tender(other, bids=[(late, 80_000), (small, 81_000)], award=False))
    ids.append(world.tender(other, bids=[(small, 80_000)], opened=False))
    refresh(session, world.now)
    assert_same_figures(session)
    assert queries.indicators(session)[5].flagged == 5  # supplier-share, from the totals

    # a contract raised well above its award, and an award cancelled: read in incrementally
    contract = session.exec(select(Contract).order_by(col(Contract.id))).first()
    implementation.amend_contract(
        session,
        buyer=buyer,
        contract_id=contract.id,
        now=world.now + DAY,
        settings=world.settings,
        amendment=ContractAmendmentIn(value=contract.value * 2, rationale="More road."),
    )
    awarding.award(  # the tender left unawarded is awarded now
        session,
        buyer=other,
        tender_id=ids[6],
        now=world.now + 2 * DAY,
        settings=world.settings,
        decision=AwardIn(justification="Lowest valid price."),
    )
    assert session.exec(select(Award).where(Award.tender_id == ids[6])).one()
    read = refresh(session, world.now + 2 * DAY)
    assert read >= 2
    assert_same_figures(session)
    again = sums(session)
    aggregates.rebuild(session, now=world.now + 400 * DAY)
    assert sums(session) == again


def sums(session):
    """Every running total that is not zero, site-wide and of the profiles."""
    site = {
        (r.kind, r.year, r.k1, r.k2, r.k3, r.cur, r.n1, r.n2, r.n3, r.n4)
        for r in session.exec(select(InsightSum))
    }
    party = {
        (r.kind, 0, r.k1, r.k2, r.k3, r.cur, r.n1, r.n2, r.n3, 0)
        for r in session.exec(select(InsightPartySum))
    }
    assert {row[0] for row in party} == set(party_sums.KINDS)
    return {row for row in site | party if any(row[6:])}


def test_the_demo_gives_the_full_pass_figures(demo_clone_url):
    engine = make_engine(demo_clone_url)
    try:
        with Session(engine) as session:
            assert_same_figures(session)
    finally:
        engine.dispose()


def test_a_generated_archive_gives_the_full_pass_figures(fresh_database, tmp_path):
    from bench.archive import generate

    generate(fresh_database, data_dir=tmp_path, tenders_count=200, permits_count=10, seed=5)
    engine = make_engine(fresh_database)
    try:
        with Session(engine) as session:
            assert aggregates.refresh(session, now=datetime.now(UTC)) == 200
            assert_same_figures(session, every_tender=False, parties=15)
    finally:
        engine.dispose()


@pytest.fixture
def demo_clone_url(demo_golden, tmp_path_factory, tmp_path):
    url = demo_clone(demo_golden, tmp_path_factory, tmp_path)
    yield url
    drop_database(url)
