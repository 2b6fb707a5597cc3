"""Benchmark the data-quality refresh and the Data quality page's data (not a pytest module).

    python tests/bench/bench_quality.py [--customers 100000] [--no-postgres]
        [--postgres-url ADMIN_URL]

Each database kind gets a temporary database filled with `--customers` customers (about one in
ten without an email, one in fifty with a malformed email or phone, a third without an owner),
two touchpoints for every third customer and a note for every seventh. Measured, per database
(medians of REPEATS runs after one warm-up):
- refresh: `quality.run_quality_refresh(force=True)`, the background job: one streamed pass of
  every email and phone through the entry rules, one GROUP BY for the other checks (with the
  "in touch this year" EXISTS subqueries), and the day's snapshot rows written;
- floor: one plain GROUP BY by source and owner counting the blank fields, the least any
  whole-base count costs (no validity, no touchpoints or notes);
- page data, cold: what the page asks the database for on a cache miss (newest run, the
  day's figures, the trend);
- page data, warm: a cache hit (the cached figures unpickled, as `st.cache_data` stores them)
  plus the one query never cached: the newest run (the permission check);
- list to fix: one page (25, by name, with the total) once a gap is picked, for a blank field,
  an invalid value and "no contact or note for a year";
- the refresh's two reads separately (one run each).
"""

from __future__ import annotations

import argparse
import pickle
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from functools import partial
from pathlib import Path

from sqlalchemy import insert, text

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchlib import DEFAULT_POSTGRES_URL, postgres_database

from ckm.db import Store
from ckm.models import Customer, Note, NoteCustomerLink, Touchpoint, User, utc_now
from ckm.services import quality
from ckm.services.permissions import SYSTEM

REPEATS = 5
CHUNK = 10_000
FLOOR_SQL = """
SELECT source, owner_id, COUNT(*),
       SUM(CASE WHEN email IS NULL THEN 1 ELSE 0 END),
       SUM(CASE WHEN phone IS NULL THEN 1 ELSE 0 END),
       SUM(CASE WHEN industry IS NULL THEN 1 ELSE 0 END),
       SUM(CASE WHEN city IS NULL THEN 1 ELSE 0 END)
FROM customers WHERE deleted_at IS NULL AND merged_into_id IS NULL
GROUP BY source, owner_id
"""


def _fill(store: Store, count: int) -> None:
    """`count` customers with known shares of gaps, their touchpoints and notes."""
    now = utc_now()
    with store.write() as session:
        owners = []
        for n in range(8):
            user = User(username=f"owner{n}", display_name=f"Owner {n}", password_hash="x")
            session.add(user)
            session.flush()
            owners.append(user.id)
    sources = ["manual", "crm_2024", "excel_1399", "web_form"]
    for start in range(0, count, CHUNK):
        rows = []
        for i in range(start, min(count, start + CHUNK)):
            email = None if i % 10 == 0 else f"c{i}@example.com"
            if i % 50 == 1:
                email = f"c{i}@@example"
            phone = None if i % 8 == 0 else f"+98912{i % 10_000_000:07d}"
            if i % 50 == 2:
                phone = "12"
            rows.append(
                {
                    "name": f"Customer {i}",
                    "kind": "company",
                    "email": email,
                    "phone": phone,
                    "city": None if i % 6 == 0 else "Tehran",
                    "industry": None if i % 4 == 0 else "Steel",
                    "owner_id": None if i % 3 == 0 else owners[i % len(owners)],
                    "source": sources[i % len(sources)],
                    "consent_contact": i % 5 != 0,
                    "tags": "",
                    "version": 1,
                    "created_at": now,
                    "updated_at": now,
                }
            )
        with store.write() as session:
            session.execute(insert(Customer), rows)
    with store.write() as session:
        ids = [row[0] for row in session.execute(text("SELECT id FROM customers ORDER BY id"))]
    touch = [
        {
            "customer_id": customer_id,
            "occurred_at": now - timedelta(days=(customer_id * 37) % 720 + k * 30),
            "channel": "phone",
            "experience_kind": "human",
            "sentiment": 0,
            "is_complaint": False,
            "summary": "",
            "created_at": now,
        }
        for customer_id in ids[::3]
        for k in range(2)
    ]
    for start in range(0, len(touch), CHUNK):
        with store.write() as session:
            session.execute(insert(Touchpoint), touch[start : start + CHUNK])
    noted = ids[::7]
    for start in range(0, len(noted), CHUNK):
        with store.write() as session:
            notes = [
                {
                    "title": f"Note {customer_id}",
                    "body": "",
                    "flow": "general",
                    "tags": "",
                    "revision": 1,
                    "created_at": now,
                    "updated_at": now - timedelta(days=(customer_id * 13) % 600),
                }
                for customer_id in noted[start : start + CHUNK]
            ]
            note_ids = session.execute(insert(Note).returning(Note.id), notes).scalars().all()
            session.execute(
                insert(NoteCustomerLink),
                [
                    {"note_id": note_id, "customer_id": customer_id}
                    for note_id, customer_id in zip(
                        note_ids, noted[start : start + CHUNK], strict=True
                    )
                ],
            )
    with store.write() as session:
        session.execute(text("ANALYZE"))


def _median(action: Callable[[], object]) -> tuple[float, float]:
    """(first run, median of the following REPEATS runs) in milliseconds."""
    times = []
    for _ in range(REPEATS + 1):
        started = time.perf_counter()
        action()
        times.append((time.perf_counter() - started) * 1000)
    return times[0], statistics.median(times[1:])


def _cold(store: Store) -> dict[str, object]:
    with store.read() as session:
        return {
            "run": quality.latest_run(session, actor=SYSTEM),
            "overview": quality.overview(session, actor=SYSTEM),
            "trend": quality.trend(session, actor=SYSTEM),
        }


def _warm(store: Store, cached: list[bytes]) -> None:
    for blob in cached:
        pickle.loads(blob)  # noqa: S301 - our own bytes, as st.cache_data stores them
    with store.read() as session:
        quality.latest_run(session, actor=SYSTEM)


def _list(store: Store, measure: str) -> None:
    with store.read() as session:
        quality.problem_customers(session, actor=SYSTEM, measure=measure)


def _parts(store: Store) -> tuple[float, float]:
    """The refresh's two reads alone: the rules pass (Python) and the SQL count."""
    from ckm.services.quality import refresh

    with store.read() as session:
        tally: refresh.Tally = refresh._Tally()
        started = time.perf_counter()
        refresh._invalid_values(session, tally)
        rules_ms = (time.perf_counter() - started) * 1000
        started = time.perf_counter()
        refresh._counted(session, utc_now().date(), tally)
        return rules_ms, (time.perf_counter() - started) * 1000


def _floor(store: Store) -> None:
    with store.read() as session:
        session.execute(text(FLOOR_SQL)).all()


def bench(kind: str, url: str, customers: int) -> list[tuple[str, str, float, float]]:
    store = Store.open(url)
    try:
        started = time.perf_counter()
        _fill(store, customers)
        print(f"{kind}: filled {customers} customers in {time.perf_counter() - started:.1f} s")
        rows = []
        first, median = _median(lambda: quality.run_quality_refresh(store, force=True))
        rows.append((kind, "refresh (background job)", first, median))
        rows.append((kind, "floor: plain GROUP BY of blanks", *_median(lambda: _floor(store))))
        rows.append((kind, "page data, cold", *_median(lambda: _cold(store))))
        data = _cold(store)
        cached = [pickle.dumps(data["overview"]), pickle.dumps(data["trend"])]
        rows.append((kind, "page data, warm", *_median(lambda: _warm(store, cached))))
        for measure in ("email_missing", "email_invalid", quality.NO_CONTACT):
            rows.append(
                (
                    kind,
                    f"list to fix, one page: {measure}",
                    *_median(partial(_list, store, measure)),
                )
            )
        rules_ms, count_ms = _parts(store)
        rows.append((kind, "refresh part: entry rules over emails and phones", rules_ms, rules_ms))
        rows.append((kind, "refresh part: SQL count of the other checks", count_ms, count_ms))
        overview = data["overview"]
        assert isinstance(overview, quality.QualityOverview)
        print(
            f"{kind}: {overview.whole.customers} customers; "
            + ", ".join(f"{m}={overview.whole.figures[m].problems}" for m in quality.MEASURES)
        )
        return rows
    finally:
        store.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES_URL)
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory() as folder:
        results += bench("sqlite", f"sqlite:///{folder}/bench.db", args.customers)
    if not args.no_postgres:
        url, drop = postgres_database(args.postgres_url, "ckm_bench_quality")
        try:
            results += bench("postgresql", url, args.customers)
        finally:
            drop()
    print()
    print(f"| database | measured ({args.customers:,} customers) | first ms | median ms |")
    print("|---|---|---:|---:|")
    for kind, name, first, median in results:
        print(f"| {kind} | {name} | {first:,.0f} | {median:,.0f} |")


if __name__ == "__main__":
    main()
