"""Tables of the procurement aggregates: what each published tender adds to the public figures.

Kept by the refresh job (procurement.insights.aggregates) from the tenders changed since its
cursor, never written by a page. Rebuilt from the record at any time (`prongsai insights
rebuild`); only what the opening made public is ever in them.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from core.db import UTCDateTime


class InsightTender(SQLModel, table=True):
    """One published tender as the figures count it: what it adds, and its own red flags."""

    __tablename__ = "procurement_insight_tender"
    __table_args__ = (
        sa.Index("ix_procurement_insight_tender_buyer_winner", "buyer_id", "winner_id", "year"),
    )

    tender_id: int = Field(
        primary_key=True, sa_type=sa.BigInteger, sa_column_kwargs={"autoincrement": False}
    )
    buyer_id: int = Field(sa_type=sa.BigInteger)
    year: int | None = Field(default=None, description="year of publication")
    # the one live award's supplier (None with no award or several, on a tender with lots)
    winner_id: int | None = Field(default=None, sa_type=sa.BigInteger)
    # what the tender adds up to, as JSON: bidders, awards, opened, category, codes (see Kept)
    kept: str = Field(sa_type=sa.Text)
    updated_at: datetime = Field(sa_type=UTCDateTime, description="the tender's, when read")


class InsightFlag(SQLModel, table=True):
    """A red flag raised by one tender's own record (the indicators that need no other)."""

    __tablename__ = "procurement_insight_flag"
    __table_args__ = (
        sa.Index("ix_procurement_insight_flag_code_tender", "code", "tender_id", "seq"),
        sa.Index("ix_procurement_insight_flag_code_year_tender", "code", "year", "tender_id"),
    )

    tender_id: int = Field(
        primary_key=True, sa_type=sa.BigInteger, sa_column_kwargs={"autoincrement": False}
    )
    seq: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    code: str = Field(sa_type=sa.String(40))
    year: int | None = Field(default=None)
    supplier_id: int | None = Field(default=None, sa_type=sa.BigInteger)
    message: str = Field(sa_type=sa.String(200))
    values_json: str = Field(sa_type=sa.Text)


class InsightSum(SQLModel, table=True):
    """A running total: of one kind, for a year of publication (0: every year), by its keys.

    The kinds and what n1…n4 count are listed in procurement.insights.aggregates.
    """

    __tablename__ = "procurement_insight_sum"
    __table_args__ = (
        sa.Index("ix_procurement_insight_sum_kind_year_n1_n2", "kind", "year", "n1", "n2"),
        sa.Index("ix_procurement_insight_sum_kind_year_k1_n1", "kind", "year", "k1", "n1"),
    )

    kind: str = Field(primary_key=True, sa_type=sa.String(16))
    year: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    k1: int = Field(
        primary_key=True, sa_type=sa.BigInteger, sa_column_kwargs={"autoincrement": False}
    )
    k2: int = Field(
        primary_key=True, sa_type=sa.BigInteger, sa_column_kwargs={"autoincrement": False}
    )
    k3: str = Field(primary_key=True, sa_type=sa.String(40))
    cur: str = Field(primary_key=True, sa_type=sa.String(3))
    n1: int = Field(default=0, sa_type=sa.BigInteger)
    n2: int = Field(default=0, sa_type=sa.BigInteger)
    n3: int = Field(default=0, sa_type=sa.BigInteger)
    n4: int = Field(default=0, sa_type=sa.BigInteger)


class InsightPartySum(SQLModel, table=True):
    """A running total behind one buyer's or supplier's profile (k1: the party), for every year.

    The kinds and what n1…n3 count are listed in procurement.insights.party_sums. Apart from
    procurement_insight_sum, with its primary key as its only index (and the table itself on
    SQLite, without a row id): there are millions of them, and a refresh updates about forty a
    tender, where each index more would be one more write.
    """

    __tablename__ = "procurement_insight_party_sum"
    __table_args__ = {"sqlite_with_rowid": False}

    kind: str = Field(primary_key=True, sa_type=sa.String(16))
    k1: int = Field(
        primary_key=True, sa_type=sa.BigInteger, sa_column_kwargs={"autoincrement": False}
    )
    k2: int = Field(
        primary_key=True, sa_type=sa.BigInteger, sa_column_kwargs={"autoincrement": False}
    )
    k3: str = Field(primary_key=True, sa_type=sa.String(16))
    cur: str = Field(primary_key=True, sa_type=sa.String(3))
    n1: int = Field(default=0, sa_type=sa.BigInteger)
    n2: int = Field(default=0, sa_type=sa.BigInteger)
    n3: int = Field(default=0, sa_type=sa.BigInteger)


class InsightCursor(SQLModel, table=True):
    """How far the refresh job has read the tenders' changes (updated_at, then id)."""

    __tablename__ = "procurement_insight_cursor"

    source: str = Field(primary_key=True, sa_type=sa.String(64))
    changed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_id: int = Field(default=0, sa_type=sa.BigInteger)
    updated_at: datetime = Field(sa_type=UTCDateTime)


# The profiles' lists, newest first, each read through an index that starts with the party
# (migration 0016_profile_indexes). Declared here, with the aggregates the profiles read,
# rather than in each domain's models: they serve these pages only.
def _profile_indexes() -> None:
    from procurement.awards.models import Award
    from procurement.bids.models import Bid
    from procurement.contracts.models import Contract
    from procurement.tenders.models import Tender

    tender = Tender.__table__  # type: ignore[attr-defined]  # set by SQLAlchemy
    bid = Bid.__table__  # type: ignore[attr-defined]
    award = Award.__table__  # type: ignore[attr-defined]
    contract = Contract.__table__  # type: ignore[attr-defined]
    # A buyer's tenders newest first, and (with the next two) the ids of a page of its awards or
    # contracts found from the indexes alone, without reading a row of each of its thousands.
    sa.Index(
        "ix_procurement_tender_buyer_id_id_status", tender.c.buyer_id, tender.c.id, tender.c.status
    )
    sa.Index(
        "ix_procurement_award_tender_id_status_decided_at",
        award.c.tender_id,
        award.c.status,
        award.c.decided_at,
        award.c.id,
    )
    sa.Index(
        "ix_procurement_contract_award_id_signed_date",
        contract.c.award_id,
        contract.c.signed_date,
        contract.c.id,
    )
    sa.Index("ix_procurement_bid_supplier_id_tender_id", bid.c.supplier_id, bid.c.tender_id)
    sa.Index(
        "ix_procurement_award_supplier_id_decided_at",
        award.c.supplier_id,
        award.c.decided_at,
        award.c.id,
    )


_profile_indexes()
