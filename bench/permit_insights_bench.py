"""The permit aggregates' own cost: a first build, and a refresh per changed application.

    .venv/bin/python bench/permit_insights_bench.py sqlite:////tmp/a1/archive.sqlite3 --rebuild
    .venv/bin/python bench/permit_insights_bench.py postgresql+psycopg://postgres@127.0.0.1/a1

On an existing database (bench/archive.py makes one of any size). With --rebuild the aggregates
are first built from nothing (`prongsai insights rebuild` does it with the procurement ones)
and its rate reported. Then --changed applications, drawn at random, are stamped as changed
now (as every change of an application or of its stages stamps its updated_at) and one
refresh reads them in, as the scheduled job does every 5 seconds: its time per changed
application is reported. The stamps are the only change to the data.
"""

from __future__ import annotations

import argparse
import random
import resource
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
from core.settings import Settings  # noqa: E402
from permits.insights import aggregates  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("url", help="a database with permit applications")
    parser.add_argument("--rebuild", action="store_true", help="build from nothing first")
    parser.add_argument("--changed", type=int, default=1000, help="applications stamped")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    engine = make_engine(args.url)
    settings = Settings(secret_key="b" * 32)
    print(run_header(engine.dialect.name))
    with Session(engine) as session:
        if args.rebuild:
            started = time.perf_counter()
            built = aggregates.rebuild(session, settings=settings, now=datetime.now(UTC))
            seconds = time.perf_counter() - started
            rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            print(
                f"first build: {built} applications in {seconds:.1f} s, "
                f"{built / seconds:,.0f}/s, {rss:.0f} MB RSS"
            )
        else:
            aggregates.refresh(session, settings=settings, now=datetime.now(UTC))
        for table in ("permits_insight_sum", "permits_insight_open"):
            count = session.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar()
            print(f"{table}: {count:,} rows")
        highest = session.execute(sa.text("SELECT max(id) FROM permits_application")).scalar()
        ids = random.Random(args.seed).sample(range(1, highest + 1), min(args.changed, highest))
        now = datetime.now(UTC)
        application = sa.table("permits_application", sa.column("id"), sa.column("updated_at"))
        session.execute(
            sa.update(application).where(application.c.id.in_(ids)).values(updated_at=now), {}
        )
        session.commit()
        started = time.perf_counter()
        read = aggregates.refresh(session, settings=settings, now=now)
        seconds = time.perf_counter() - started
    print(
        f"refresh of {len(ids)} changed applications: {read} read in {seconds:.2f} s, "
        f"{seconds / max(read, 1) * 1000:.2f} ms an application"
    )
    engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
