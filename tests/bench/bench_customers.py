"""Benchmark what a sales rep waits for, at full scale (not a pytest module).

    python tests/bench/bench_customers.py [--customers 100000 --orders 1000000] [--no-postgres]

For each database: a temporary database filled by the demo generator (the same code as
`python -m ckm demo-data`), then, for the fixed English/Persian query set of bench_search.py:
- search as the Customers page runs it (`list_customers` with a query: index, ranking,
  filters, one page of rows) beside two floors: the same search as one plain ranked SQL
  query on the index, and the bare unranked candidate lookup (stage 1 of search.py) alone;
- the profile data (`get_profile`) of customers with about 50 orders, beside the floor, one
  plain SQL aggregate over that customer's orders.
Prints medians, p95 and ratios. Targets: search p95 ≤ 50 ms and within 3× of the floor;
profile ≤ 100 ms.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_search import QUERIES, _floor, _time_it
from benchlib import DEFAULT_POSTGRES_URL, p95, postgres_database

from ckm.db import Store
from ckm.models import Order
from ckm.services import customers, demo
from ckm.services.permissions import SYSTEM
from ckm.services.search.query import parse_query


def _ranked_floor(session: Session, query: str) -> None:
    """The same search as one plain SQL query on the index: prefix match, ranked, top 25
    (FTS5 bm25 on SQLite, ts_rank on PostgreSQL); no typo stage, no rows fetched."""
    parsed = parse_query(query)
    if parsed is None:
        return
    slots = parsed.full_text()
    if session.get_bind().dialect.name == "sqlite":
        session.execute(
            text(
                "SELECT rowid FROM customer_search WHERE customer_search MATCH :q "
                "ORDER BY rank LIMIT 25"
            ),
            {"q": slots.fts5()},
        ).all()
    else:
        session.execute(
            text(
                "SELECT customer_id FROM customer_search "
                "WHERE search_vector @@ to_tsquery('simple', :q) "
                "ORDER BY ts_rank(search_vector, to_tsquery('simple', :q)) DESC LIMIT 25"
            ),
            {"q": slots.tsquery()},
        ).all()


def _profile_floor(session: Session, customer_id: int) -> None:
    """One aggregate over the customer's orders: the least any profile query can cost."""
    session.execute(
        select(func.count(), func.sum(Order.amount), func.max(Order.ordered_on)).where(
            Order.customer_id == customer_id
        )
    ).one()


def _sample_customers(session: Session, count: int = 10) -> list[int]:
    rows = session.execute(
        select(Order.customer_id)
        .group_by(Order.customer_id)
        .having(func.count().between(40, 60))
        .limit(count)
    ).all()
    return [row.customer_id for row in rows]


def bench(label: str, url: str, args: argparse.Namespace) -> list[tuple[str, ...]]:
    store = Store.open(url)
    try:
        started = time.perf_counter()
        demo.load_demo_data(store, customers=args.customers, orders=args.orders, notes=1000)
        print(f"{label}: demo data loaded in {time.perf_counter() - started:.0f} s", flush=True)
        search_ms: list[float] = []
        floor_ms: list[float] = []
        ranked_floor_ms: list[float] = []
        profile_ms: list[float] = []
        profile_floor_ms: list[float] = []
        with store.read() as session:
            for _, query in QUERIES:
                search_ms += _time_it(
                    lambda q=query: customers.list_customers(session, actor=SYSTEM, query=q)
                )
                floor_ms += _time_it(lambda q=query: _floor(session, q))
                ranked_floor_ms += _time_it(lambda q=query: _ranked_floor(session, q))
            for customer_id in _sample_customers(session):
                profile_ms += _time_it(
                    lambda c=customer_id: customers.get_profile(
                        session, actor=SYSTEM, customer_id=c
                    )
                )
                profile_floor_ms += _time_it(lambda c=customer_id: _profile_floor(session, c))
        rows = []
        for name, measured, floor in (
            ("search vs ranked SQL", search_ms, ranked_floor_ms),
            ("search vs unranked lookup", search_ms, floor_ms),
            ("profile data", profile_ms, profile_floor_ms),
        ):
            median, floor_median = statistics.median(measured), statistics.median(floor)
            rows.append(
                (
                    label,
                    name,
                    f"{median:.1f}",
                    f"{p95(measured):.1f}",
                    f"{floor_median:.1f}",
                    f"{median / floor_median:.1f}x" if floor_median else "-",
                )
            )
        return rows
    finally:
        store.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES_URL)
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()

    table: list[tuple[str, ...]] = []
    with tempfile.TemporaryDirectory() as folder:
        table += bench("sqlite", f"sqlite:///{folder}/bench.db", args)
    if not args.no_postgres:
        url, drop = postgres_database(args.postgres_url)
        try:
            table += bench("postgresql", url, args)
        finally:
            drop()

    header = ("database", "operation", "median ms", "p95 ms", "floor median ms", "ratio")
    widths = [max(len(str(row[i])) for row in (header, *table)) for i in range(len(header))]
    print(f"\n{args.customers:,} customers, {args.orders:,} orders")
    for row in (header, *table):
        print("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)))


if __name__ == "__main__":
    main()
