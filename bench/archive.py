"""A national archive, generated: tenders with their bids, awards and contracts, and permit
applications with their stages, deterministic by seed (issue #13, target 9).

    .venv/bin/python bench/archive.py sqlite:////tmp/archive.sqlite3 --data-dir /tmp/archive
    createdb -h 127.0.0.1 -U postgres archive
    .venv/bin/python bench/archive.py postgresql+psycopg://postgres@127.0.0.1:5432/archive \
        --data-dir /tmp/archive-pg

The database given must be empty; the script migrates it, then writes --tenders published
tenders and --permits applications (1,000,000 each by default) straight into the real tables,
through the driver: COPY on PostgreSQL, executemany in transactions of a chunk on SQLite. The
generator gives every row its id, so children name their parents without reading them back;
the sequences are set afterwards. A progress bar per table shows rows and rate; the same seed
writes the same rows, byte for byte.

Proportions, after five years of a national e-procurement system (KONEPS's published
figures and the OCP's red-flag guide give the shape, not the numbers):

- tenders: 2% still taking bids, 3% opened, 8% awarded, 77% contracted, 10% cancelled;
  85% open, 15% selective; goods, works and services; one item each;
- opened tenders carry 1 to 15 bids (12% a single bid, 4.6 on average), 95% valid, 3% invalid,
  2% disqualified, priced 75–110% of the estimate and ranked by price;
- awarded and contracted tenders: an award to the lowest valid bid; a contract for each
  contracted one, 5% of them 10–30% above their award;
- permits: the shipped permit types in turn, 40% in progress (a fifth of them overdue), the
  rest approved or rejected, each with its first stage and its "submitted" transition.

Not generated (their own benchmarks fill them): OCDS releases, log entries, documents, lots.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy.engine import Engine

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench.search_bench import (  # noqa: E402
    CATEGORIES,
    PLACES,
    THAI_WORDS,
    organisations,
    permit_types,
    tender_text,
)
from core.db import make_engine  # noqa: E402
from core.ledger.keys import load_signer  # noqa: E402
from core.settings import Settings  # noqa: E402
from permits.rules import tracking_number  # noqa: E402
from prongsai import schema  # noqa: E402

NOW = datetime(2026, 11, 26, 3, 0, tzinfo=UTC)
YEARS = 5
CHUNK = 50_000
TENDER_STATUSES = ["active"] * 2 + ["opened"] * 3 + ["awarded"] * 8
TENDER_STATUSES += ["contracted"] * 77 + ["cancelled"] * 10
BIDDERS = [1] * 12 + [2] * 13 + [3] * 15 + [4] * 15 + [5] * 13 + [6] * 10 + [7] * 8
BIDDERS += [8] * 6 + [10] * 5 + [15] * 3
BID_STATUSES = ["valid"] * 95 + ["invalid"] * 3 + ["disqualified"] * 2


class Writer:
    """Rows into one database as fast as its driver takes them, in the caller's chunks."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.postgres = engine.dialect.name == "postgresql"

    def value(self, v: Any) -> Any:
        """What the driver is given: aware UTC datetimes on PostgreSQL; on SQLite the text
        SQLAlchemy itself stores (naive UTC, six-digit microseconds) and 0/1 for booleans."""
        if self.postgres or v is None:
            return v
        if isinstance(v, datetime):
            return v.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
        if isinstance(v, date):
            return v.isoformat()
        if isinstance(v, bool):
            return int(v)
        return v

    def write(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
        names = ", ".join(f'"{c}"' for c in columns)
        raw = self.engine.raw_connection()
        count = 0
        try:
            cursor = raw.cursor()
            if self.postgres:
                with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
                        count += 1
            else:
                marks = ", ".join("?" for _ in columns)
                batch = [tuple(self.value(v) for v in row) for row in rows]
                cursor.execute("BEGIN IMMEDIATE")
                cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", batch)
                count = len(batch)
            raw.commit()
        finally:
            raw.close()
        return count

    def reset_sequences(self, tables: Iterable[str]) -> None:
        if not self.postgres:
            return  # SQLite's rowid takes the next integer by itself
        with self.engine.begin() as connection:
            for table in tables:
                connection.execute(
                    sa.text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT coalesce(max(id), 1) FROM {table}))"
                    )
                )


TENDER = [
    "id",
    "buyer_id",
    "created_by_id",
    "title",
    "description",
    "category",
    "method",
    "estimated_value",
    "currency",
    "award_criteria",
    "criteria_json",
    "eligibility",
    "invited_json",
    "standstill_days",
    "enquiry_end_at",
    "tender_start_at",
    "tender_end_at",
    "opening_at",
    "status",
    "version",
    "created_at",
    "updated_at",
    "published_at",
    "cancelled_at",
    "cancel_reason",
    "opened_at",
]
ITEM = ["id", "tender_id", "position", "description", "quantity", "unit"]
BID = [
    "id",
    "tender_id",
    "supplier_id",
    "version",
    "status",
    "ciphertext",
    "commitment",
    "sealed_by_client",
    "log_index",
    "submitted_at",
    "price",
    "price_currency",
    "rank",
    "problem",
]
AWARD = [
    "id",
    "tender_id",
    "buyer_id",
    "bid_id",
    "supplier_id",
    "value",
    "currency",
    "status",
    "justification",
    "decided_at",
    "standstill_end_at",
]
CONTRACT = [
    "id",
    "award_id",
    "value",
    "currency",
    "start_date",
    "end_date",
    "signed_date",
    "created_at",
]


def tenders(rng: random.Random, ids: dict[str, list[int]], count: int) -> Iterator[dict]:
    """Each tender with its item, bids, award and contract, as rows per table."""
    next_bid = next_award = 1
    suppliers = ids["supplier"]
    for n in range(1, count + 1):
        title, description = tender_text(rng, n)
        start = NOW - timedelta(minutes=rng.randrange(YEARS * 365 * 24 * 60))
        days = rng.choice((7, 10, 14, 15, 20, 21, 30, 45))
        deadline = start + timedelta(days=days)
        status = rng.choice(TENDER_STATUSES)
        if status == "active":  # still taking bids: a recent tender
            start = NOW - timedelta(days=rng.randrange(1, days))
            deadline = start + timedelta(days=days)
        estimate = rng.randrange(10_000, 50_000_000) * 100
        opened = status in ("opened", "awarded", "contracted")
        method = "selective" if rng.random() < 0.15 else "open"
        rows: dict[str, list] = {"tender": [], "item": [], "bid": [], "award": [], "contract": []}
        buyer = ids["buyer"][rng.randrange(len(ids["buyer"]))]
        rows["tender"].append(
            (
                n, buyer, ids["user"][0], title,
                description, rng.choice(CATEGORIES), method, estimate, "THB", "lowest_price",
                "[]", "", "[]", 10, start + timedelta(days=days // 2), start, deadline,
                deadline + timedelta(hours=1), status, 1, start, deadline, start,
                deadline if status == "cancelled" else None,
                "The budget was withdrawn." if status == "cancelled" else None,
                deadline + timedelta(hours=1) if opened else None,
            )
        )  # fmt: skip
        rows["item"].append((n, n, 1, f"{title[:60]} — works as specified", "1.000", "lot"))
        if opened:
            bidders = rng.sample(suppliers, min(len(suppliers), rng.choice(BIDDERS)))
            bids = []
            for supplier in bidders:
                price = estimate * rng.randrange(7_500, 11_000) // 10_000
                bids.append([next_bid, supplier, rng.choice(BID_STATUSES), price, None])
                next_bid += 1
            valid = sorted((b for b in bids if b[2] == "valid"), key=lambda b: (b[3], b[0]))
            for place, bid in enumerate(valid, start=1):
                bid[4] = place
            for bid_id, supplier, bid_status, price, rank in bids:
                digest = hashlib.sha256(f"{n}:{bid_id}".encode()).hexdigest()
                problem = None if bid_status == "valid" else "The commitment does not match."
                submitted = deadline - timedelta(minutes=rng.randrange(1, days * 24 * 60))
                rows["bid"].append(
                    (
                        bid_id, n, supplier, 1, bid_status, b"", digest, False, bid_id,
                        submitted, price, "THB", rank, problem,
                    )
                )  # fmt: skip
            if status in ("awarded", "contracted") and valid:
                winner = valid[0]
                decided = deadline + timedelta(days=rng.randrange(3, 30))
                award_status = (
                    "final" if status == "contracted" else rng.choice(("standstill", "final"))
                )
                rows["award"].append(
                    (
                        next_award, n, buyer, winner[0], winner[1], winner[3], "THB", award_status,
                        "The lowest valid price.", decided, decided + timedelta(days=10),
                    )
                )  # fmt: skip
                if status == "contracted":
                    value = winner[3]
                    if rng.random() < 0.05:
                        value = value * rng.randrange(110, 131) // 100
                    signed = (decided + timedelta(days=rng.randrange(11, 40))).date()
                    rows["contract"].append(
                        (
                            next_award, next_award, value, "THB", signed,
                            signed + timedelta(days=rng.randrange(30, 720)), signed,
                            decided + timedelta(days=11),
                        )
                    )  # fmt: skip
                next_award += 1
        yield rows


APPLICATION = [
    "id",
    "tracking_number",
    "type_id",
    "type_code",
    "year",
    "sequence",
    "applicant_id",
    "status",
    "description",
    "form_data",
    "submitted_at",
    "decided_at",
    "updated_at",
    "current_stage",
    "current_department_id",
    "current_due_at",
]
STAGE = [
    "id",
    "application_id",
    "position",
    "code",
    "department_id",
    "started_at",
    "original_due_at",
    "due_at",
    "expected_at",
    "ended_at",
    "outcome",
    "paused_units",
    "overdue_at",
]
TRANSITION = [
    "id",
    "application_id",
    "stage_id",
    "action",
    "effective_at",
    "entered_at",
    "late_entry",
]


def permits(rng: random.Random, ids, types, count: int) -> Iterator[dict]:
    numbers: dict[tuple[str, int], int] = {}
    for n in range(1, count + 1):
        code, type_id, type_name, stage_code, department = types[n % len(types)]
        submitted = NOW - timedelta(minutes=rng.randrange(YEARS * 365 * 24 * 60))
        key = (code, submitted.year)
        numbers[key] = numbers.get(key, 0) + 1
        running = rng.random() < 0.4
        due = submitted + timedelta(days=rng.choice((5, 10, 15, 30)))
        if running and rng.random() < 0.8:  # most running ones are recent, a fifth overdue
            submitted = NOW - timedelta(minutes=rng.randrange(1, 4 * 24 * 60))
            due = submitted + timedelta(days=rng.choice((5, 10, 15, 30)))
        place, words = rng.choice(PLACES), "".join(rng.sample(THAI_WORDS, 2))
        outcome = None if running else rng.choice(("approved", "approved", "rejected"))
        yield {
            "application": [
                (
                    n, tracking_number(*key, numbers[key]), type_id, code, key[1],
                    numbers[key], ids["applicant"][0],
                    "in_progress" if running else outcome, f"{type_name}: {place} {words} ({n})",
                    "{}", submitted, None if running else due, submitted,
                    *((stage_code, department, due) if running else (None, None, None)),
                )
            ],
            "stage": [
                (
                    n, n, 0, stage_code, department, submitted, due, due, due,
                    None if running else due, outcome, 0,
                    due if running and due < NOW else None,
                )
            ],
            "transition": [(n, n, n, "submitted", submitted, submitted, False)],
        }  # fmt: skip


def fill(
    writer: Writer,
    tables: dict[str, tuple[str, list[str]]],
    records: Iterator[dict],
    count: int,
    progress: Progress,
    label: str,
) -> dict[str, int]:
    """Write the records' rows a chunk at a time; the rows written per table."""
    task = progress.add_task(label, total=count)
    written = dict.fromkeys(tables, 0)
    done = 0
    while done < count:
        chunk: dict[str, list] = {name: [] for name in tables}
        for _, record in zip(range(CHUNK), records, strict=False):
            for name, rows in record.items():
                chunk[name].extend(rows)
            done += 1
        for name, (table, columns) in tables.items():  # parents first: the dict's order
            if chunk[name]:
                written[name] += writer.write(table, columns, chunk[name])
        progress.update(task, completed=done)
    return written


def generate(
    url: str, *, data_dir: Path, tenders_count: int, permits_count: int, seed: int
) -> dict:
    """Fill the empty database at `url`; `data_dir` becomes its deployment's data folder (the
    log's signing key, made before the first entry), so `prongsai serve` runs on it."""
    settings = Settings(data_dir=data_dir, database_url=url)
    load_signer(settings.signing_key_path, name=settings.origin, may_create=True)
    schema.upgrade(url)
    engine = make_engine(url)
    writer = Writer(engine)
    rng = random.Random(seed)
    report: dict = {"database": engine.dialect.name, "seed": seed}
    started = time.perf_counter()
    ids = organisations(engine, buyers=200, suppliers=2_000)
    types = permit_types(engine)
    columns = [
        TextColumn("{task.description:<24}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    ]
    with Progress(*columns, transient=False) as progress:
        procurement = {
            "tender": ("procurement_tender", TENDER),
            "item": ("procurement_item", ITEM),
            "bid": ("procurement_bid", BID),
            "award": ("procurement_award", AWARD),
            "contract": ("procurement_contract", CONTRACT),
        }
        records = tenders(rng, ids, tenders_count)
        report["rows"] = fill(writer, procurement, records, tenders_count, progress, "tenders")
        permit_tables = {
            "application": ("permits_application", APPLICATION),
            "stage": ("permits_stage", STAGE),
            "transition": ("permits_transition", TRANSITION),
        }
        records = permits(rng, ids, types, permits_count)
        report["rows"] |= fill(
            writer, permit_tables, records, permits_count, progress, "permit applications"
        )
    writer.reset_sequences(table for table, _ in [*procurement.values(), *permit_tables.values()])
    if writer.postgres:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(sa.text("ANALYZE"))
    report["seconds"] = round(time.perf_counter() - started, 1)
    engine.dispose()
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("url", help="an empty database: sqlite:///… or postgresql+psycopg://…")
    parser.add_argument("--tenders", type=int, default=1_000_000)
    parser.add_argument("--permits", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument(
        "--data-dir", type=Path, required=True, help="the deployment's data folder to make"
    )
    args = parser.parse_args(argv)
    report = generate(
        args.url,
        data_dir=args.data_dir,
        tenders_count=args.tenders,
        permits_count=args.permits,
        seed=args.seed,
    )
    print(report)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
