"""Benchmark the segments page's data on SQLite and PostgreSQL (not a pytest module).

    python tests/bench/bench_segments.py [--customers 100000 --orders 1000000]
        [--sqlite-url URL] [--postgres-url ADMIN_URL | --postgres-db-url URL] [--no-postgres]
        [--skip-pandas] [--skip-refresh]

Without a database URL, each kind gets a temporary database filled by
`ckm.services.demo.load_demo_data` (a few minutes at 1M orders). `--sqlite-url` and
`--postgres-db-url` reuse an already loaded database instead (it is migrated first).

Measured, per database:
- scores refresh: `scoring.run_score_refresh`, the background job that scores every customer
  and rewrites their totals (compute in a read transaction, write in batches); the longest
  single write transaction is what a concurrent writer could have to wait;
- totals after a save: `totals.refresh_customer_totals` for 10 customers (what a write adds);
- page data, cold: what the page asks the database for on a cache miss: the newest score
  run, the unfiltered overview (which also gives the filter choices), the overview for 12 and
  36 months, the saved segments and one page of drill-down members;
- floor: one plain GROUP BY over the stored scores, the least any page of figures costs;
- page data, warm: the same with `st.cache_data` hits (pickled frames, as Streamlit stores
  them) plus the one query that is never cached, the members page;
- pandas: the same scores and chart frames computed by loading all orders, customers and
  touchpoints into pandas (`pd.read_sql`) — the ratio shows what computing in SQL buys.
"""

from __future__ import annotations

import argparse
import pickle
import statistics
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
from sqlalchemy import func, select, text

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchlib import add_database_options, first_and_median, print_table, run_on_databases

from ckm.db import Store
from ckm.models import Customer, utc_now
from ckm.services import demo, scoring, segments, totals
from ckm.services.permissions import SYSTEM
from ckm.services.segments import Drill, SegmentFilters

REPEATS = 5
SKIP_PANDAS = "--skip-pandas" in sys.argv
SKIP_REFRESH = "--skip-refresh" in sys.argv


def _timed(action: Callable[[], object], repeats: int = REPEATS) -> tuple[float, float]:
    return first_and_median(action, repeats)


def _page_data(store: Store, filters: SegmentFilters) -> dict[str, object]:
    """Everything the page reads from the database on a cache miss."""
    with store.read() as session:
        run = scoring.latest_run(session)
        everyone = segments.overview(session, actor=SYSTEM, filters=SegmentFilters())
        overview = (
            everyone
            if filters == SegmentFilters()
            else segments.overview(session, actor=SYSTEM, filters=filters)
        )
        saved = segments.list_saved_segments(session, actor=SYSTEM)
        members = segments.members(
            session, actor=SYSTEM, filters=filters, drill=Drill("segment", "at_risk"), limit=25
        )
    return {
        "run": run,
        "everyone": everyone,
        "overview": overview,
        "saved": saved,
        "members": members,
    }


@contextmanager
def _probe_writer(store: Store, waits: list[float]) -> Iterator[None]:
    """A person saving every 200 ms while the refresh runs: each save's duration (a failed
    save raises and stops the benchmark)."""
    stop = threading.Event()
    errors: list[BaseException] = []

    def save() -> None:
        while not stop.is_set():
            started = time.perf_counter()
            try:
                with store.write() as session:
                    session.execute(
                        text("UPDATE score_runs SET customers = customers WHERE id = 0")
                    )
            except BaseException as error:  # noqa: BLE001 - reported below
                errors.append(error)
                return
            waits.append((time.perf_counter() - started) * 1000)
            stop.wait(0.2)

    worker = threading.Thread(target=save, daemon=True)
    worker.start()
    try:
        yield
    finally:
        stop.set()
        worker.join()
    if errors:
        raise errors[0]


def _floor(store: Store) -> None:
    with store.read() as session:
        session.execute(
            text("SELECT segment, COUNT(*) FROM customer_scores GROUP BY segment")
        ).all()


def _warm(store: Store, cached: dict[str, bytes], filters: SegmentFilters) -> None:
    """A cache hit: unpickle the cached aggregates; query only the members page."""
    for blob in cached.values():
        pickle.loads(blob)  # noqa: S301 - our own bytes, as st.cache_data stores them
    with store.read() as session:
        segments.members(
            session, actor=SYSTEM, filters=filters, drill=Drill("segment", "at_risk"), limit=25
        )


def _pandas(store: Store) -> tuple[int, int]:
    """Scores and chart frames computed in pandas from every order (the naive way)."""
    today = pd.Timestamp(utc_now().date())
    with store.engine.connect() as connection:
        orders = pd.read_sql(
            text("SELECT customer_id, ordered_on, amount, currency, channel FROM orders"),
            connection,
        )
        people = pd.read_sql(
            text(
                "SELECT id, region, industry, owner_id, relationship_stage FROM customers "
                "WHERE deleted_at IS NULL AND merged_into_id IS NULL"
            ),
            connection,
        )
        touches = pd.read_sql(
            text("SELECT customer_id, sentiment, is_complaint, resolved_at FROM touchpoints"),
            connection,
        )
    orders["ordered_on"] = pd.to_datetime(orders["ordered_on"])
    orders["amount"] = orders["amount"].astype(float)
    main = orders.groupby(["customer_id", "currency"]).size().rename("n").reset_index()
    main = main.sort_values(["customer_id", "n"], ascending=[True, False]).drop_duplicates(
        "customer_id"
    )
    per = orders.groupby("customer_id").agg(
        last=("ordered_on", "max"), first=("ordered_on", "min"), frequency=("amount", "size")
    )
    money = orders.merge(main[["customer_id", "currency"]], on=["customer_id", "currency"])
    per["monetary"] = money.groupby("customer_id")["amount"].sum()
    year = today - pd.DateOffset(years=1)
    per["revenue_12m"] = money[money["ordered_on"] > year].groupby("customer_id")["amount"].sum()
    per["recency"] = (today - per["last"]).dt.days
    per["r"] = pd.qcut(per["recency"].rank(method="max", ascending=False), 5, labels=False) + 1
    per["f"] = pd.qcut(per["frequency"].rank(method="max"), 5, labels=False) + 1
    per["m"] = pd.qcut(per["monetary"].rank(method="max"), 5, labels=False) + 1
    fm = per["f"] + per["m"]
    per["segment"] = "lost"
    per.loc[(per["r"] == 2), "segment"] = "hibernating"
    per.loc[(per["r"] <= 2) & (fm >= 6), "segment"] = "at_risk"
    per.loc[(per["r"] <= 2) & (fm >= 9), "segment"] = "cant_lose"
    per.loc[per["r"] == 3, "segment"] = "needs_attention"
    per.loc[per["r"] >= 4, "segment"] = "promising"
    per.loc[(per["r"] >= 3) & (fm >= 6), "segment"] = "loyal"
    per.loc[(per["r"] >= 4) & (fm >= 8), "segment"] = "champions"
    per.loc[(today - per["first"]).dt.days <= 90, "segment"] = "new"
    touches.groupby("customer_id")["sentiment"].mean()
    scored = people.merge(per, left_on="id", right_index=True, how="left")
    by_segment = scored.groupby("segment").agg(
        customers=("id", "size"), revenue=("revenue_12m", "sum")
    )
    recent = orders[orders["ordered_on"] > year].merge(
        per[["segment"]], left_on="customer_id", right_index=True
    )
    trend = recent.groupby([recent["ordered_on"].dt.to_period("M"), "segment"])["amount"].sum()
    recent.groupby("channel")["amount"].sum()
    for column in ("region", "industry", "owner_id"):
        scored.groupby(column, dropna=False)["revenue_12m"].sum()
    return len(by_segment), len(trend)


def _refresh_rows(label: str, store: Store) -> list[list[str]]:
    """The score refresh twice, with a person saving meanwhile (`--skip-refresh` leaves it
    out and uses the scores already stored)."""
    rows: list[list[str]] = []
    summaries: list[scoring.RefreshSummary] = []
    waits: list[float] = []

    def refresh() -> None:
        summaries.append(scoring.run_score_refresh(store, force=True))

    with _probe_writer(store, waits):
        first, median = _timed(refresh, repeats=2)
    longest = max(summary.longest_write_ms for summary in summaries)
    batches = summaries[-1].write_batches
    rows.append(
        [
            label,
            "scores refresh (every customer, background)",
            f"{first:,.0f}",
            f"{median:,.0f}",
            f"longest write transaction {longest:,} ms of {batches} batches",
        ]
    )
    rows.append(
        [
            label,
            f"a concurrent save during the refresh ({len(waits)} saves)",
            f"max {max(waits, default=0):,.0f}",
            f"{statistics.median(waits or [0]):,.0f}",
            "none failed" if waits else "no save measured",
        ]
    )
    return rows


def bench(label: str, store: Store, *, load: tuple[int, int] | None) -> list[list[str]]:
    rows: list[list[str]] = []
    if load:
        started = time.perf_counter()
        summary = demo.load_demo_data(
            store, customers=load[0], orders=load[1], notes=min(1000, load[0] // 10)
        )
        print(f"[{label}] demo data: {summary}", flush=True)
        print(f"[{label}] loaded in {time.perf_counter() - started:.0f} s", flush=True)
    with store.read() as session:
        count = session.scalar(select(func.count()).select_from(Customer)) or 0
        orders = session.scalar(text("SELECT COUNT(*) FROM orders")) or 0
    print(f"[{label}] {count} customers, {orders} orders", flush=True)

    if not SKIP_REFRESH:
        rows += _refresh_rows(label, store)
    with store.read() as session:
        some = list(session.scalars(select(Customer.id).order_by(Customer.id).limit(10)))

    def totals_after_a_save() -> None:
        with store.write() as session:
            totals.refresh_customer_totals(session, some)

    first, median = _timed(totals_after_a_save)
    rows.append(
        [
            label,
            "customer totals after a save (10 customers)",
            f"{first:,.0f}",
            f"{median:,.0f}",
            "",
        ]
    )
    first, floor = _timed(lambda: _floor(store))
    rows.append(
        [label, "floor: one GROUP BY over the scores", f"{first:,.0f}", f"{floor:,.0f}", "1.0x"]
    )
    with store.read() as session:
        distribution = session.execute(
            text(
                "SELECT segment, COUNT(*), SUM(CASE WHEN churn_risk THEN 1 ELSE 0 END) "
                "FROM customer_scores GROUP BY segment ORDER BY 2 DESC"
            )
        ).all()
    print(f"[{label}] segments (name, customers, churn risk): {distribution}", flush=True)

    results: dict[str, object] = {}
    for months in (12, 36):
        filters = SegmentFilters(period_months=months)

        def cold(filters: SegmentFilters = filters) -> None:
            results.update(_page_data(store, filters))

        first, median = _timed(cold)
        rows.append(
            [
                label,
                f"page data, cold cache ({months} months)",
                f"{first:,.0f}",
                f"{median:,.0f}",
                f"{median / floor:.1f}x the floor",
            ]
        )
    cached = {name: pickle.dumps(value) for name, value in results.items() if name != "members"}
    sql_cold = float(rows[-2][3].replace(",", ""))
    first, median = _timed(lambda: _warm(store, cached, SegmentFilters()))
    rows.append([label, "page data, warm cache", f"{first:,.0f}", f"{median:,.0f}", ""])
    filtered = SegmentFilters(region=_a_region(store))
    first, median = _timed(lambda: _page_data(store, filtered))
    rows.append([label, "page data, cold, one region", f"{first:,.0f}", f"{median:,.0f}", ""])
    rows.append(_filtered_row(label, store, filtered))

    if SKIP_PANDAS:
        return rows
    first, median = _timed(lambda: _pandas(store), repeats=2)
    rows.append(
        [
            label,
            "pandas: all orders loaded, same frames",
            f"{first:,.0f}",
            f"{median:,.0f}",
            f"{median / sql_cold:.1f}x the SQL cold path",
        ]
    )
    return rows


def _filtered_row(label: str, store: Store, filtered: SegmentFilters) -> list[str]:
    """The filtered overview alone (what the page caches per filter): wall and, for SQLite,
    which runs in this process, CPU time (steadier on a shared machine)."""
    cpu: list[float] = []

    def overview() -> None:
        started = time.process_time()
        with store.read() as session:
            segments.overview(session, actor=SYSTEM, filters=filtered)
        cpu.append((time.process_time() - started) * 1000)

    first, median = _timed(overview)
    note = f"CPU {statistics.median(cpu[1:]):,.0f} ms" if label == "sqlite" else ""
    return [
        label,
        "filtered overview alone (one region, live)",
        f"{first:,.0f}",
        f"{median:,.0f}",
        note,
    ]


def _a_region(store: Store) -> str | None:
    with store.read() as session:
        return session.scalar(
            select(Customer.region).group_by(Customer.region).order_by(func.count().desc()).limit(1)
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--orders", type=int, default=1_000_000)
    add_database_options(parser)
    parser.add_argument("--skip-pandas", action="store_true", help="leave out the pandas row")
    parser.add_argument(
        "--skip-refresh", action="store_true", help="use the stored scores; no refresh rows"
    )
    args = parser.parse_args()
    table = run_on_databases(
        bench, args, load=(args.customers, args.orders), prefix="ckm_bench_seg"
    )
    print_table(["database", "what", "first ms", "median ms", "note"], table)
    print(
        f"\n(run at {utc_now():%Y-%m-%d %H:%M} UTC; timings include the machine's other load; "
        f"targets: warm <= 500 ms, cold <= 3,000 ms)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
