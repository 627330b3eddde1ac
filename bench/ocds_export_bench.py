"""OCDS bulk export benchmark: releases per second and the server's peak memory.

    .venv/bin/python bench/ocds_export_bench.py --sizes 100000,200000
    .venv/bin/python bench/ocds_export_bench.py --server postgresql+psycopg://postgres@127.0.0.1/x
    .venv/bin/python bench/ocds_export_bench.py --baseline /tmp/main     # side by side

Makes a fresh database (SQLite in a temp folder, or one made on the PostgreSQL server; dropped
afterwards) with `prongsai migrate`, then fills it to each size in --sizes, growing the same
database: tenders, and four releases per tender written straight into procurement_release
(executemany on SQLite, COPY on PostgreSQL). The releases' JSON is shaped as the platform
publishes it (parties, tender with items and periods, bids, awards), 1.5–5 KB each, drawn
by a generator seeded by --seed, so a run is repeatable.

At each size it starts `prongsai serve` (uvicorn, one process, no scheduled jobs) on that
database, downloads /api/ocds/bulk/releases.jsonl.gz with curl to a file, and reads the
server's memory from /proc: VmRSS before the download and VmHWM (peak resident set) after
it. Releases per second are the size over curl's total time. The file is then decompressed
and its lines counted and hashed (not timed). With --baseline DIR (a checkout of an earlier commit:
`mkdir /tmp/main && git archive main | tar -x -C /tmp/main`) the server of that code is
measured too, right after, on the same database, and both lines are printed with whether the
two files hold the same JSON lines.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import os
import platform
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from sqlmodel import Session  # noqa: E402

from bench.databases import fresh_database  # noqa: E402
from core.auth.models import Organisation, OrganisationKind, Role, User  # noqa: E402
from core.db import make_engine  # noqa: E402

NOW = datetime(2026, 12, 7, 3, 0, tzinfo=UTC)
PREFIX = "ocds-prongsai"
RELEASES_PER_TENDER = 4
WORDS = [
    *("bridge", "road", "drainage", "school", "hospital", "lighting", "canal", "computers"),
    *("furniture", "vehicles", "uniforms", "cleaning", "security", "software", "survey"),
    *("design", "pumps", "repair", "supply", "maintenance"),
]
PLACES = ["Bang Kapi", "Lat Phrao", "Chiang Mai", "Khon Kaen", "Hat Yai", "Phuket", "Rayong"]


def environment(url: str, data_dir: Path, source: Path | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PRONGSAI_")}
    env.update(PRONGSAI_DATABASE_URL=url, PRONGSAI_DATA_DIR=str(data_dir))
    env["PRONGSAI_RUN_SCHEDULER"] = "false"  # the export alone, not the indexer's first build
    env["PYTHONPATH"] = str(source or ROOT)  # whose code serves (the server runs elsewhere)
    return env


def cli(*args: str) -> list[str]:
    # -c rather than the console script, so that PYTHONPATH chooses whose code runs.
    return [
        sys.executable,
        "-c",
        "import sys; from prongsai.cli import main; sys.exit(main())",
        *args,
    ]


# --- filling ----------------------------------------------------------------------------------


def stamp(moment: datetime) -> str:
    return moment.isoformat(timespec="microseconds").replace("+00:00", "Z")


def organisation(rng: random.Random, n: int) -> dict:
    name = f"{rng.choice(PLACES)} {' '.join(rng.sample(WORDS, 2)).title()} Co., Ltd. {n}"
    return {"id": f"supplier-{n}", "name": name}


def release_body(rng: random.Random, tender: int, seq: int, buyer: dict) -> tuple[str, dict]:
    """One release as the platform publishes it (the shape of releases.build_release)."""
    published = NOW - timedelta(minutes=rng.randrange(3 * 365 * 24 * 60))
    title = f"{' '.join(rng.sample(WORDS, 3)).capitalize()}, {rng.choice(PLACES)} no. {tender}"
    value = rng.randrange(10_000, 500_000_000)
    tag = ["tender", "tenderAmendment", "award", "contract"][seq]
    bidders = [organisation(rng, rng.randrange(50_000)) for _ in range(rng.randrange(9))]
    parties = [
        {
            **buyer,
            "identifier": {"id": f"099{tender % 10**10:010d}", "legalName": buyer["name"]},
            "roles": ["buyer", "procuringEntity"],
        }
    ] + [
        {
            **b,
            "identifier": {"id": f"0105{rng.randrange(10**9):09d}", "legalName": b["name"]},
            "roles": ["tenderer"],
        }
        for b in bidders
    ]
    release: dict = {
        "buyer": buyer,
        "date": stamp(published + timedelta(days=seq * 7)),
        "id": f"{PREFIX}-{tender}-{seq + 1:05d}",
        "initiationType": "tender",
        "language": "en",
        "ocid": f"{PREFIX}-{tender}",
        "parties": parties,
        "tag": [tag],
        "tender": {
            "awardCriteria": "priceOnly",
            "description": " ".join(rng.choices(WORDS, k=14)).capitalize() + ".",
            "eligibilityCriteria": "Thai juristic persons registered in the e-GP register.",
            "enquiryPeriod": {
                "startDate": stamp(published),
                "endDate": stamp(published + timedelta(days=10)),
            },
            "id": str(tender),
            "items": [
                {"description": rng.choice(WORDS), "id": str(i + 1), "quantity": rng.randrange(99)}
                for i in range(rng.randrange(1, 4))
            ],
            "mainProcurementCategory": rng.choice(["goods", "works", "services"]),
            "procurementMethod": "open",
            "procuringEntity": buyer,
            "status": "active" if seq < 2 else "complete",
            "submissionMethod": ["electronicSubmission"],
            "tenderPeriod": {
                "startDate": stamp(published),
                "endDate": stamp(published + timedelta(days=20)),
            },
            "title": title,
            "value": {"amount": value, "currency": "THB"},
        },
    }
    if seq >= 2 and bidders:
        release["bids"] = {
            "details": [
                {
                    "date": stamp(published + timedelta(days=19)),
                    "id": str(rng.randrange(10**7)),
                    "status": "valid",
                    "tenderers": [b],
                    "value": {"amount": value - rng.randrange(value), "currency": "THB"},
                }
                for b in bidders
            ]
        }
        release["awards"] = [
            {
                "date": release["date"],
                "id": str(tender),
                "status": "active",
                "suppliers": [bidders[0]],
                "title": f"Award of {title}",
                "value": {"amount": value, "currency": "THB"},
            }
        ]
    return json.dumps(release, ensure_ascii=False, sort_keys=True), release


def write(engine, table: str, rows: list[dict]) -> None:
    """executemany in one transaction on SQLite, COPY on PostgreSQL."""
    columns = list(rows[0])
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        names = ", ".join(columns)
        if engine.dialect.name == "postgresql":
            with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row([row[c] for c in columns])
        else:
            cursor.execute("BEGIN IMMEDIATE")  # the engine leaves BEGIN to SQLAlchemy
            marks = ", ".join("?" for _ in columns)
            cursor.executemany(
                f"INSERT INTO {table} ({names}) VALUES ({marks})",
                [tuple(row[c] for c in columns) for row in rows],
            )
        cursor.close()
        raw.commit()
    finally:
        raw.close()


def base_rows(engine) -> tuple[int, int]:
    """One buying entity and one user, for the tenders' foreign keys."""
    with Session(engine) as session:
        buyer = Organisation(
            slug="bench-buyer",
            name="Bench buying entity",
            kind=OrganisationKind.BUYING_ENTITY,
            created_at=NOW,
            registration_id="0994000000001",
        )
        session.add(buyer)
        session.flush()
        user = User(
            email="bench@bench.example",
            display_name="Bench",
            role=Role.BUYER,
            organisation_id=buyer.id,
            password_hash="x",
            created_at=NOW,
        )
        session.add(user)
        session.commit()
        return buyer.id, user.id


def fill(engine, start: int, end: int, seed: int, ids: tuple[int, int], chunk: int = 40_000):
    """Releases [start, end), four per tender, with their tenders; deterministic by seed."""
    buyer_id, user_id = ids
    buyer = {"id": "bench-buyer", "name": "Bench buying entity"}
    sqlite = engine.dialect.name == "sqlite"

    def when(moment: datetime):
        return moment.replace(tzinfo=None) if sqlite else moment

    for low in range(start, end, chunk):
        rng = random.Random(f"{seed}-{low}")
        tenders, releases = [], []
        for n in range(low, min(end, low + chunk)):
            tender, seq = n // RELEASES_PER_TENDER + 1, n % RELEASES_PER_TENDER
            if seq == 0:
                tenders.append(
                    {
                        "id": tender,
                        "buyer_id": buyer_id,
                        "created_by_id": user_id,
                        "title": f"Bench tender {tender}",
                        "description": "",
                        "category": "works",
                        "method": "open",
                        "estimated_value": 100_000,
                        "currency": "THB",
                        "award_criteria": "price",
                        "criteria_json": "[]",
                        "eligibility": "",
                        "invited_json": "[]",
                        "standstill_days": 10,
                        "version": 1,
                        "enquiry_end_at": when(NOW),
                        "tender_start_at": when(NOW),
                        "tender_end_at": when(NOW),
                        "opening_at": when(NOW),
                        "status": "awarded",
                        "created_at": when(NOW),
                        "updated_at": when(NOW),
                        "published_at": when(NOW),
                    }
                )
            body, release = release_body(rng, tender, seq, buyer)
            releases.append(
                {
                    "id": n + 1,
                    "release_id": release["id"],
                    "ocid": release["ocid"],
                    "tender_id": tender,
                    "date": when(datetime.fromisoformat(release["date"].replace("Z", "+00:00"))),
                    "tags": release["tag"][0],
                    "body": body,
                }
            )
        if tenders:
            write(engine, "procurement_tender", tenders)
        write(engine, "procurement_release", releases)
        print(f"  … {low + len(releases):,} releases", file=sys.stderr, flush=True)
    if engine.dialect.name == "postgresql":
        with engine.begin() as c:
            for table in ("procurement_tender", "procurement_release"):
                c.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT max(id) FROM {table}))"
                    )
                )
            c.execute(text("ANALYZE procurement_release"))


# --- measuring --------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def memory_kb(pid: int) -> dict[str, int]:
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            fields[name] = int(value.split()[0])
    return fields


def served_export(env: dict[str, str], folder: Path) -> dict:
    """Serve the app, download the bulk file once, and return the time and memory."""
    where = subprocess.run(
        [sys.executable, "-c", "import prongsai; print(prongsai.__file__)"],
        env=env,
        cwd=folder,
        check=True,
        capture_output=True,
        text=True,
    )
    print(f"  serving the code of {Path(where.stdout.strip()).parents[1]}", flush=True)
    port = free_port()
    server = subprocess.Popen(
        cli("serve", "--port", str(port)),
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=folder,  # not this checkout: `python -c` puts the working folder first on the path
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=2):  # noqa: S310 (http)
                    break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("the server did not start") from None
                time.sleep(0.2)
        before = memory_kb(server.pid)
        target = folder / "releases.jsonl.gz"
        out = subprocess.run(
            [
                "curl",
                "-s",
                "-o",
                str(target),
                "-w",
                "%{http_code} %{size_download} %{time_total}",
                f"{base}/api/ocds/bulk/releases.jsonl.gz",
            ],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.split()
        after = memory_kb(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=30)
    if out[0] != "200":
        raise RuntimeError(f"the bulk file answered {out[0]}")
    lines, digest = count_lines(target)
    target.unlink()
    return {
        "seconds": float(out[2]),
        "bytes": int(out[1]),
        "rss_before_mb": before["VmRSS"] / 1024,
        "peak_mb": after["VmHWM"] / 1024,
        "lines": lines,
        "sha256": digest,
    }


def count_lines(path: Path) -> tuple[int, str]:
    """Lines and SHA-256 of the decompressed file (every gzip member), in constant memory."""
    lines, digest = 0, hashlib.sha256()
    with gzip.open(path, "rb") as stream:
        while piece := stream.read(1 << 20):
            lines += piece.count(b"\n")
            digest.update(piece)
    return lines, digest.hexdigest()


def report(label: str, size: int, figures: dict) -> None:
    rate = size / figures["seconds"]
    print(
        f"{label} {size:,} releases: {rate:,.0f} releases/s ({figures['seconds']:.1f} s, "
        f"{figures['bytes'] / 2**20:.0f} MiB gzip); server RSS {figures['rss_before_mb']:.0f} MB "
        f"before, peak {figures['peak_mb']:.0f} MB; {figures['lines']:,} lines",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--server", help="PostgreSQL URL to create the bench database on")
    parser.add_argument("--sizes", default="100000,200000")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--baseline", help="a checkout whose server to measure as well")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="prongsai-ocds-bench-"))
    url, drop = fresh_database(args.server, folder, label="ocds")
    try:
        env = environment(url, folder / "data")
        subprocess.run(cli("migrate"), env=env, check=True, capture_output=True, cwd=folder)
        engine = make_engine(url)
        ids = base_rows(engine)
        database = engine.dialect.name
        print(f"# OCDS bulk export on {database}, {platform.node()}, {datetime.now(UTC):%Y-%m-%d}")
        print(f"# {os.cpu_count()} CPUs, Python {platform.python_version()}")
        filled = 0
        for size in (int(s) for s in args.sizes.split(",")):
            started = time.perf_counter()
            fill(engine, filled, size, args.seed, ids)
            filled = size
            with engine.connect() as c:
                average = c.execute(sa.text("SELECT avg(length(body)) FROM procurement_release"))
                print(
                    f"filled to {size:,} releases in {time.perf_counter() - started:.0f} s "
                    f"(average body {average.scalar_one():,.0f} characters)",
                    flush=True,
                )
            now = served_export(env, folder)
            report("this code:", size, now)
            if args.baseline:
                before = served_export(
                    environment(url, folder / "data", Path(args.baseline)), folder
                )
                report("baseline: ", size, before)
                same = "the same" if before["sha256"] == now["sha256"] else "DIFFERENT"
                print(f"  decompressed, the two files hold {same} JSON lines", flush=True)
        engine.dispose()
    finally:
        drop()
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
