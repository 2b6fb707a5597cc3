"""Benchmark CKM at 100k and 1M customers on PostgreSQL (not a pytest module).

    python tests/bench/bench_scale.py [--sizes 100000,1000000] [--keep]
        [--database URL ...] [--postgres-url ADMIN_URL] [--refresh-repeats 1]
        [--replicate] [--build-only] [--results FILE]

Per size: a PostgreSQL database with that many customers, 10 orders and 1 note each, loaded
by the demo generator with COPY (`ckm.services.demo`, as `python -m ckm demo-data` does). It
is `ckm_scale_<size>` on the admin URL's server, reused when it already holds that many
customers (`--keep` leaves it there afterwards), or the `--database` URLs (one per size, in
order). With `--replicate`, a larger size is built from the first one's database copied
`size / first` times in SQL (`scale_data.replicate`) instead of generated row by row. Then,
with the real service calls:
- customer search: `list_customers` for the query set of bench_search.py, beside one ranked
  plain-SQL query on the index;
- profile: `get_profile` of customers with 40-60 orders, beside one aggregate over their
  orders;
- segments page, warm: the page's cached aggregates unpickled plus the one query never
  cached (a page of drill-down members), beside one GROUP BY over the stored scores; and the
  same page's data cold (cache miss);
- score refresh as the worker runs it: `run_score_refresh(force=True)`, beside one
  GROUP BY over every order.
Prints medians, p95, floors and, with two sizes, the growth of each from the smaller size to
the larger one (flat <= 1.3x, log <= 3x, linear beyond, scaled to a 10x larger base). Targets at 1M:
search p95 <= 50 ms, profile <= 100 ms, segments warm <= 500 ms, score refresh <= 5 min.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import statistics
import sys
import time
from pathlib import Path

from sqlalchemy import create_engine, func, select, text

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_search import QUERIES, _time_it
from bench_segments import _floor as scores_floor
from bench_segments import _page_data, _warm
from benchlib import DEFAULT_POSTGRES_URL, p95, timed
from scale_data import profile_floor, ranked_floor, replicate, sample_customers

from ckm.db import Store
from ckm.models import Customer
from ckm.services import customers, demo, scoring
from ckm.services.permissions import SYSTEM
from ckm.services.segments import SegmentFilters

ORDERS_PER_CUSTOMER = 10


def _database(admin_url: str, size: int) -> str:
    """`ckm_scale_<size>` on the admin URL's server, created when missing."""
    name = f"ckm_scale_{size}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        exists = connection.scalar(
            text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
        )
        if not exists:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return admin_url.rsplit("/", 1)[0] + f"/{name}"


def _holds(admin_url: str, size: int) -> bool:
    """Whether `ckm_scale_<size>` exists and holds `size` customers."""
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        exists = connection.scalar(
            text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": f"ckm_scale_{size}"}
        )
    admin.dispose()
    if not exists:
        return False
    engine = create_engine(admin_url.rsplit("/", 1)[0] + f"/ckm_scale_{size}")
    try:
        with engine.connect() as connection:
            present = connection.scalar(text("SELECT count(*) FROM customers"))
    except Exception:  # noqa: BLE001 - an empty database without tables holds nothing
        present = 0
    engine.dispose()
    return present == size


def _drop(admin_url: str, url: str) -> None:
    name = url.rsplit("/", 1)[1]
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _fill(store: Store, size: int) -> None:
    """Load the demo data unless the database already holds `size` customers."""
    with store.read() as session:
        present = session.scalar(select(func.count()).select_from(Customer)) or 0
    if present == size:
        print(f"[{size:,}] reusing {present:,} customers", flush=True)
        return
    if present:
        raise SystemExit(f"the database holds {present:,} customers, not {size:,}")
    summary = demo.load_demo_data(
        store, customers=size, orders=size * ORDERS_PER_CUSTOMER, notes=size
    )
    print(f"[{size:,}] demo data: {summary}", flush=True)


def _orders_floor(store: Store) -> None:
    """One GROUP BY over every order: the least any score refresh can cost."""
    with store.read() as session:
        session.execute(
            text(
                "SELECT customer_id, count(*), sum(amount), max(ordered_on) "
                "FROM orders GROUP BY customer_id"
            )
        ).all()


Row = tuple[str, list[float], list[float]]


def bench(store: Store, size: int, refresh_repeats: int) -> list[Row]:
    rows: list[Row] = []
    # Search and the profile first: they need no scores, and print before the long refresh.
    search_ms: list[float] = []
    search_floor_ms: list[float] = []
    profile_ms: list[float] = []
    profile_floor_ms: list[float] = []
    with store.read() as session:
        for _, query in QUERIES:
            search_ms += _time_it(
                lambda q=query: customers.list_customers(session, actor=SYSTEM, query=q)
            )
            search_floor_ms += _time_it(lambda q=query: ranked_floor(session, q))
        for customer_id in sample_customers(session):
            profile_ms += _time_it(
                lambda c=customer_id: customers.get_profile(session, actor=SYSTEM, customer_id=c)
            )
            profile_floor_ms += _time_it(lambda c=customer_id: profile_floor(session, c))

    print(
        f"[{size:,}] search median {statistics.median(search_ms):.1f} ms, p95 "
        f"{p95(search_ms):.1f} ms (floor {statistics.median(search_floor_ms):.1f}); profile "
        f"median {statistics.median(profile_ms):.1f} ms, p95 {p95(profile_ms):.1f} ms "
        f"(floor {statistics.median(profile_floor_ms):.1f})",
        flush=True,
    )
    refreshes: list[scoring.RefreshSummary] = []

    marks: dict[str, float] = {}

    def progress(stage: str, _done: int, _total: int) -> None:
        marks[stage] = time.perf_counter()

    def refresh() -> None:
        marks["start"] = time.perf_counter()
        refreshes.append(scoring.run_score_refresh(store, force=True, progress=progress))
        marks["end"] = time.perf_counter()

    # The first refresh gives the page its scores; then the timed ones (no warm-up run: at
    # 1M one run takes minutes, and the first is what the worker does after a load).
    refresh_ms = []
    for _ in range(refresh_repeats):
        started = time.perf_counter()
        refresh()
        refresh_ms.append((time.perf_counter() - started) * 1000)
    longest = max(summary.longest_write_ms for summary in refreshes)
    print(
        f"[{size:,}] score refresh: {refresh_ms[-1] / 1000:.1f} s, longest write "
        f"transaction {longest:,} ms of {refreshes[-1].write_batches} batches; compute "
        f"{marks['computed'] - marks['start']:.1f} s, writes "
        f"{marks['written'] - marks['computed']:.1f} s, figures and record "
        f"{marks['end'] - marks['written']:.1f} s",
        flush=True,
    )
    rows.append(("score refresh (worker)", refresh_ms, timed(lambda: _orders_floor(store), 1)))
    rows.append(("customer search", search_ms, search_floor_ms))
    rows.append(("profile", profile_ms, profile_floor_ms))

    everyone = SegmentFilters()
    floor_ms = _time_it(lambda: scores_floor(store))
    cold: dict[str, object] = {}
    cold_ms = _time_it(lambda: cold.update(_page_data(store, everyone)))
    cached = {name: pickle.dumps(value) for name, value in cold.items() if name != "members"}
    warm_ms = _time_it(lambda: _warm(store, cached, everyone))
    rows.append(("segments page data, warm", warm_ms, floor_ms))
    rows.append(("segments page data, cold", cold_ms, floor_ms))
    return rows


def _growth(ratio: float) -> str:
    """Name the growth of a time over a 10x larger base."""
    if ratio <= 1.3:
        return "flat"
    return "log" if ratio <= 3 else "linear"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--database", action="append", default=[], help="one URL per size")
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES_URL, help="admin URL")
    parser.add_argument("--keep", action="store_true", help="keep the databases it created")
    parser.add_argument("--refresh-repeats", type=int, default=1)
    parser.add_argument(
        "--results",
        help="JSON file the timings of each size are added to (sizes measured in earlier "
        "runs count for the growth table)",
    )
    parser.add_argument(
        "--replicate",
        action="store_true",
        help="build each larger size by replicating the first size's database in SQL",
    )
    parser.add_argument(
        "--build-only",
        action="store_true",
        help="build (or check) the databases and stop: the build can run while the machine "
        "is busy, the timings later on a quiet one",
    )
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    results: dict[int, list[Row]] = {}
    for position, size in enumerate(sizes):
        given = position < len(args.database)
        if not given and position and args.replicate and not _holds(args.postgres_url, size):
            started = time.perf_counter()
            replicate(
                args.postgres_url, f"ckm_scale_{sizes[0]}", f"ckm_scale_{size}", size // sizes[0]
            )
            print(f"[{size:,}] replicated in {time.perf_counter() - started:.0f} s", flush=True)
        url = args.database[position] if given else _database(args.postgres_url, size)
        store = Store.open(url)
        try:
            _fill(store, size)
            if args.build_only:
                continue
            results[size] = bench(store, size, max(1, args.refresh_repeats))
            _print_sizes({size: results[size]})
            if args.results:
                _save(Path(args.results), size, results[size])
        finally:
            store.dispose()
            if not given and not args.keep:
                _drop(args.postgres_url, url)

    if args.build_only:
        return 0
    if args.results:
        results = _load(Path(args.results)) | results
        sizes = sorted(results)
    print()
    _print_sizes(results)
    if len(results) > 1:
        small, large = sizes[0], sizes[-1]
        growth = []
        for (name, before, _), (_, after, _) in zip(results[small], results[large], strict=True):
            ratio = statistics.median(after) / statistics.median(before)
            growth.append((name, f"{ratio:.2f}x", _growth(ratio * 10 / (large / small))))
        print(f"\ngrowth from {small:,} to {large:,} customers (median)")
        _print(("operation", "ratio", "growth"), growth)
    print(f"\nload average when finished: {os.getloadavg()[0]:.1f} (2 cores)")
    return 0


def _save(path: Path, size: int, rows: list[Row]) -> None:
    saved = json.loads(path.read_text()) if path.exists() else {}
    saved[str(size)] = rows
    path.write_text(json.dumps(saved))


def _load(path: Path) -> dict[int, list[Row]]:
    if not path.exists():
        return {}
    return {
        int(size): [(name, measured, floor) for name, measured, floor in rows]
        for size, rows in json.loads(path.read_text()).items()
    }


def _print_sizes(results: dict[int, list[Row]]) -> None:
    header = ("customers", "operation", "median ms", "p95 ms", "floor median ms", "ratio")
    table = []
    for size, rows in results.items():
        for name, measured, floor in rows:
            median, floor_median = statistics.median(measured), statistics.median(floor)
            table.append(
                (
                    f"{size:,}",
                    name,
                    f"{median:,.1f}",
                    f"{p95(measured):,.1f}",
                    f"{floor_median:,.1f}",
                    f"{median / floor_median:.1f}x" if floor_median else "-",
                )
            )
    _print(header, table)


def _print(header: tuple[str, ...], table: list[tuple[str, ...]]) -> None:
    widths = [max(len(row[i]) for row in (header, *table)) for i in range(len(header))]
    for row in (header, *table):
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))


if __name__ == "__main__":
    sys.exit(main())
