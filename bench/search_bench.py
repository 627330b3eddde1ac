"""Search benchmark: a million tenders and a million permit applications, then p50/p95.

    .venv/bin/python bench/search_bench.py sqlite:////tmp/search-bench.sqlite3
    createdb -h 127.0.0.1 -U postgres search_bench
    .venv/bin/python bench/search_bench.py postgresql+psycopg://postgres@127.0.0.1:5432/search_bench
    dropdb -h 127.0.0.1 -U postgres search_bench

The database given must be empty (or hold an earlier run of this script, with --skip-load).
The script migrates it, generates the rows (no data files: a seeded generator writes English
and unspaced Thai titles) straight into the real tables the index reads (procurement_tender;
permits_application with its first stage and its "submitted" transition) by bulk inserts
(executemany on SQLite, COPY on PostgreSQL), then builds the search index with the indexer
the scheduled job runs (public_site.search.index.refresh). As an operator would for a first
build, the full-text objects are made after the documents are written (the FTS5 table is
rebuilt; the trigram GIN indexes are created), not maintained row by row. Then it times,
in process through the ASGI app (no network), each query --samples times and prints p50/p95:
searches (a common word, a rare word, a Thai word, facet filters, a page deep in the results
through its keyset cursor) and a tender record page and a permit record page.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import platform
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlmodel import Session

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.auth.models import Organisation, OrganisationKind, Role, User
from core.clock import FrozenClock
from core.db import make_engine
from core.ledger.keys import load_signer
from core.settings import Settings
from permits import catalogue
from permits.models import Application, Stage, Transition
from permits.rules import tracking_number
from procurement.tenders.models import Tender
from prongsai import schema
from prongsai.app import create_app
from public_site.search import index as search_index
from public_site.search.cursor import encode_cursor

NOW = datetime(2026, 11, 26, 3, 0, tzinfo=UTC)
DEPARTMENTS = ("bma-public-works", "bma-health", "phra-nakhon-district")
# (word, share of tenders whose title has it): a common, a rare and a Thai word.
COMMON, RARE, THAI = "road", "zeppelin", "สะพาน"
ENGLISH = [
    "supply",
    "repair",
    "maintenance",
    "construction",
    "hospital",
    "school",
    "bridge",
    "drainage",
    "lighting",
    "canal",
    "computers",
    "furniture",
    "vehicles",
    "uniforms",
    "cleaning",
    "security",
    "software",
    "survey",
    "design",
    "pumps",
]
THAI_WORDS = [
    "ก่อสร้าง",
    "ซ่อมแซม",
    "จัดซื้อ",
    "ครุภัณฑ์",
    "โรงเรียน",
    "โรงพยาบาล",
    "ระบาย",
    "ไฟฟ้า",
    "คอมพิวเตอร์",
    "เครื่องสูบน้ำ",
    "คลอง",
    "อาคาร",
    "ปรับปรุง",
    "ท่อ",
]
PLACES = [
    "Bang Kapi",
    "Lat Phrao",
    "Bang Na",
    "Nonthaburi",
    "Chiang Mai",
    "Khon Kaen",
    "Hat Yai",
    "Phuket",
    "Rayong",
    "Udon Thani",
]
CATEGORIES = ["goods", "works", "services"]
TENDER_STATUSES = ["active"] * 6 + ["opened"] * 3 + ["cancelled"]


def tender_text(rng: random.Random, n: int) -> tuple[str, str]:
    words = rng.sample(ENGLISH, 3)
    if rng.random() < 0.30:
        words[1] = COMMON
    if n % 100_000 == 7:
        words[2] = RARE  # ten tenders in a million
    thai = "".join(rng.sample(THAI_WORDS, 3))  # unspaced, as Thai is written
    if rng.random() < 0.05:
        thai = thai[:4] + THAI + thai[4:]  # inside a word run, not at a boundary
    title = f"{' '.join(words).capitalize()}, {rng.choice(PLACES)} ({thai}) no. {n}"
    description = (
        f"{' '.join(rng.sample(ENGLISH, 6))} for the district of "
        f"{rng.choice(PLACES)}; {''.join(rng.sample(THAI_WORDS, 4))}."
    )
    return title, description


def organisations(engine, buyers: int, suppliers: int) -> dict[str, list[int]]:
    with Session(engine) as session:
        return _organisations(session, buyers, suppliers)


def _organisations(session: Session, buyers: int, suppliers: int) -> dict[str, list[int]]:
    ids: dict[str, list[int]] = {"buyer": [], "supplier": [], "department": []}
    rows = [
        (f"bench-buyer-{i}", f"Bench buying entity {i}", OrganisationKind.BUYING_ENTITY)
        for i in range(buyers)
    ]
    rows += [
        (f"bench-supplier-{i}", f"Bench supplier {i} Co., Ltd.", OrganisationKind.SUPPLIER)
        for i in range(suppliers)
    ]
    rows += [(slug, f"Department {slug}", OrganisationKind.DEPARTMENT) for slug in DEPARTMENTS]
    for slug, name, kind in rows:
        organisation = Organisation(
            slug=slug,
            name=name,
            kind=kind,
            created_at=NOW,
            registration_id=f"0105{int(hashlib.sha256(slug.encode()).hexdigest(), 16) % 10**9:09d}",
        )
        session.add(organisation)
        session.flush()
        key = {"buying_entity": "buyer", "supplier": "supplier"}.get(kind.value, "department")
        ids[key].append(organisation.id)
    user = User(
        email="bench@bench.example",
        display_name="Bench",
        role=Role.BUYER,
        organisation_id=ids["buyer"][0],
        password_hash="x",
        created_at=NOW,
    )
    applicant = User(
        email="applicant@bench.example",
        display_name="Applicant",
        role=Role.APPLICANT,
        password_hash="x",
        created_at=NOW,
    )
    session.add_all([user, applicant])
    session.commit()
    ids["user"], ids["applicant"] = [user.id], [applicant.id]
    return ids


def bulk(engine, table: sa.Table, rows: list[dict]) -> None:
    """Insert rows fast: COPY on PostgreSQL, executemany on SQLite."""
    if engine.dialect.name != "postgresql":
        with engine.begin() as connection:
            connection.execute(table.insert(), rows)
        return
    columns = list(rows[0])
    raw = engine.raw_connection()
    try:
        with raw.cursor() as cursor:
            names = ", ".join(columns)
            with cursor.copy(f"COPY {table.name} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row([row[c] for c in columns])
        raw.commit()
    finally:
        raw.close()


def load_tenders(engine, ids, count: int, rng: random.Random, chunk: int = 50_000) -> None:
    table = Tender.__table__
    for start in range(0, count, chunk):
        rows = []
        for n in range(start, min(count, start + chunk)):
            title, description = tender_text(rng, n)
            published = NOW - timedelta(minutes=rng.randrange(5 * 365 * 24 * 60))
            status = rng.choice(TENDER_STATUSES)
            rows.append(
                {
                    "buyer_id": ids["buyer"][n % len(ids["buyer"])],
                    "created_by_id": ids["user"][0],
                    "title": title,
                    "description": description,
                    "category": rng.choice(CATEGORIES),
                    "method": "open",
                    "estimated_value": rng.randrange(10_000, 500_000_000) * 100,
                    "currency": "THB",
                    "award_criteria": "price",
                    "criteria_json": "[]",
                    "eligibility": "",
                    "invited_json": "[]",
                    "standstill_days": 10,
                    "version": 1,
                    "enquiry_end_at": published + timedelta(days=5),
                    "tender_start_at": published,
                    "tender_end_at": published + timedelta(days=10),
                    "opening_at": published + timedelta(days=10, hours=1),
                    "status": status,
                    "created_at": published,
                    "updated_at": published,
                    "published_at": published,
                }
            )
        bulk(engine, table, rows)
        print(f"  tenders {start + len(rows):,}", flush=True)


def permit_types(engine) -> list[tuple[str, int, str, str, int]]:
    """(code, type id, name, first stage, its department id) of each shipped permit type."""
    with Session(engine) as session:
        catalogue.load_types(session, now=NOW)
        session.commit()
        types = []
        for permit_type in catalogue.latest_types(session):
            first = catalogue.definition_of(permit_type).stages[0]
            department = session.exec(
                sa.select(Organisation.id).where(Organisation.slug == first.department)
            ).scalar_one()
            types.append(
                (permit_type.code, permit_type.id, permit_type.name, first.code, department)
            )
    return types


def load_permits(engine, ids, count: int, rng: random.Random, chunk: int = 50_000) -> None:
    types = permit_types(engine)
    numbers: dict[tuple[str, int], int] = {}
    next_app = next_stage = next_transition = 1
    for start in range(0, count, chunk):
        applications, stages, transitions = [], [], []
        for n in range(start, min(count, start + chunk)):
            code, type_id, type_name, stage_code, department = types[n % len(types)]
            submitted = NOW - timedelta(minutes=rng.randrange(5 * 365 * 24 * 60))
            key = (code, submitted.year)
            numbers[key] = numbers.get(key, 0) + 1
            running = rng.random() < 0.4
            due = submitted + timedelta(days=10)
            applications.append(
                {
                    "id": next_app,
                    "tracking_number": tracking_number(*key, numbers[key]),
                    "type_id": type_id,
                    "type_code": code,
                    "year": key[1],
                    "sequence": numbers[key],
                    "applicant_id": ids["applicant"][0],
                    "status": "in_progress" if running else rng.choice(["approved", "rejected"]),
                    "description": f"{type_name}: {rng.choice(PLACES)} "
                    f"{''.join(rng.sample(THAI_WORDS, 2))} ({n})",
                    "form_data": "{}",
                    "submitted_at": submitted,
                    "decided_at": None if running else due,
                    "updated_at": submitted,
                    # the stage in progress, as permits.record.follow_stage copies it
                    "current_stage": stage_code if running else None,
                    "current_department_id": department if running else None,
                    "current_due_at": due if running else None,
                }
            )
            stages.append(
                {
                    "id": next_stage,
                    "application_id": next_app,
                    "position": 0,
                    "code": stage_code,
                    "department_id": department,
                    "started_at": submitted,
                    "original_due_at": due,
                    "due_at": due,
                    "expected_at": due,
                    "ended_at": None if running else due,
                    "outcome": None if running else "approved",
                    "paused_units": 0,
                    "overdue_at": due if running and due < NOW else None,
                }
            )
            transitions.append(
                {
                    "id": next_transition,
                    "application_id": next_app,
                    "stage_id": next_stage,
                    "action": "submitted",
                    "effective_at": submitted,
                    "entered_at": submitted,
                    "late_entry": False,
                }
            )
            next_app, next_stage, next_transition = (
                next_app + 1,
                next_stage + 1,
                next_transition + 1,
            )
        bulk(engine, Application.__table__, applications)
        bulk(engine, Stage.__table__, stages)
        bulk(engine, Transition.__table__, transitions)
        print(f"  permit applications {start + len(applications):,}", flush=True)
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            for table in ("permits_application", "permits_stage", "permits_transition"):
                connection.execute(
                    sa.text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT max(id) FROM {table}))"
                    )
                )


def build_index(engine) -> float:
    """The indexer over every source, with the full-text objects made after the rows."""
    started = time.perf_counter()
    on_postgres = engine.dialect.name == "postgresql"
    with engine.begin() as connection:
        if on_postgres:
            connection.execute(sa.text("DROP INDEX IF EXISTS ix_public_search_document_title_trgm"))
            connection.execute(sa.text("DROP INDEX IF EXISTS ix_public_search_document_body_trgm"))
        else:
            connection.execute(sa.text("DROP TRIGGER public_search_document_ai"))
    with Session(engine) as session:
        written = search_index.refresh(session, now=NOW, batch=2_000)
    print(f"  {written:,} documents written in {time.perf_counter() - started:.0f} s", flush=True)
    with engine.begin() as connection:
        if on_postgres:
            connection.execute(sa.text("SET maintenance_work_mem = '512MB'"))
            connection.execute(
                sa.text(
                    "CREATE INDEX ix_public_search_document_title_trgm ON public_search_document "
                    "USING gin (title gin_trgm_ops)"
                )
            )
            connection.execute(
                sa.text(
                    "CREATE INDEX ix_public_search_document_body_trgm ON public_search_document "
                    "USING gin (body gin_trgm_ops)"
                )
            )
            connection.execute(sa.text("ANALYZE"))
        else:
            connection.execute(
                sa.text("INSERT INTO public_search_fts(public_search_fts) VALUES ('rebuild')")
            )
            connection.execute(
                sa.text(
                    "CREATE TRIGGER public_search_document_ai "
                    "AFTER INSERT ON public_search_document "
                    "BEGIN INSERT INTO public_search_fts(rowid, title, body) "
                    "VALUES (new.id, new.title, new.body); END"
                )
            )
            connection.execute(sa.text("ANALYZE"))
    return time.perf_counter() - started


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def deep_cursor(engine, sort: str, where: str, depth: int) -> str:
    """The cursor that the page after `depth` results would carry (found once by OFFSET)."""
    keys = {"newest": "sort_at, id", "value": "sort_value, id"}[sort]
    order = ", ".join(f"{k.strip()} DESC" for k in keys.split(","))
    with engine.connect() as connection:
        row = connection.execute(
            sa.text(
                f"SELECT {keys} FROM public_search_document WHERE {where} "
                f"ORDER BY {order} LIMIT 1 OFFSET {depth}"
            )
        ).one()
    first = row[0]
    if isinstance(first, str):  # SQLite returns the stored text of a datetime
        first = datetime.fromisoformat(first).replace(tzinfo=UTC)
    return encode_cursor(sort, [first, row[1]])


def measure(client: TestClient, path: str, params: dict, samples: int) -> dict:
    times, status, size = [], None, 0
    client.get(path, params=params)  # warm the caches once, as a running site has them
    for _ in range(samples):
        started = time.perf_counter()
        response = client.get(path, params=params)
        times.append((time.perf_counter() - started) * 1000)
        status = response.status_code
        size = len(response.content)
    return {
        "p50_ms": round(statistics.median(times), 1),
        "p95_ms": round(percentile(times, 95), 1),
        "status": status,
        "bytes": size,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("url", help="an empty database (SQLite file or PostgreSQL) to fill")
    parser.add_argument("--tenders", type=int, default=1_000_000)
    parser.add_argument("--permits", type=int, default=1_000_000)
    parser.add_argument("--samples", type=int, default=30)
    parser.add_argument(
        "--skip-load",
        action="store_true",
        help="reuse the rows and index of a past run (the schema is upgraded to the head)",
    )
    args = parser.parse_args()

    engine = make_engine(args.url)
    rng = random.Random(20261126)
    timings: dict[str, float] = {}
    # The deployment's data folder (its log-signing key), the same for every run on this URL.
    label = hashlib.sha256(args.url.encode()).hexdigest()[:8]
    data_dir = Path(tempfile.gettempdir()) / f"prongsai-search-bench-{label}"
    settings = Settings(
        data_dir=data_dir,
        database_url=args.url,
        secret_key="bench-secret-key-of-decent-length",
        run_scheduler=False,
    )
    if not args.skip_load:
        load_signer(settings.signing_key_path, name=settings.origin, may_create=True)
        schema.upgrade(args.url)
        started = time.perf_counter()
        ids = organisations(engine, buyers=200, suppliers=2_000)
        load_tenders(engine, ids, args.tenders, rng)
        load_permits(engine, ids, args.permits, rng)
        timings["load_s"] = round(time.perf_counter() - started)
        timings["index_s"] = round(build_index(engine))
    else:  # a past run's rows: bring the schema (and so the index's indexes) to the head
        started = time.perf_counter()
        schema.upgrade(args.url)
        with engine.begin() as connection:
            connection.execute(sa.text("ANALYZE public_search_document"))
        timings["upgrade_s"] = round(time.perf_counter() - started)
    with engine.connect() as connection:
        counts = dict(
            connection.execute(
                sa.text("SELECT kind, count(*) FROM public_search_document GROUP BY kind")
            ).all()
        )
        tender_id = connection.execute(
            sa.text("SELECT max(id) FROM procurement_tender WHERE status = 'active'")
        ).scalar_one()
        number = connection.execute(
            sa.text(
                "SELECT tracking_number FROM permits_application "
                "WHERE id = (SELECT max(id) / 2 FROM permits_application)"
            )
        ).scalar_one()
    deep_newest = deep_cursor(engine, "newest", "1 = 1", int(0.9 * sum(counts.values())))
    deep_value = deep_cursor(engine, "value", "kind = 'tender'", int(0.9 * counts["tender"]))

    app = create_app(settings, clock=FrozenClock(NOW), engine=engine)
    cases = [
        ("search: common word (relevance)", "/api/search", {"q": COMMON}),
        ("search: common word, newest first", "/api/search", {"q": COMMON, "sort": "newest"}),
        ("search: rare word", "/api/search", {"q": RARE}),
        ("search: Thai word inside unspaced text", "/api/search", {"q": THAI}),
        ("search: two words", "/api/search", {"q": f"{COMMON} hospital"}),
        (
            "facets: permits in progress, one department, overdue",
            "/api/search",
            {
                "kind": "permit",
                "status": "in_progress",
                "department": "bma-health",
                "overdue": "true",
            },
        ),
        (
            "facets: tenders of one buyer in 2025, by value",
            "/api/search",
            {"kind": "tender", "buyer": "bench-buyer-7", "year": "2025", "sort": "value"},
        ),
        (
            "facets: value range + category + word",
            "/api/search",
            {"q": "bridge", "category": "works", "value_min": "1000000", "value_max": "2000000"},
        ),
        (
            "facets: common word + status + year + category",
            "/api/search",
            {"q": COMMON, "status": "cancelled", "year": "2023", "category": "goods"},
        ),
        ("no words, newest first (page 1)", "/api/search", {}),
        ("deep page via cursor: 90% down, newest", "/api/search", {"cursor": deep_newest}),
        (
            "deep page via cursor: 90% down tenders by value",
            "/api/search",
            {"kind": "tender", "sort": "value", "cursor": deep_value},
        ),
        ("search page (HTML), Thai word", "/search", {"q": THAI}),
        ("tender record page", f"/tenders/{tender_id}", {}),
        ("permit record page", f"/permits/{number}", {}),
    ]
    results = {}
    with TestClient(app, base_url="https://testserver") as client:
        for label, path, params in cases:
            results[label] = measure(client, path, params, args.samples)
            print(f"  {label}: {results[label]}", flush=True)
    print(
        json.dumps(
            {
                "machine": " ".join(
                    filter(None, (platform.node(), platform.machine(), platform.processor()))
                ),
                "python": platform.python_version(),
                "database": engine.dialect.name,
                "date": datetime.now(UTC).date().isoformat(),
                "documents": counts,
                **timings,
                "samples": args.samples,
                "results": results,
            },
            indent=2,
            ensure_ascii=False,
        )
    )
    engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
