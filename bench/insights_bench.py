"""The procurement aggregates' own cost: a first build, and a refresh per changed tender.

    .venv/bin/python bench/insights_bench.py sqlite:////tmp/a1/archive.sqlite3 --rebuild
    .venv/bin/python bench/insights_bench.py postgresql+psycopg://postgres@127.0.0.1:5432/a1

On an existing database (bench/archive.py makes one of any size). With --rebuild the aggregates
are first built from nothing (`prongsai insights rebuild`) and its rate reported. Then
--changed tenders, drawn at random among the published ones, are stamped as changed now (as
every public change stamps its tender's updated_at) and one refresh reads them in, as the
scheduled job does every 5 seconds: its time per changed tender is reported, with the rows of
the running totals it touched. The stamps are the only change to the data.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from sqlmodel import Session

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench.databases import run_header  # noqa: E402
from core.db import make_engine  # noqa: E402
from procurement.insights import aggregates  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("url", help="a database with published tenders")
    parser.add_argument("--rebuild", action="store_true", help="build from nothing first")
    parser.add_argument("--changed", type=int, default=1000, help="tenders stamped as changed")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    engine = make_engine(args.url)
    print(run_header(engine.dialect.name))
    with Session(engine) as session:
        if args.rebuild:
            started = time.perf_counter()
            built = aggregates.rebuild(session, now=datetime.now(UTC))
            seconds = time.perf_counter() - started
            print(f"first build: {built} tenders in {seconds:.1f} s, {built / seconds:,.0f}/s")
        else:
            aggregates.refresh(session, now=datetime.now(UTC))  # up to date before timing
        count = session.execute(sa.text("SELECT count(*) FROM procurement_insight_sum")).scalar()
        print(f"running totals: {count:,} rows")
        highest = session.execute(sa.text("SELECT max(id) FROM procurement_tender")).scalar()
        ids = random.Random(args.seed).sample(range(1, highest + 1), min(args.changed, highest))
        now = datetime.now(UTC)
        tender = sa.table("procurement_tender", sa.column("id"), sa.column("updated_at"))
        session.execute(sa.update(tender).where(tender.c.id.in_(ids)).values(updated_at=now), {})
        session.commit()
        started = time.perf_counter()
        read = aggregates.refresh(session, now=now)
        seconds = time.perf_counter() - started
    print(
        f"refresh of {len(ids)} changed tenders: {read} read in {seconds:.2f} s, "
        f"{seconds / max(read, 1) * 1000:.2f} ms a tender"
    )
    engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
