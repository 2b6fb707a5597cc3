"""Benchmark what a sales rep waits for, at full scale (not a pytest module).

    python tests/bench/bench_customers.py [--customers 100000 --orders 1000000] [--no-postgres]

For each database: a temporary database filled by the demo generator (the same code as
`python -m ckm demo-data`), then, for the fixed English/Persian query set of bench_search.py:
- search as the Customers page runs it (`list_customers` with a query: index, ranking,
  filters, one page of rows) beside two floors: the same search as one plain ranked SQL
  query on the index, and the bare unranked candidate lookup (stage 1 of search.py) alone;
- the profile data (`get_profile`) of customers with about 50 orders, beside the floor, one
  plain SQL aggregate over that customer's orders;
- Home's "my customers, most recent first" for the busiest owner, now and with the previous
  statement (an aggregate over all their orders), beside the ten newest orders off the index;
- the Customers page's filter values uncached (the page now reads them once per 5 minutes),
  beside one of its six DISTINCT scans.
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

from sqlalchemy import func, select
from sqlalchemy.orm import Session

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_search import QUERIES, _floor, _time_it
from benchlib import DEFAULT_POSTGRES_URL, p95, postgres_database
from scale_data import profile_floor, ranked_floor, sample_customers

from ckm.db import Store
from ckm.models import Customer, CustomerTotals, Order, Role
from ckm.services import customers, demo
from ckm.services.customers import CustomerFilters, live_customer
from ckm.services.permissions import SYSTEM, Actor
from ckm.services.scoring import run_score_refresh


def _busiest_owner(session: Session) -> int:
    """The member of staff who owns the most customers: Home's worst case."""
    return session.execute(
        select(Customer.owner_id, func.count())
        .where(Customer.owner_id.is_not(None))
        .group_by(Customer.owner_id)
        .order_by(func.count().desc())
        .limit(1)
    ).one()[0]


def _recent_by_aggregate(session: Session, owner_id: int) -> list[int]:
    """The previous "most recent" statement: sum and max over every order of the owner's
    customers, then ten rows."""
    totals = (
        select(
            Order.customer_id.label("customer_id"),
            func.sum(Order.amount).label("revenue"),
            func.max(Order.ordered_on).label("last_on"),
        )
        .where(Order.customer_id.in_(select(Customer.id).where(Customer.owner_id == owner_id)))
        .group_by(Order.customer_id)
        .subquery()
    )
    return list(
        session.scalars(
            select(Customer.id)
            .where(live_customer(), Customer.owner_id == owner_id)
            .outerjoin(totals, totals.c.customer_id == Customer.id)
            .order_by(totals.c.last_on.desc().nulls_last(), Customer.name, Customer.id)
            .limit(10)
        )
    )


def _recent_by_last_order(session: Session, owner_id: int) -> list[int]:
    """The current "most recent" statement alone (one index seek per customer), for a
    like-for-like comparison with the previous one."""
    last_on = (
        select(func.max(Order.ordered_on))
        .where(Order.customer_id == Customer.id)
        .correlate(Customer)
        .scalar_subquery()
    )
    return list(
        session.scalars(
            select(Customer.id)
            .where(live_customer(), Customer.owner_id == owner_id)
            .order_by(last_on.desc().nulls_last(), Customer.name, Customer.id)
            .limit(10)
        )
    )


def _recent_floor(session: Session, owner_id: int) -> None:
    """Floor: the ten newest orders of the owner's customers, straight off the date index."""
    session.execute(
        select(Order.customer_id)
        .join(Customer, Customer.id == Order.customer_id)
        .where(Customer.owner_id == owner_id)
        .order_by(Order.ordered_on.desc())
        .limit(10)
    ).all()


def _revenue_by_aggregate(session: Session) -> list[int]:
    """The previous "by revenue" statement: every order of the base summed on each render."""
    totals = (
        select(Order.customer_id.label("customer_id"), func.sum(Order.amount).label("revenue"))
        .group_by(Order.customer_id)
        .subquery()
    )
    return list(
        session.scalars(
            select(Customer.id)
            .where(live_customer())
            .outerjoin(totals, totals.c.customer_id == Customer.id)
            .order_by(func.coalesce(totals.c.revenue, 0).desc(), Customer.name, Customer.id)
            .limit(25)
        )
    )


def _revenue_floor(session: Session) -> None:
    """Floor: the 25 largest kept totals, straight off the totals table."""
    session.scalars(
        select(CustomerTotals.customer_id)
        .order_by(CustomerTotals.lifetime_revenue.desc())
        .limit(25)
    ).all()


def _filter_options_floor(session: Session) -> None:
    """Floor: one DISTINCT scan (the segment column) of the six the options need."""
    session.scalars(select(Customer.segment).distinct()).all()


def bench(label: str, url: str, args: argparse.Namespace) -> list[tuple[str, ...]]:
    store = Store.open(url)
    try:
        started = time.perf_counter()
        demo.load_demo_data(
            store, customers=args.customers, orders=args.orders, notes=min(1000, args.customers)
        )
        print(f"{label}: demo data loaded in {time.perf_counter() - started:.0f} s", flush=True)
        # What the worker does after new data: scores and the kept per-customer totals.
        run_score_refresh(store)
        search_ms: list[float] = []
        floor_ms: list[float] = []
        ranked_floor_ms: list[float] = []
        profile_ms: list[float] = []
        profile_floor_ms: list[float] = []
        with store.read() as session:
            owner_id = _busiest_owner(session)
            owner = Actor(user_id=owner_id, username="bench", role=Role.EDITOR)
            recent_ms = _time_it(
                lambda: customers.list_customers(
                    session,
                    actor=owner,
                    filters=CustomerFilters(mine=True),
                    sort="recent",
                    limit=10,
                )
            )
            recent_before_ms = _time_it(lambda: _recent_by_aggregate(session, owner_id))
            recent_statement_ms = _time_it(lambda: _recent_by_last_order(session, owner_id))
            recent_floor_ms = _time_it(lambda: _recent_floor(session, owner_id))
            revenue_ms = _time_it(
                lambda: customers.list_customers(session, actor=SYSTEM, sort="revenue")
            )
            revenue_before_ms = _time_it(lambda: _revenue_by_aggregate(session))
            revenue_floor_ms = _time_it(lambda: _revenue_floor(session))
            options_ms = _time_it(lambda: customers.filter_options(session))
            options_floor_ms = _time_it(lambda: _filter_options_floor(session))
            for _, query in QUERIES:
                search_ms += _time_it(
                    lambda q=query: customers.list_customers(session, actor=SYSTEM, query=q)
                )
                floor_ms += _time_it(lambda q=query: _floor(session, q))
                ranked_floor_ms += _time_it(lambda q=query: ranked_floor(session, q))
            for customer_id in sample_customers(session):
                profile_ms += _time_it(
                    lambda c=customer_id: customers.get_profile(
                        session, actor=SYSTEM, customer_id=c
                    )
                )
                profile_floor_ms += _time_it(lambda c=customer_id: profile_floor(session, c))
        rows = []
        for name, measured, floor in (
            ("search vs ranked SQL", search_ms, ranked_floor_ms),
            ("search vs unranked lookup", search_ms, floor_ms),
            ("profile data", profile_ms, profile_floor_ms),
            ("home: my customers, recent (whole call)", recent_ms, recent_floor_ms),
            ("recent: ids statement now", recent_statement_ms, recent_floor_ms),
            ("recent: ids statement before", recent_before_ms, recent_floor_ms),
            ("customers by revenue (whole call)", revenue_ms, revenue_floor_ms),
            ("by revenue: previous aggregate statement", revenue_before_ms, revenue_floor_ms),
            ("filter options, uncached scan", options_ms, options_floor_ms),
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
