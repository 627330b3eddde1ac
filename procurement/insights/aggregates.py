"""The procurement aggregates, kept up to date from the tenders changed since the last run.

Each published tender has one row in procurement_insight_tender holding what it adds to the
public figures (`Kept`: its opened bidders, live awards, the codes of its own red flags) and
its own flags in procurement_insight_flag. A refresh reads the tenders changed since its cursor
(every public change stamps the tender's updated_at, in publishing.service.record), takes each
one's old contribution away from the running totals of procurement_insight_sum and adds the
new one, in the same transaction as the tender's row. Pages read a bounded number of totals.

The kinds of total, for a year of publication (0: every year), and what n1…n4 count:

- totals (no key): n1 published tenders.
- buyer (k1 buyer): n1 opened tenders, n2 their bidders, n3 single-bid ones, n4 one-award ones.
- month (k3 month of decision, cur) and category (k3 category, cur): n1 live awards, n2 value.
- supplier (k1 supplier, cur): n1 awarded value, n2 live awards, n3 tenders bid in.
- bidders (k3 "0" … "6", six or more): n1 opened tenders with that many bidders.
- flag (k3 code): n1 tenders the tender's own flag of that code is raised on.
- pair (k1 buyer, k2 supplier): n1 one-award tenders of the buyer the supplier won.
- outcome (k1 supplier): n1 one-award tenders won, n2 lost, n3 Σ winner ids, n4 Σ winner ids².
- home (cur; year 0 only): n1 standstill or final awards, n2 their value.
The totals behind the buyer and supplier profiles are kept in the same refresh, in a table of
their own (procurement_insight_party_sum); their kinds are listed in
procurement.insights.party_sums.

"one-award" tenders have exactly one live award (the red flags' "awarded" tenders); a bidder
lost to a single winner exactly when n2·n4 = n3² (the winners' ids have no variance).
"""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from core.db import analyze_after_build, claim_cursor
from procurement.insights import facts, flags, party_sums
from procurement.insights.models import (
    InsightCursor,
    InsightFlag,
    InsightPartySum,
    InsightSum,
    InsightTender,
)
from procurement.tenders.models import Tender, TenderStatus

log = logging.getLogger(__name__)

SOURCE = "procurement.tenders"
LAG = timedelta(seconds=60)
BATCH = 2000
BIDDER_BUCKETS = 6
# After reading this many tenders in one refresh (a first build), PostgreSQL's statistics of
# the tables are refreshed at once: planned as empty, the pages' joins scanned every total.
HOME_AWARDS = frozenset({"standstill", "final"})
Key = tuple[str, int, int, int, str, str]  # kind, year, k1, k2, k3, cur
_COLUMNS = ("kind", "year", "k1", "k2", "k3", "cur", "n1", "n2", "n3", "n4")
_SUM = InsightSum.__table__  # type: ignore[attr-defined]  # set by SQLAlchemy
_PARTY = InsightPartySum.__table__  # type: ignore[attr-defined]
_TENDER = InsightTender.__table__  # type: ignore[attr-defined]
_FLAG = InsightFlag.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Kept:
    """What one published tender adds to the figures; stored as JSON with its row."""

    buyer: int
    year: int | None
    category: str
    currency: str
    opened: bool
    bidders: list[int]
    awards: list[tuple[int, int, str, str, str]]  # supplier, value, currency, month, status
    winner: int | None
    codes: list[str]
    # For the profiles' totals; None on a row read before they existed (see party_sums).
    estimated: int | None = None
    opened_year: int | None = None
    bids: list[int] | None = None  # the supplier of each opened bid
    contracts: list[tuple[int, int, str, int]] | None = None  # supplier, value, currency, year

    @classmethod
    def of(cls, tender: facts.TenderFact, codes: Iterable[str]) -> Kept:
        return cls(
            buyer=tender.buyer_id,
            year=tender.published_at.year if tender.published_at else None,
            category=tender.category,
            currency=tender.currency,
            opened=tender.opened,
            bidders=sorted(tender.bidders),
            awards=[
                (a.supplier_id, a.value, a.currency, a.decided_at.strftime("%Y-%m"), a.status)
                for a in tender.awards
            ],
            winner=tender.award.supplier_id if tender.award else None,
            codes=sorted(set(codes)),
            estimated=tender.estimated_value,
            opened_year=tender.opened_at.year if tender.opened_at else None,
            bids=[b.supplier_id for b in tender.bids],
            contracts=party_sums.contracts(tender),
        )

    @classmethod
    def loads(cls, text: str) -> Kept:
        data = json.loads(text)
        data["awards"] = [tuple(a) for a in data["awards"]]
        if data.get("contracts") is not None:
            data["contracts"] = [tuple(c) for c in data["contracts"]]
        return cls(**data)

    def dumps(self) -> str:
        # not dataclasses.asdict, which deep-copies every list: a fifth of a first build's time
        fields = {name: getattr(self, name) for name in self.__dataclass_fields__}
        return json.dumps(fields, separators=(",", ":"))


def contributions(
    kept: Kept, out: dict[Key, list[int]] | None = None, sign: int = 1
) -> dict[Key, list[int]]:
    """What this tender adds to each running total (see the table above), added into `out`
    (times `sign`: -1 takes a tender's old contribution away)."""
    if out is None:
        out = defaultdict(lambda: [0, 0, 0, 0])

    def add(key: Key, *values: int) -> None:
        row = out[key]
        for i, value in enumerate(values):
            row[i] += sign * value

    bidders = len(kept.bidders)
    for year in (0, kept.year) if kept.year else (0,):
        add(("totals", year, 0, 0, "", ""), 1)
        if kept.opened:
            add(("buyer", year, kept.buyer, 0, "", ""), 1, bidders, int(bidders == 1))
            add(("bidders", year, 0, 0, str(min(bidders, BIDDER_BUCKETS)), ""), 1)
        for supplier, value, currency, month, _status in kept.awards:
            add(("month", year, 0, 0, month, currency), 1, value)
            add(("category", year, 0, 0, kept.category, currency), 1, value)
            add(("supplier", year, supplier, 0, "", currency), value, 1)
        for bidder in kept.bidders:
            add(("supplier", year, bidder, 0, "", kept.currency), 0, 0, 1)
        for code in kept.codes:
            add(("flag", year, 0, 0, code, ""), 1)
        if (winner := kept.winner) is not None:
            add(("buyer", year, kept.buyer, 0, "", ""), 0, 0, 0, 1)
            add(("pair", year, kept.buyer, winner, "", ""), 1)
            add(("outcome", year, winner, 0, "", ""), 1)
            for loser in kept.bidders:
                if loser != winner:
                    add(("outcome", year, loser, 0, "", ""), 0, 1, winner, winner * winner)
    for _supplier, value, currency, _month, status in kept.awards:
        if status in HOME_AWARDS:
            add(("home", 0, 0, 0, "", currency), 1, value)
    party_sums.add_to(kept, add)
    return out


def _upsert_sums(session: Session, delta: dict[Key, list[int]]) -> None:
    site, party = [], []
    for key, values in delta.items():
        if any(values):
            if key[0] in party_sums.KINDS:
                party.append(party_sums.row(key, values))
            else:
                site.append(dict(zip(_COLUMNS, (*key, *values), strict=True)))
    _upsert(session, _SUM, site)
    _upsert(session, _PARTY, party)


def _upsert(session: Session, table: sa.Table, rows: list[dict]) -> None:
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(table)
    counters = [n for n in ("n1", "n2", "n3", "n4") if n in table.c]
    keys = [c.name for c in table.primary_key.columns]
    statement = statement.on_conflict_do_update(
        index_elements=keys,
        set_={n: table.c[n] + statement.excluded[n] for n in counters},
    )
    for start in range(0, len(rows), 5000):
        session.execute(statement, rows[start : start + 5000])


def apply(session: Session, changed: dict[int, datetime]) -> int:
    """Bring the rows of these tenders (id -> updated_at) and the totals up to date."""
    ids = list(changed)
    loaded = facts.load(session, tender_ids=ids)
    old = {
        row.tender_id: Kept.loads(row.kept)
        for row in session.exec(select(InsightTender).where(col(InsightTender.tender_id).in_(ids)))
    }
    delta: dict[Key, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for kept in old.values():
        contributions(kept, delta, -1)
    tender_rows, flag_rows = [], []
    for tender in loaded:
        hits = list(flags.per_tender(tender))
        kept = Kept.of(tender, (code for code, *_ in hits))
        contributions(kept, delta)
        tender_rows.append(
            {
                "tender_id": tender.id,
                "buyer_id": tender.buyer_id,
                "year": kept.year,
                "winner_id": kept.winner,
                "kept": kept.dumps(),
                "updated_at": changed[tender.id],
            }
        )
        flag_rows += [
            {
                "tender_id": tender.id,
                "seq": seq,
                "code": code,
                "year": kept.year,
                "supplier_id": supplier,
                "message": message,
                "values_json": json.dumps(values, ensure_ascii=False, sort_keys=True),
            }
            for seq, (code, _tender, supplier, (message, values)) in enumerate(hits)
        ]
    _upsert_sums(session, delta)
    if old:
        session.execute(sa.delete(_TENDER).where(_TENDER.c.tender_id.in_(list(old))))
    session.execute(sa.delete(_FLAG).where(_FLAG.c.tender_id.in_(ids)))
    if tender_rows:
        session.execute(sa.insert(_TENDER), tender_rows)
    if flag_rows:
        session.execute(sa.insert(_FLAG), flag_rows)
    return len(loaded)


def refresh(session: Session, *, now: datetime, batch: int = BATCH) -> int:
    """Read the tenders changed since the cursor into the aggregates; how many changed."""
    done = 0
    position: tuple[datetime, int] | None = None
    first_build = False  # the first build: the planner learns the tables' sizes after it
    while True:
        cursor = claim_cursor(session, InsightCursor, SOURCE, now=now)
        if position is None and cursor.changed_at is not None:
            position = (cursor.changed_at, cursor.last_id)
        elif position is None:
            first_build = True
        # With the stamp each tender had when last read: one read again unchanged (the LAG
        # window, a clock ahead of this one) costs a comparison, not a reload.
        query = (
            sa.select(col(Tender.id), col(Tender.updated_at), col(InsightTender.updated_at))
            .select_from(Tender)
            .outerjoin(InsightTender, col(InsightTender.tender_id) == col(Tender.id))
            .where(col(Tender.status) != TenderStatus.DRAFT)
        )
        if position is not None:
            at, last_id = position
            query = query.where(
                col(Tender.updated_at) >= at,
                (col(Tender.updated_at) > at) | (col(Tender.id) > last_id),
            )
        rows = session.execute(
            query.order_by(col(Tender.updated_at), col(Tender.id)).limit(batch)
        ).all()
        if rows:
            changed = {tender_id: at for tender_id, at, kept_at in rows if kept_at != at}
            if changed:
                done += apply(session, changed)
            position = (rows[-1][1], rows[-1][0])
            at, last_id = position
            if at >= now - LAG:  # keep re-reading what late commits may still join
                at, last_id = now - LAG, 0
            if cursor.changed_at is None or (cursor.changed_at, cursor.last_id) < (at, last_id):
                cursor.changed_at, cursor.last_id = at, last_id
                session.add(cursor)
        session.commit()  # one batch at a time: a first build of millions can resume
        if len(rows) < batch:
            analyze_after_build(
                session, (_SUM, _PARTY, _TENDER, _FLAG), rows=done, first=first_build
            )
            return done


def rebuild(session: Session, *, now: datetime, batch: int = BATCH) -> int:
    """Forget every aggregate and build them again from the whole record."""
    for table in (_SUM, _PARTY, _TENDER, _FLAG):
        session.execute(sa.delete(table))
    session.execute(sa.delete(InsightCursor.__table__))  # type: ignore[attr-defined]
    session.commit()
    return refresh(session, now=now, batch=batch)
